from rapidresponse import OpenAI

client = OpenAI()
response = client.responses.create(
    model="o4-mini",
    input="Why is the sky blue?",
    reasoning={"effort": "high", "summary": "auto"},
)
first = response.output[0]
if first.type == "reasoning":
    print("summary", first.summary[0].text)
print("answer", response.output_text)
