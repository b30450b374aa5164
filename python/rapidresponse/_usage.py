"""`client.usage`: token totals and the cost estimate the Rust client keeps
(beyond openai-python)."""

from __future__ import annotations

from typing import Any, Dict

__all__ = ["Usage"]


class Usage:
    """Token totals and cost so far (`client.usage`)."""

    __slots__ = (
        "input_tokens",
        "cached_input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "total_tokens",
        "responses",
        "cost_usd",
        "unpriced_models",
        "by_model",
    )

    def __init__(self, d: Dict[str, Any]) -> None:
        # The Rust client's totals: `tokens` nested, shown flat here.
        flat = {**d, **d.get("tokens", {})}
        for name in self.__slots__:
            setattr(self, name, flat.get(name))

    def to_dict(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        return "Usage(" + ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "by_model") + ")"
