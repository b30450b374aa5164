"""`client.responses.connect()`: the Responses API's WebSocket mode with
openai-python's names (`ResponsesConnectionManager`, `ResponsesConnection`,
`send`, `recv`, iteration, `response.create`, `close`, context managers),
sync and async. The socket, the stream machine that reads each response
and every error are the Rust client's (`rapidresponse::ResponsesConnection`);
this module converts events to the SDK's objects.

Where it differs from openai-python: iterating ends when no response is in
flight (send the next `response.create` inside the loop to go on), and
`recv()` with no response in flight raises rather than waiting forever; a
connection that drops mid-response raises `APIConnectionError` carrying
`partial_response` (openai-python raises websockets' ConnectionClosedError);
there is no automatic reconnect (nothing in flight is ever re-sent)."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator, Dict, Iterator, Optional

from ._exceptions import NativeError, OpenAIError, raise_converted

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


class _Connection:
    """What the sync and async connections share."""

    def __init__(self, native: Any, events: Any) -> None:
        self._native = native
        self.response = events(self)

    def parse_event(self, data: Any) -> Any:
        return _event(data.decode() if isinstance(data, (bytes, bytearray)) else data)


class ResponsesConnection(_Connection):
    """An open WebSocket of the Responses API."""

    def __init__(self, native: Any) -> None:
        super().__init__(native, _ResponseEvents)

    def send(self, event: Any) -> None:
        """Sends a client event (a dict or a model); a `response.create`
        starts a response whose events `recv()` and iteration give."""
        try:
            self._native.send(_message(event))
        except NativeError as e:
            raise_converted(e)

    def recv_bytes(self) -> bytes:
        """The next event of the oldest response in flight, as received."""
        try:
            data = self._native.recv()
        except NativeError as e:
            raise_converted(e)
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
                raise_converted(e)
            if batch is None:
                return
            for data in batch:
                yield _event(data)

    def close(self, *, code: int = 1000, reason: str = "") -> None:
        self._native.close()


class ResponsesConnectionManager:
    """What `client.responses.connect()` returns: `with` it (or `.enter()`)
    for the connection."""

    def __init__(self, client: Any, spec: Dict[str, Any]) -> None:
        self._client = client
        self._spec = spec
        self._connection: Optional[ResponsesConnection] = None

    def enter(self) -> ResponsesConnection:
        native = self._client._native()
        try:
            self._connection = ResponsesConnection(native.connect(self._spec))
        except NativeError as e:
            raise_converted(e)
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
        try:
            await self._native.send_async(_message(event))
        except NativeError as e:
            raise_converted(e)

    async def recv_bytes(self) -> bytes:
        try:
            data = await self._native.recv_async()
        except NativeError as e:
            raise_converted(e)
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
                raise_converted(e)
            if batch is None:
                return
            for data in batch:
                yield _event(data)

    async def close(self, *, code: int = 1000, reason: str = "") -> None:
        await self._native.close_async()


class AsyncResponsesConnectionManager:
    """What `AsyncOpenAI().responses.connect()` returns: `async with` it (or
    `await .enter()`)."""

    def __init__(self, client: Any, spec: Dict[str, Any]) -> None:
        self._client = client
        self._spec = spec
        self._connection: Optional[AsyncResponsesConnection] = None

    async def enter(self) -> AsyncResponsesConnection:
        native = self._client._native()
        try:
            self._connection = AsyncResponsesConnection(await native.connect_async(self._spec))
        except NativeError as e:
            raise_converted(e)
        return self._connection

    async def __aenter__(self) -> AsyncResponsesConnection:
        return await self.enter()

    async def __aexit__(self, *args: Any) -> None:
        if self._connection is not None:
            await self._connection.close()


def connect_spec(
    extra_query: Optional[Dict[str, Any]],
    extra_headers: Optional[Dict[str, Any]],
    websocket_connection_options: Optional[Dict[str, Any]],
) -> Dict[str, Any]:
    """The native call description of `responses.connect`."""
    from ._call import headers_json

    if websocket_connection_options:
        raise TypeError(
            "websocket_connection_options is not supported: the socket is the Rust client's"
        )
    options = {"headers": headers_json(extra_headers), "query": extra_query or None}
    return {"op": "responses.connect", "options": options}
