from rapidresponse import OpenAI

client = OpenAI()


def review_code(code: str, language: str = "python") -> str:
    response = client.responses.create(
        model="gpt-4.1",
        instructions=f"You are a strict {language} code reviewer. List bugs, then style issues.",
        input=f"Review this code:\n```{language}\n{code}\n```",
        temperature=0.2,
    )
    return response.output_text


def generate_tests(code: str, framework: str = "pytest") -> str:
    response = client.responses.create(
        model="gpt-4.1",
        instructions=f"Write {framework} tests. Output only code.",
        input=code,
        max_output_tokens=2048,
    )
    return response.output_text


print("review:", review_code("def add(a, b): return a - b"))
print("tests:", generate_tests("def add(a, b): return a + b"))
