import asyncio
import os

from rapidresponse import AsyncAzureOpenAI, AzureOpenAI

endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]
client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2025-04-01-preview", azure_endpoint=endpoint)
print("azure", client.responses.create(model="gpt-4.1", input="hi").output_text)
chat = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
print("azure chat", chat.choices[0].message.content)

v1 = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="preview", base_url=f"{endpoint}/openai/v1/")
print("azure v1", v1.responses.create(model="gpt-4.1", input="hi").output_text)


async def main() -> None:
    aclient = AsyncAzureOpenAI(
        api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2025-04-01-preview", azure_endpoint=endpoint
    )
    r = await aclient.responses.create(model="gpt-4.1", input="hi")
    print("async azure", r.output_text)


asyncio.run(main())
