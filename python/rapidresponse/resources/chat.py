"""`client.chat.completions.create` (also `stream=True`): Chat Completions
through the same client loop. Parameters pass through as given."""

from __future__ import annotations

from typing import Any, Dict

from .._call import Call, Events, split_options
from .._models import class_for
from ._base import Resource
from .responses import cast_model

__all__ = ["Chat", "AsyncChat", "Completions", "AsyncCompletions"]


def completion_call(op: str, model_name: str, chunk_name: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    return Call(
        op,
        body=params,
        kwargs=options,
        events=lambda: Events({}, class_for(chunk_name)),
        cast=cast_model(model_name),
    )


class Completions(Resource):
    """`client.chat.completions`."""

    def create(self, **params: Any) -> Any:
        """POST /chat/completions: a ChatCompletion, or a Stream of chunks."""
        return self._run(completion_call("chat.completions.create", "ChatCompletion", "ChatCompletionChunk", params))


class AsyncCompletions(Completions):
    pass


class Chat(Resource):
    """`client.chat`."""

    @property
    def completions(self) -> Completions:
        return (AsyncCompletions if self._client._is_async else Completions)(self._client, self._mode)


class AsyncChat(Chat):
    pass
