from dataclasses import dataclass

from rapidresponse import OpenAI

PRICES = {"gpt-4.1": (2.00, 8.00)}  # USD per million input / output tokens


@dataclass
class UsageTracker:
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0

    def add(self, model: str, usage: object) -> None:
        i = getattr(usage, "input_tokens", 0)
        o = getattr(usage, "output_tokens", 0)
        self.input_tokens += i
        self.output_tokens += o
        pin, pout = PRICES.get(model, (0.0, 0.0))
        self.cost += i / 1e6 * pin + o / 1e6 * pout


client = OpenAI()
tracker = UsageTracker()
for prompt in ["one", "two", "three"]:
    r = client.responses.create(model="gpt-4.1", input=prompt)
    tracker.add("gpt-4.1", r.usage)
print("in", tracker.input_tokens, "out", tracker.output_tokens, "cost", round(tracker.cost, 8))
