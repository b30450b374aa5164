from rapidresponse import OpenAI

client = OpenAI()
stream = client.responses.create(model="gpt-4.1", input="Explain recursion in one paragraph.", stream=True)
for event in stream:
    if event.type == "response.output_text.delta":
        print(event.delta, end="", flush=True)
    elif event.type == "response.completed":
        print()
        usage = event.response.usage
        if usage is not None:
            print("total_tokens", usage.total_tokens)
