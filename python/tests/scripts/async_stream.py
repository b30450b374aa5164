import asyncio

from rapidresponse import AsyncOpenAI


async def main() -> None:
    client = AsyncOpenAI()
    stream = await client.responses.create(model="gpt-4.1", input="Say hello asynchronously.", stream=True)
    async for event in stream:
        if event.type == "response.output_text.delta":
            print(event.delta, end="", flush=True)
    print()
    async with client.responses.stream(model="gpt-4.1", input="And once more.") as s:
        async for event in s:
            pass
        final = await s.get_final_response()
    print("final", final.output_text)


asyncio.run(main())
