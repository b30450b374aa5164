from rapidresponse import OpenAI

client = OpenAI()
response = client.responses.create(model="gpt-4.1", input="Name three sorting algorithms.")
print("id", response.id)
print("object", response.object)
print("created_at", response.created_at)
print("status", response.status)
for item in response.output:
    if item.type == "message":
        for content in item.content:
            if content.type == "output_text":
                print("text", content.text)
usage = response.usage
if usage is not None:
    print("tokens", usage.input_tokens, usage.output_tokens, usage.total_tokens)
