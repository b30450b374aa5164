"""`client.responses.connect()`: the Responses API's WebSocket mode with
openai-python's names (`ResponsesConnectionManager`, `ResponsesConnection`,
`send`, `send_raw`, `recv`, iteration, `response.create`, `on` / `off` /
`once` / `dispatch_events`, `close`, context managers), sync and async. The
socket, the stream machine that reads each response, lanes (`stream_id`),
the reconnect decision and every error are the Rust client's
(`rapidresponse::ResponsesConnection`); this module converts events to the
SDK's objects and asks `on_reconnecting`.

Where it differs from openai-python: iterating (and `dispatch_events`) ends
when no response is in flight (send the next `response.create` inside the
loop to go on), and `recv()` with no response in flight raises rather than
waiting forever; a response cut off by a dropped connection raises
`APIConnectionError` carrying `partial_response` (openai-python raises
websockets' ConnectionClosedError, or with `on_reconnecting` loses it
silently), also when the connection is then opened again; nothing in
flight is ever re-sent. Binary frames are not sent: `send_raw` takes text."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, NoReturn, Optional, Tuple

from ._exceptions import NativeError, OpenAIError, WebSocketConnectionClosedError, convert, raise_converted

__all__ = [
    "ResponsesConnectionManager",
    "ResponsesConnection",
    "AsyncResponsesConnectionManager",
    "AsyncResponsesConnection",
]


def _event(data: str) -> Any:
    from ._models import converter

    return converter(["alias", "ResponsesServerEvent"])(json.loads(data))


def _message(event: Any) -> str:
    if hasattr(event, "to_dict"):
        event = event.to_dict()
    return json.dumps(event, separators=(",", ":"))


def _create_event(params: Dict[str, Any]) -> Dict[str, Any]:
    from .resources._base import check_names
    from .resources.responses import CREATE_PARAMS

    check_names("create", params, CREATE_PARAMS | {"stream_id", "generate"})
    return {"type": "response.create", **params}


def _steer_event(params: Dict[str, Any]) -> Dict[str, Any]:
    from .resources._base import check_names

    check_names("steer", params, {"input", "previous_response_id"})
    return {"type": "response.steer", **params}


def _nothing_in_flight() -> OpenAIError:
    return OpenAIError("no response is in flight on this connection: send a response.create first")


class _ResponseEvents:
    """`connection.response`: `create(**params)` and `steer(**params)`."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def create(self, **params: Any) -> Any:
        return self._connection.send(_create_event(params))

    def steer(self, **params: Any) -> Any:
        return self._connection.send(_steer_event(params))


class _Handlers:
    """Handlers by event type (`"event"`: every event); `once` ones go after
    their first call."""

    def __init__(self) -> None:
        self._handlers: Dict[str, List[Tuple[Callable[..., Any], bool]]] = {}

    def add(self, event_type: str, handler: Callable[..., Any], once: bool = False) -> None:
        self._handlers.setdefault(event_type, []).append((handler, once))

    def remove(self, event_type: str, handler: Callable[..., Any]) -> None:
        handlers = self._handlers.get(event_type, [])
        for i, (h, _) in enumerate(handlers):
            if h == handler:
                del handlers[i]
                break

    def take(self, event_type: str) -> List[Callable[..., Any]]:
        handlers = self._handlers.get(event_type)
        if not handlers:
            return []
        self._handlers[event_type] = [(h, once) for h, once in handlers if not once]
        return [h for h, _ in handlers]

    def merge_into(self, target: "_Handlers") -> None:
        for event_type, handlers in self._handlers.items():
            for handler, once in handlers:
                target.add(event_type, handler, once)
        self._handlers.clear()


class _Registers:
    """`on` / `off` / `once`, as methods or decorators."""

    _handlers: _Handlers

    def on(self, event_type: str, handler: Optional[Callable[..., Any]] = None) -> Any:
        if handler is not None:
            self._handlers.add(event_type, handler)
            return self

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            self._handlers.add(event_type, fn)
            return fn

        return decorator

    def once(self, event_type: str, handler: Optional[Callable[..., Any]] = None) -> Any:
        if handler is not None:
            self._handlers.add(event_type, handler, once=True)
            return self

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            self._handlers.add(event_type, fn, once=True)
            return fn

        return decorator

    def off(self, event_type: str, handler: Callable[..., Any]) -> Any:
        self._handlers.remove(event_type, handler)
        return self


