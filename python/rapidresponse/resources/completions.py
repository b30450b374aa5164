"""`client.completions.create` (legacy Completions, also `stream=True`)."""

from __future__ import annotations

from typing import Any

from ._base import Resource
from .chat import completion_call

__all__ = ["Completions", "AsyncCompletions"]


class Completions(Resource):
    def create(self, **params: Any) -> Any:
        """POST /completions: a Completion (`choices[0].text`), or a Stream."""
        return self._run(completion_call("completions.create", "Completion", "Completion", params))


class AsyncCompletions(Completions):
    pass
