from rapidresponse import OpenAI

client = OpenAI()
response = client.responses.create(
    model="gpt-4.1",
    instructions="You are a senior Python reviewer. Answer briefly.",
    input="Is a bare except clause ever fine?",
    temperature=0.2,
    max_output_tokens=4096,
    store=True,
)
print(response.id)
print(response.status)
print(response.model)
