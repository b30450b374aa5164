from rapidresponse import OpenAI

client = OpenAI()
first = client.responses.create(model="gpt-4.1", input="Write a Python function that reverses a string.", store=True)
second = client.responses.create(
    model="gpt-4.1", input="Now add type hints.", previous_response_id=first.id, store=True
)
third = client.responses.create(model="gpt-4.1", input="Now add a docstring.", previous_response_id=second.id)
for r in (first, second, third):
    print(r.id, r.previous_response_id, r.output_text)
