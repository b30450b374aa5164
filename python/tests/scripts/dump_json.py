from rapidresponse import OpenAI

client = OpenAI()
response = client.responses.create(model="gpt-4.1", input="Say hi")
print(response.model_dump_json(indent=2))
