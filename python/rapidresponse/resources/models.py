"""`client.models` (list, retrieve, delete) with openai-python's names:
`list()` gives a `SyncPage[Model]` (`AsyncPage` for AsyncOpenAI: await it,
or `async for` over it), one page with every model. Methods only describe
requests; the client runs them."""

from __future__ import annotations

from typing import Any

from .._call import Call, split_options
from ..pagination import AsyncPaginator, page_cast
from ._base import Resource, check_names
from .responses import cast_model

__all__ = ["Models", "AsyncModels"]


class Models(Resource):
    """`client.models` of `OpenAI`."""

    def _list_call(self, params: Any) -> Call:
        options = split_options(params)
        check_names("list", params, ())
        return Call("models.list", kwargs=options, cast=page_cast("Model", None))

    def list(self, **params: Any) -> Any:
        """GET /models: the models this key can use."""
        return self._run(self._list_call(params))

    def retrieve(self, model: str, **params: Any) -> Any:
        """GET /models/{model}."""
        options = split_options(params)
        check_names("retrieve", params, ())
        return self._run(Call("models.retrieve", model, kwargs=options, cast=cast_model("Model")))

    def delete(self, model: str, **params: Any) -> Any:
        """DELETE /models/{model}: a fine-tuned model of your organization."""
        options = split_options(params)
        check_names("delete", params, ())
        return self._run(Call("models.delete", model, kwargs=options, cast=cast_model("ModelDeleted")))


class AsyncModels(Models):
    """`client.models` of `AsyncOpenAI`: `list` is awaitable for the page
    and async-iterable over its models."""

    def list(self, **params: Any) -> Any:
        call = self._list_call(params)
        if self._mode != "parse":
            return self._run(call)
        return AsyncPaginator(self._client, call)
