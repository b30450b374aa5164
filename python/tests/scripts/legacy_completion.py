from rapidresponse import OpenAI

client = OpenAI()
completion = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="def fib(n):", max_tokens=64)
print("text", completion.choices[0].text)
print("finish", completion.choices[0].finish_reason)
