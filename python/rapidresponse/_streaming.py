"""Streams: `Stream` / `AsyncStream` (what `create(stream=True)` returns:
iterate the events) and the `responses.stream()` helper (`ResponseStream`:
events with text snapshots, `until_done()`, `get_final_response()`).

Each step asks the native stream for every event one network chunk
completed, already built as objects; iterating them is a plain Python
loop. Which events raise, how a stream ends, the snapshots and the final
response are the Rust stream machine's; a delta event carries where its
snapshot ends and reads the text only if `.snapshot` is read."""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, Iterator, Optional, Tuple

from . import _native
from ._exceptions import raise_converted
from ._http import Headers, Request, Response

__all__ = [
    "Stream",
    "AsyncStream",
    "ResponseStream",
    "AsyncResponseStream",
    "ResponseStreamManager",
    "AsyncResponseStreamManager",
]

_NativeError = _native.NativeError


class Stream:
    """The events of a streamed call, in order. Iterate it (once); `close()`
    or leaving a `with` block drops the connection."""

    def __init__(self, handle: Any, client: Any) -> None:
        self._handle = handle
        self._client = client
        request = Request(handle.method, handle.url)
        self.response = Response(handle.status, Headers(handle.headers), request)
        self._iterator = self.__stream__()

    def __stream__(self) -> Iterator[Any]:
        next_batch = self._handle.next_batch
        while True:
            try:
                batch = next_batch()
            except _NativeError as e:
                raise_converted(e)
            if batch is None:
                return
            yield from batch

    def __iter__(self) -> Iterator[Any]:
        return self._iterator

    def __next__(self) -> Any:
        return next(self._iterator)

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def close(self) -> None:
        """Drops the connection; the events received stay yours."""
        self._handle.close()

    @property
    def request_id(self) -> Optional[str]:
        return self.response.headers.get("x-request-id")


class AsyncStream:
    """`Stream` for asyncio: `async for event in stream`."""

    def __init__(self, handle: Any, client: Any) -> None:
        self._handle = handle
        self._client = client
        request = Request(handle.method, handle.url)
        self.response = Response(handle.status, Headers(handle.headers), request)
        self._iterator = self.__stream__()

    async def __stream__(self) -> AsyncIterator[Any]:
        next_batch = self._handle.next_batch_async
        while True:
            try:
                batch = await next_batch()
            except _NativeError as e:
                raise_converted(e)
            if batch is None:
                return
            # Events of one chunk: no await between them.
            for event in batch:
                yield event

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterator

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> "AsyncStream":
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()

    async def close(self) -> None:
        self._handle.close()

    @property
    def request_id(self) -> Optional[str]:
        return self.response.headers.get("x-request-id")


# -- the responses.stream() helper ----------------------------------------------------


def _snapshot(event: Any) -> str:
    """The text of the event's part (or the call's arguments) up to this
    event, as the stream machine placed it."""
    try:
        handle, output_index, content_index, end = event._rr_extra
    except (AttributeError, ValueError):
        return ""
    return handle.snapshot_text(output_index, content_index, end) or ""  # type: ignore[no-any-return]


class _Tracker:
    """What the helper remembers while events pass: the final response."""

    def __init__(self, handle: Any, text_format: Any) -> None:
        self.handle = handle
        self.text_format = text_format

    def see(self, event: Any) -> None:
        # The stream machine marks the event that carries the completed response.
        if self.text_format is not None and getattr(event, "_rr_extra", None) == "completed":
            from .resources.responses import parsed_response

            event.response = parsed_response(event.response, self.text_format)

    def final_or_raise(self) -> Any:
        from ._models import class_for, lazy

        raw = self.handle.final_response()
        if raw is None:
            error = RuntimeError("Didn't receive a `response.completed` event.")
            # Beyond openai-python: what did arrive.
            partial = self.handle.snapshot()
            if partial is not None:
                error.partial_response = lazy(class_for("Response"), partial)  # type: ignore[attr-defined]
            raise error
        response = lazy(class_for("Response"), raw)
        if self.text_format is not None:
            from .resources.responses import parsed_response

            response = parsed_response(response, self.text_format)
        return response


class ResponseStream:
    """`with client.responses.stream(...) as stream:` — iterate the events
    (text and arguments deltas carry `.snapshot`), then `get_final_response()`."""

    def __init__(self, raw: Stream, text_format: Any = None) -> None:
        self._raw = raw
        self.response = raw.response
        self._tracker = _Tracker(raw._handle, text_format)
        self._iterator = self.__stream__()

    def __stream__(self) -> Iterator[Any]:
        see = self._tracker.see
        for event in self._raw:
            see(event)
            yield event

    def __iter__(self) -> Iterator[Any]:
        return self._iterator

    def __next__(self) -> Any:
        return next(self._iterator)

    def __enter__(self) -> "ResponseStream":
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def close(self) -> None:
        self._raw.close()

    def until_done(self) -> "ResponseStream":
        for _ in self._iterator:
            pass
        return self

    def get_final_response(self) -> Any:
        """The completed response; RuntimeError (with `.partial_response`)
        when the stream ended without `response.completed`."""
        self.until_done()
        return self._tracker.final_or_raise()

    def current_snapshot(self) -> Any:
        """Beyond openai-python: the response accumulated so far."""
        from ._models import class_for, lazy

        raw = self._raw._handle.snapshot()
        return None if raw is None else lazy(class_for("Response"), raw)


class AsyncResponseStream:
    """`async with client.responses.stream(...) as stream:`."""

    def __init__(self, raw: AsyncStream, text_format: Any = None) -> None:
        self._raw = raw
        self.response = raw.response
        self._tracker = _Tracker(raw._handle, text_format)
        self._iterator = self.__stream__()

    async def __stream__(self) -> AsyncIterator[Any]:
        see = self._tracker.see
        async for event in self._raw:
            see(event)
            yield event

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterator

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> "AsyncResponseStream":
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()

    async def close(self) -> None:
        await self._raw.close()

    async def until_done(self) -> "AsyncResponseStream":
        async for _ in self._iterator:
            pass
        return self

    async def get_final_response(self) -> Any:
        await self.until_done()
        return self._tracker.final_or_raise()

    def current_snapshot(self) -> Any:
        from ._models import class_for, lazy

        raw = self._raw._handle.snapshot()
        return None if raw is None else lazy(class_for("Response"), raw)


class ResponseStreamManager:
    """What `client.responses.stream(...)` returns: the request starts on `with`."""

    def __init__(self, open_stream: Any, text_format: Any = None) -> None:
        self._open = open_stream
        self._text_format = text_format
        self._stream: Optional[ResponseStream] = None

    def __enter__(self) -> ResponseStream:
        self._stream = ResponseStream(self._open(), self._text_format)
        return self._stream

    def __exit__(self, *args: Any) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncResponseStreamManager:
    """`async with client.responses.stream(...)`; the request starts on entry."""

    def __init__(self, open_stream: Any, text_format: Any = None) -> None:
        self._open = open_stream
        self._text_format = text_format
        self._stream: Optional[AsyncResponseStream] = None

    async def __aenter__(self) -> AsyncResponseStream:
        self._stream = AsyncResponseStream(await self._open(), self._text_format)
        return self._stream

    async def __aexit__(self, *args: Any) -> None:
        if self._stream is not None:
            await self._stream.close()
