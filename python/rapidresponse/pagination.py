"""Cursor pages (openai-python's SyncCursorPage / AsyncCursorPage): `.data`,
`.has_more`, `get_next_page()`, `iter_pages()`, and iteration over every
item of every page (the next request sends `after=<last item id>`); and
single pages (SyncPage / AsyncPage: `models.list()`), which have no next."""

from __future__ import annotations

from typing import Any, AsyncIterator, Callable, Dict, Iterator, Optional

from . import _native
from ._exceptions import OpenAIError
from ._models import BaseModel, _Nested, _new, converter

__all__ = [
    "SyncCursorPage",
    "AsyncCursorPage",
    "SyncConversationCursorPage",
    "AsyncConversationCursorPage",
    "SyncPage",
    "AsyncPage",
    "AsyncPaginator",
]


class _CursorPage(BaseModel):
    __slots__ = ()
    model_fields: Dict[str, str] = {"data": "data", "has_more": "has_more"}

    # The page's `last_id` is the cursor (openai's ConversationCursorPage), not the last item's id.
    _cursor_is_last_id = False

    def _next_after(self, asked_after: Optional[str] = None) -> Optional[str]:
        """The cursor of the next page (the last item's id, or `last_id`), or
        None at the end; the rule is the core's (`rapidresponse_core::paging`),
        which stops a server that repeats the cursor it was asked with."""
        data = self.data or []
        if self._cursor_is_last_id:
            last_id = self.__dict__.get("last_id")
        else:
            last = data[-1] if data else None
            last_id = last.get("id") if isinstance(last, dict) else getattr(last, "id", None)
        cursor, why = _native.next_page_cursor(self.has_more, len(data), last_id, asked_after)
        if why is not None:
            raise OpenAIError(why)
        return cursor

    def has_next_page(self) -> bool:
        return self._next_after() is not None

    def next_page_info(self) -> Optional[Dict[str, Any]]:
        after = self._next_after()
        return None if after is None else {"params": {"after": after}}


class SyncCursorPage(_CursorPage):
    __slots__ = ()

    def get_next_page(self) -> "SyncCursorPage":
        after = self._next_after()
        if after is None:
            raise RuntimeError("No next page expected; please check `.has_next_page()` before calling `.get_next_page()`.")
        return self._page_after(after)

    def _page_after(self, after: str) -> "SyncCursorPage":
        client, next_call = self._rr_extra
        return client._run(next_call(after))  # type: ignore[no-any-return]

    def iter_pages(self) -> Iterator["SyncCursorPage"]:
        page, asked = self, None
        while True:
            yield page
            asked = page._next_after(asked)
            if asked is None:
                return
            page = page._page_after(asked)

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        for page in self.iter_pages():
            yield from page.data or ()


class AsyncCursorPage(_CursorPage):
    __slots__ = ()

    async def get_next_page(self) -> "AsyncCursorPage":
        after = self._next_after()
        if after is None:
            raise RuntimeError("No next page expected; please check `.has_next_page()` before calling `.get_next_page()`.")
        return await self._page_after(after)

    async def _page_after(self, after: str) -> "AsyncCursorPage":
        client, next_call = self._rr_extra
        return await client._arun(next_call(after))  # type: ignore[no-any-return]

    async def iter_pages(self) -> AsyncIterator["AsyncCursorPage"]:
        page, asked = self, None
        while True:
            yield page
            asked = page._next_after(asked)
            if asked is None:
                return
            page = await page._page_after(asked)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._items()

    async def _items(self) -> AsyncIterator[Any]:
        async for page in self.iter_pages():
            for item in page.data or ():
                yield item


class SyncConversationCursorPage(SyncCursorPage):
    """A page of conversation items: the next page is after its `last_id`."""

    __slots__ = ()
    model_fields: Dict[str, str] = {"data": "data", "has_more": "has_more", "last_id": "last_id"}
    _cursor_is_last_id = True


class AsyncConversationCursorPage(AsyncCursorPage):
    __slots__ = ()
    model_fields: Dict[str, str] = {"data": "data", "has_more": "has_more", "last_id": "last_id"}
    _cursor_is_last_id = True


class _Page(BaseModel):
    """One page that is the whole list (`data`, `object`): no next page."""

    __slots__ = ()
    model_fields: Dict[str, str] = {"data": "data", "object": "object"}

    def has_next_page(self) -> bool:
        return False

    def next_page_info(self) -> None:
        return None


class SyncPage(_Page):
    __slots__ = ()

    def get_next_page(self) -> "SyncPage":
        raise RuntimeError("No next page expected; please check `.has_next_page()` before calling `.get_next_page()`.")

    def iter_pages(self) -> Iterator["SyncPage"]:
        yield self

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        yield from self.data or ()


class AsyncPage(_Page):
    __slots__ = ()

    async def get_next_page(self) -> "AsyncPage":
        raise RuntimeError("No next page expected; please check `.has_next_page()` before calling `.get_next_page()`.")

    async def iter_pages(self) -> AsyncIterator["AsyncPage"]:
        yield self

    async def __aiter__(self) -> AsyncIterator[Any]:
        for item in self.data or ():
            yield item


_PAGE_CLASSES: Dict[Any, Any] = {}


def _item_spec(item: str) -> Any:
    """A page item's converter spec: a union's alias, or a class's name."""
    from ._models import _schema

    return ["alias", item] if item in _schema().UNIONS else item


def _page_class(base: Any, item_union: str) -> Any:
    key = (base, item_union)
    cls = _PAGE_CLASSES.get(key)
    if cls is None:
        cls = _PAGE_CLASSES[key] = type(
            base.__name__,
            (base,),
            {"__slots__": (), "__module__": __name__, "data": _Nested("data", converter(["list", _item_spec(item_union)]))},
        )
    return cls


def page_cast(
    item_union: str, next_call: Optional[Callable[[str], Any]], conversation: bool = False
) -> Callable[[Any, Any], Any]:
    """Reads a page body; the page remembers how to ask for the next one
    (`next_call` None: a single page, SyncPage / AsyncPage)."""

    def cast(raw: Any, client: Any) -> Any:
        import json

        if next_call is None:
            base = AsyncPage if client._is_async else SyncPage
        elif conversation:
            base = AsyncConversationCursorPage if client._is_async else SyncConversationCursorPage
        else:
            base = AsyncCursorPage if client._is_async else SyncCursorPage
        page = _new(_page_class(base, item_union), json.loads(raw.body))
        page._rr_extra = (client, next_call)
        return page

    return cast


class AsyncPaginator:
    """What the async `list()` returns: await it for the first page, or
    `async for` over every item of every page."""

    def __init__(self, client: Any, call: Any) -> None:
        self._client = client
        self._call = call

    def __await__(self) -> Any:
        return self._client._arun(self._call).__await__()

    async def __aiter__(self) -> AsyncIterator[Any]:
        page = await self
        async for item in page:
            yield item
