"""`client.chat.completions.create` (also `stream=True`): Chat Completions
through the same client loop. Parameters pass through as given."""

from __future__ import annotations

from typing import Any, Dict

from .._client import Call, body_of, split_options
from .._models import class_for
from .._streaming import AsyncStream, Stream
from ._base import Resource
from .responses import cast_model

__all__ = ["Chat", "AsyncChat", "Completions", "AsyncCompletions"]


def _no_classes() -> Dict[str, Any]:
    return {}


def completion_call(client: Any, path: str, model_name: str, chunk_name: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    body = body_of(params, options)
    if body.get("stream") is True:
        stream_cls = AsyncStream if client._is_async else Stream
        return Call(
            "POST",
            path,
            body=body,
            options=options,
            stream=("chunks", _no_classes, lambda: class_for(chunk_name), False, None, stream_cls),
        )
    return Call("POST", path, body=body, options=options, cast=cast_model(model_name), usage="chat")


class Completions(Resource):
    """`client.chat.completions`."""

    def create(self, **params: Any) -> Any:
        """POST /chat/completions: a ChatCompletion, or a Stream of chunks."""
        return self._run(completion_call(self._client, "/chat/completions", "ChatCompletion", "ChatCompletionChunk", params))


class AsyncCompletions(Completions):
    pass


class Chat(Resource):
    """`client.chat`."""

    @property
    def completions(self) -> Completions:
        return (AsyncCompletions if self._client._is_async else Completions)(self._client, self._mode)


class AsyncChat(Chat):
    pass