def _raw_text(data: Any) -> str:
    return bytes(data).decode("utf-8") if isinstance(data, (bytes, bytearray, memoryview)) else str(data)


class _Connection(_Registers):
    """What the sync and async connections share."""

    def __init__(self, native: Any, events: Any) -> None:
        self._native = native
        self._handlers = _Handlers()
        self.response = events(self)

    def parse_event(self, data: Any) -> Any:
        return _event(data.decode() if isinstance(data, (bytes, bytearray)) else data)

    def _raise(self, error: NativeError) -> NoReturn:
        """The SDK's exception; a connection that ended for good with
        messages it never sent is openai-python's WebSocketConnectionClosedError."""
        unsent = self._native.take_unsent()
        if unsent:
            closed = WebSocketConnectionClosedError(
                "WebSocket connection closed with unsent messages", unsent_messages=unsent
            )
            raise closed from convert(error)
        raise_converted(error)

    def _dispatch_to(self, event: Any) -> List[Callable[..., Any]]:
        """The handlers for `event`; an `error` event nobody handles raises."""
        specific = self._handlers.take(event.type)
        generic = self._handlers.take("event")
        if event.type == "error" and not specific and not generic:
            raise OpenAIError(f"WebSocket error: {event}")
        return specific + generic


class ResponsesConnection(_Connection):
    """An open WebSocket of the Responses API."""

    def __init__(self, native: Any) -> None:
        super().__init__(native, _ResponseEvents)

    def send(self, event: Any) -> None:
        """Sends a client event (a dict or a model); a `response.create`
        starts a response whose events `recv()` and iteration give."""
        self.send_raw(_message(event))

    def send_raw(self, data: Any) -> None:
        """Sends a message as it is (text, or UTF-8 bytes)."""
        try:
            self._native.send(_raw_text(data))
        except NativeError as e:
            self._raise(e)

    def recv_bytes(self) -> bytes:
        """The next event of any response in flight, as received."""
        try:
            data = self._native.recv()
        except NativeError as e:
            self._raise(e)
        if data is None:
            raise _nothing_in_flight()
        return data.encode()  # type: ignore[no-any-return]

    def recv(self) -> Any:
        """The next event, typed (an `error` event is returned, not raised)."""
        return self.parse_event(self.recv_bytes())

    def __iter__(self) -> Iterator[Any]:
        # The events already here cross together: one wait, one crossing.
        while True:
            try:
                batch = self._native.recv_batch()
            except NativeError as e:
                self._raise(e)
            if batch is None:
                return
            for data in batch:
                yield _event(data)

    def dispatch_events(self) -> None:
        """Calls the registered handlers with each event until no response
        is in flight (a handler may send the next `response.create`)."""
        for event in self:
            for handler in self._dispatch_to(event):
                handler(event)

    def close(self, *, code: int = 1000, reason: str = "") -> None:
        self._native.close()


class _Manager(_Registers):
    """What the sync and async managers share: the call, the reconnect hook,
    handlers and messages given before the connection opens."""

    def __init__(self, client: Any, spec: Dict[str, Any], hook: Optional[Callable[..., Any]]) -> None:
        self._client = client
        self._spec = spec
        self._hook = hook
        self._handlers = _Handlers()
        self._pending: List[str] = []

    _connection: Any = None

    def send(self, event: Any) -> None:
        """Queues a client event to go out as soon as the connection opens
        (once it is open, sends it)."""
        text = _message(event)
        if self._connection is None:
            self._pending.append(text)
            return
        try:
            self._connection._native.send(text)
        except NativeError as e:
            self._connection._raise(e)

    def _opened(self, connection: _Connection) -> List[str]:
        self._handlers.merge_into(connection._handlers)
        pending, self._pending = self._pending, []
        return pending


class ResponsesConnectionManager(_Manager):
    """What `client.responses.connect()` returns: `with` it (or `.enter()`)
    for the connection."""

    _connection: Optional[ResponsesConnection] = None

    def enter(self) -> ResponsesConnection:
        native = self._client._native()
        try:
            self._connection = ResponsesConnection(native.connect(self._spec, self._hook))
        except NativeError as e:
            raise_converted(e)
        for text in self._opened(self._connection):
            self._connection.send_raw(text)
        return self._connection

    def __enter__(self) -> ResponsesConnection:
        return self.enter()

    def __exit__(self, *args: Any) -> None:
        if self._connection is not None:
            self._connection.close()


