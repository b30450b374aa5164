from typing import Any, List

from rapidresponse import OpenAI

client = OpenAI()
context: List[Any] = [{"role": "user", "content": "Plan a refactor of a 2,000-line module."}]
first = client.responses.create(
    model="o4-mini", input=context, store=False, include=["reasoning.encrypted_content"]
)
for item in first.output:
    if item.type == "reasoning":
        print("encrypted", bool(item.encrypted_content))
context += first.output
context.append({"role": "user", "content": "Now the first step only."})
second = client.responses.create(
    model="o4-mini", input=context, store=False, include=["reasoning.encrypted_content"]
)
print("second", second.status, bool(second.output_text))
