import json
from typing import Any, List

from rapidresponse import OpenAI

client = OpenAI()
tools: List[Any] = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Get the weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    }
]
context: List[Any] = [{"role": "user", "content": "What is the weather in Paris?"}]
response = client.responses.create(model="o4-mini", input=context, tools=tools)
context += response.output
for item in response.output:
    if item.type == "function_call":
        args = json.loads(item.arguments)
        print("call", item.name, args)
        context.append({"type": "function_call_output", "call_id": item.call_id, "output": json.dumps({"temp_c": 18})})
    elif item.type == "reasoning":
        print("reasoning item kept")
second = client.responses.create(model="o4-mini", input=context, tools=tools)
print("answer", second.output_text)