class _AsyncResponseEvents:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def create(self, **params: Any) -> None:
        await self._connection.send(_create_event(params))

    async def steer(self, **params: Any) -> None:
        await self._connection.send(_steer_event(params))


class AsyncResponsesConnection(_Connection):
    """An open WebSocket of the Responses API, for asyncio."""

    def __init__(self, native: Any) -> None:
        super().__init__(native, _AsyncResponseEvents)

    async def send(self, event: Any) -> None:
        await self.send_raw(_message(event))

    async def send_raw(self, data: Any) -> None:
        try:
            await self._native.send_async(_raw_text(data))
        except NativeError as e:
            self._raise(e)

    async def recv_bytes(self) -> bytes:
        try:
            data = await self._native.recv_async()
        except NativeError as e:
            self._raise(e)
        if data is None:
            raise _nothing_in_flight()
        return data.encode()  # type: ignore[no-any-return]

    async def recv(self) -> Any:
        return self.parse_event(await self.recv_bytes())

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            try:
                batch = await self._native.recv_batch_async()
            except NativeError as e:
                self._raise(e)
            if batch is None:
                return
            for data in batch:
                yield _event(data)

    async def dispatch_events(self) -> None:
        """`dispatch_events` for asyncio: coroutine handlers are awaited."""
        import inspect

        async for event in self:
            for handler in self._dispatch_to(event):
                result = handler(event)
                if inspect.isawaitable(result):
                    await result

    async def close(self, *, code: int = 1000, reason: str = "") -> None:
        await self._native.close_async()


class AsyncResponsesConnectionManager(_Manager):
    """What `AsyncOpenAI().responses.connect()` returns: `async with` it (or
    `await .enter()`)."""

    _connection: Optional[AsyncResponsesConnection] = None

    async def enter(self) -> AsyncResponsesConnection:
        native = self._client._native()
        try:
            self._connection = AsyncResponsesConnection(await native.connect_async(self._spec, self._hook))
        except NativeError as e:
            raise_converted(e)
        for text in self._opened(self._connection):
            await self._connection.send_raw(text)
        return self._connection

    async def __aenter__(self) -> AsyncResponsesConnection:
        return await self.enter()

    async def __aexit__(self, *args: Any) -> None:
        if self._connection is not None:
            await self._connection.close()


def reconnect_hook(
    on_reconnecting: Callable[[Any], Any],
    extra_query: Optional[Dict[str, Any]],
    extra_headers: Optional[Dict[str, Any]],
) -> Callable[[int, int, float, int], Any]:
    """What the Rust connection asks before each reconnect attempt: the
    user's `on_reconnecting` with openai-python's `ReconnectingEvent`; its
    answer as `False` (stop: `abort`, or the handler raised), `None` (go
    on), or the call description with its new query and headers."""
    from .types.websocket_reconnection import ReconnectingEvent

    current = {"query": dict(extra_query or {}), "headers": dict(extra_headers or {})}

    def hook(attempt: int, max_attempts: int, delay: float, close_code: int) -> Any:
        event = ReconnectingEvent(
            attempt=attempt,
            max_attempts=max_attempts,
            delay=delay,
            close_code=close_code,
            extra_query=current["query"],
            extra_headers=current["headers"],
        )
        try:
            answer = on_reconnecting(event)
        except Exception:
            return False
        if answer is None:
            return None
        if answer.get("abort"):
            return False
        if "extra_query" in answer:
            current["query"] = dict(answer["extra_query"] or {})
        if "extra_headers" in answer:
            current["headers"] = dict(answer["extra_headers"] or {})
        return connect_spec(current["query"], current["headers"], None)

    return hook


def connect_spec(
    extra_query: Optional[Dict[str, Any]],
    extra_headers: Optional[Dict[str, Any]],
    websocket_connection_options: Optional[Dict[str, Any]],
    reconnect: Optional[Dict[str, Any]] = None,
    max_queue_size: Optional[int] = None,
) -> Dict[str, Any]:
    """The native call description of `responses.connect` (`reconnect`:
    `max_retries`, `initial_delay`, `max_delay` when reconnecting is on)."""
    from ._call import headers_json

    if websocket_connection_options:
        raise TypeError(
            "websocket_connection_options is not supported: the socket is the Rust client's"
        )
    options = {"headers": headers_json(extra_headers), "query": extra_query or None}
    connect = {"reconnect": reconnect, "max_queue_size": max_queue_size}
    return {"op": "responses.connect", "options": options, "connect": connect}
