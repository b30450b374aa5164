from rapidresponse import OpenAI

client = OpenAI()
completion = client.chat.completions.create(
    model="gpt-4o",
    messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the weather in Oslo?"},
    ],
    max_tokens=256,
    temperature=0.2,
    tools=[
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ],
)
choice = completion.choices[0]
print("finish", choice.finish_reason)
if choice.message.tool_calls:
    for call in choice.message.tool_calls:
        print("tool", call.type, call.id)
print("content", choice.message.content)
print("usage", completion.usage.total_tokens if completion.usage else None)
