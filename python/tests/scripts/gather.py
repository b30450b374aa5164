import asyncio

from rapidresponse import AsyncOpenAI

client = AsyncOpenAI(max_retries=0)


async def ask(prompt: str) -> str:
    response = await client.responses.create(model="gpt-4.1", input=prompt)
    return response.output_text


async def main() -> None:
    prompts = ["What is a monad?", "What is a closure?", "mock-fault", "What is a coroutine?"]
    tasks = [ask(p) if p != "mock-fault" else client.responses.create(model="mock-fault:status=500", input=p) for p in prompts]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for prompt, result in zip(prompts, results):
        if isinstance(result, Exception):
            print("error", type(result).__name__)
        else:
            print("ok", prompt, "->", result if isinstance(result, str) else result.output_text)


asyncio.run(main())
