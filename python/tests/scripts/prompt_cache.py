import os

from rapidresponse import OpenAI

client = OpenAI()
for _ in range(2):
    r = client.responses.create(
        model="gpt-4.1",
        input="A long shared system prompt would go here.",
        prompt_cache_key=f"repo-review-{os.getpid()}",
        prompt_cache_retention="24h",
    )
    details = r.usage.input_tokens_details if r.usage else None
    print("cached", details.cached_tokens if details else None)
