from rapidresponse import OpenAI

client = OpenAI()
response = client.responses.create(model="gpt-4.1", input="Write a one-line haiku about Rust.")
print(response.output_text)
