"""`client.conversations` (create, retrieve, update, delete) and
`client.conversations.items` (create, retrieve, list, delete), with
openai-python's names, keyword arguments and return types. Methods only
describe requests; the client runs them."""

from __future__ import annotations

from typing import Any, Dict

from .._call import Call, split_options
from ..pagination import AsyncPaginator, page_cast
from ._base import Resource, check_names
from .responses import cast_model

__all__ = ["Conversations", "AsyncConversations", "Items", "AsyncItems"]

_ITEM_UNION = "conversations.conversation_item.ConversationItem"


def _cast_item(raw: Any, client: Any) -> Any:
    import json

    from .._models import converter

    return converter(["alias", _ITEM_UNION])(json.loads(raw.body))


def _create_call(params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("create", params, {"items", "metadata"})
    return Call("conversations.create", body=params, kwargs=options, cast=cast_model("Conversation"))


def _retrieve_call(conversation_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("retrieve", params, ())
    return Call("conversations.retrieve", conversation_id, kwargs=options, cast=cast_model("Conversation"))


def _update_call(conversation_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("update", params, {"metadata"})
    if "metadata" not in params:
        raise TypeError("update() missing 1 required keyword-only argument: 'metadata'")
    return Call(
        "conversations.update", conversation_id, body=params, kwargs=options, cast=cast_model("Conversation")
    )


def _delete_call(conversation_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("delete", params, ())
    return Call(
        "conversations.delete", conversation_id, kwargs=options, cast=cast_model("ConversationDeletedResource")
    )


class Conversations(Resource):
    """`client.conversations` of `OpenAI` (and, through `AsyncConversations`,
    of `AsyncOpenAI`: the client's `_run` gives a coroutine there)."""

    @property
    def items(self) -> Any:
        return (AsyncItems if self._client._is_async else Items)(self._client, self._mode)

    def create(self, **params: Any) -> Any:
        """POST /conversations (`items=`, `metadata=`, both optional)."""
        return self._run(_create_call(params))

    def retrieve(self, conversation_id: str, **params: Any) -> Any:
        return self._run(_retrieve_call(conversation_id, params))

    def update(self, conversation_id: str, **params: Any) -> Any:
        """POST /conversations/{id}: replaces its `metadata`."""
        return self._run(_update_call(conversation_id, params))

    def delete(self, conversation_id: str, **params: Any) -> Any:
        return self._run(_delete_call(conversation_id, params))


class AsyncConversations(Conversations):
    """`client.conversations` of `AsyncOpenAI` (awaitable calls)."""


# -- items ------------------------------------------------------------------------------


def _items_create_call(conversation_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("create", params, {"items", "include"})
    if "items" not in params:
        raise TypeError("create() missing 1 required keyword-only argument: 'items'")
    query = {"include": params.pop("include")} if "include" in params else None
    return Call(
        "conversations.items.create",
        conversation_id,
        query=query,
        body=params,
        kwargs=options,
        cast=cast_model("ConversationItemList"),
    )


def _items_retrieve_call(item_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("retrieve", params, {"conversation_id", "include"})
    conversation_id = _conversation_id("retrieve", params)
    return Call(
        "conversations.items.retrieve", conversation_id, item_id, query=params, kwargs=options, cast=_cast_item
    )


def _items_list_call(client: Any, conversation_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("list", params, {"after", "include", "limit", "order"})
    return Call(
        "conversations.items.list",
        conversation_id,
        query=params,
        kwargs=options,
        cast=page_cast(
            _ITEM_UNION,
            lambda after: _items_list_call(client, conversation_id, {**params, **options, "after": after}),
            conversation=True,
        ),
    )


def _items_delete_call(item_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("delete", params, {"conversation_id"})
    conversation_id = _conversation_id("delete", params)
    return Call(
        "conversations.items.delete", conversation_id, item_id, kwargs=options, cast=cast_model("Conversation")
    )


def _conversation_id(method: str, params: Dict[str, Any]) -> str:
    if "conversation_id" not in params:
        raise TypeError(f"{method}() missing 1 required keyword-only argument: 'conversation_id'")
    return str(params.pop("conversation_id"))


class Items(Resource):
    """`client.conversations.items` of `OpenAI`."""

    def create(self, conversation_id: str, **params: Any) -> Any:
        """POST /conversations/{id}/items (`items=`, up to 20; `include=`)."""
        return self._run(_items_create_call(conversation_id, params))

    def retrieve(self, item_id: str, **params: Any) -> Any:
        """GET /conversations/{conversation_id}/items/{item_id}."""
        return self._run(_items_retrieve_call(item_id, params))

    def list(self, conversation_id: str, **params: Any) -> Any:
        """A page of items (newest first unless `order="asc"`); iterating it walks every page."""
        return self._run(_items_list_call(self._client, conversation_id, params))

    def delete(self, item_id: str, **params: Any) -> Any:
        """DELETE /conversations/{conversation_id}/items/{item_id}: the conversation."""
        return self._run(_items_delete_call(item_id, params))


class AsyncItems(Items):
    """`client.conversations.items` of `AsyncOpenAI`: `list` is awaitable
    for the first page and async-iterable over every item."""

    def list(self, conversation_id: str, **params: Any) -> Any:
        call = _items_list_call(self._client, conversation_id, params)
        if self._mode != "parse":
            return self._run(call)
        return AsyncPaginator(self._client, call)
