from rapidresponse import DefaultHttpxClient, OpenAI

# A corporate setup: the client's own HTTP settings (timeout, headers).
client = OpenAI(http_client=DefaultHttpxClient(timeout=30.0, headers={"X-Team": "ci"}))
models = client.models.list()
ids = [m.id for m in models]
print("models", len(ids), "gpt-4.1" in ids)
model = client.models.retrieve("gpt-4.1")
print("model", model.id, model.object, model.owned_by)
response = client.responses.create(model=model.id, input="Name a sorting algorithm.")
print("answer", response.output_text)
