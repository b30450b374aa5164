"""Running a `Call`: one prepare step (per-call options, a token from a
token provider, the event classes) shared by the sync and async runners,
the native call, and turning its answer (a whole body or an open stream,
as the Rust core decided) into the SDK's object. Retries, timeouts and
every stream rule happen in Rust. Also the raw verbs (`client.get(...)`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any, Callable, Dict, Optional

from . import _native
from ._call import Call, headers_json, timeout_json
from ._config import Config
from ._exceptions import OpenAIError, raise_converted
from ._types import NOT_GIVEN, NotGiven, check_timeout

__all__ = ["SyncRunner", "AsyncRunner"]

_NativeError = _native.NativeError
_NativeStream = _native.NativeStream


def _checked_token(token: Any) -> str:
    if not isinstance(token, str) or not token:
        raise OpenAIError(f"The token provider must return a non-empty str, got {type(token).__name__}")
    return token


class _Runner(Config):
    """The prepare step and the answer's conversion, the same for both runners."""

    def _token_provider(self) -> Optional[Callable[[], Any]]:
        return self._api_key_provider

    def _prepare(self, call: Call) -> Any:
        """The native call description (rapidresponse::settings::CallSpec)."""
        o = call.kwargs
        options: Dict[str, Any] = {
            "headers": headers_json(o.get("extra_headers")),
            "query": o.get("extra_query"),
            "body": o.get("extra_body") or {},
        }
        timeout = o.get("timeout", NOT_GIVEN)
        if not isinstance(timeout, NotGiven):
            options["timeout"] = timeout_json(check_timeout(timeout))
        retries = o.get("max_retries", NOT_GIVEN)
        if not isinstance(retries, NotGiven):
            options["max_retries"] = retries
        call.options = {"op": call.op, "params": call.params, "query": call.query or {}, "stream": call.stream, "options": options}
        if call.make_events is not None:
            call.events = call.make_events()
        return self._native()

    def _answer(self, call: Call, result: Any, mode: str) -> Any:
        from ._response import LegacyAPIResponse

        if isinstance(result, _NativeStream):
            stream_cls = call.stream_cls or self._stream_cls()
            stream = stream_cls(result, self)
            if call.post_stream is not None:
                stream = call.post_stream(stream)
            return stream if mode == "parse" else LegacyAPIResponse.for_stream(result, stream)
        parse = (lambda: call.cast(result, self)) if call.cast else (lambda: None)
        return parse() if mode == "parse" else LegacyAPIResponse(result, parse)

    def _stream_cls(self) -> Any:
        from ._streaming import AsyncStream, Stream

        return AsyncStream if self._is_async else Stream

    def _raw_call(
        self,
        op: str,
        path: str,
        *,
        body: Any = None,
        options: Optional[Dict[str, Any]] = None,
        stream: bool = False,
        stream_cls: Any = None,
        cast_to: Any = None,
    ) -> Call:
        options = dict(options or {})
        kwargs = {
            "extra_headers": options.get("headers"),
            "extra_query": None,
            "extra_body": options.get("extra_json"),
            "timeout": options.get("timeout", NOT_GIVEN),
            "max_retries": options.get("max_retries", NOT_GIVEN),
        }
        return Call(
            op,
            path,
            query=options.get("params"),
            body=body,
            kwargs=kwargs,
            cast=_cast_json(cast_to),
            stream=stream,
            stream_cls=stream_cls,
        )


class SyncRunner(_Runner):
    """OpenAI's machinery: runs calls with the GIL released."""

    def _run(self, call: Call, mode: str = "parse") -> Any:
        if mode == "stream_ctx":
            return _StreamedResponseContext(lambda: self._run(call, "raw"))
        native = self._prepare(call)
        provider = self._token_provider()
        if provider is not None:
            call.options["options"]["token"] = _checked_token(provider())
        try:
            result = native.call(call.options, call.body, call.events)
        except _NativeError as e:
            raise_converted(e)
        return self._answer(call, result, mode)

    def get(self, path: str, *, cast_to: Any = None, options: Optional[Dict[str, Any]] = None, **kw: Any) -> Any:
        return self._run(self._raw_call("get", path, options=options, cast_to=cast_to, **kw))

    def post(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return self._run(self._raw_call("post", path, body=body, options=options, cast_to=cast_to, **kw))

    def delete(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return self._run(self._raw_call("delete", path, body=body, options=options, cast_to=cast_to, **kw))

    def patch(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return self._run(self._raw_call("patch", path, body=body, options=options, cast_to=cast_to, **kw))

    def put(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return self._run(self._raw_call("put", path, body=body, options=options, cast_to=cast_to, **kw))

    def close(self) -> None:
        """Releases this client's handle on the connection pool."""
        self._native_client = None

    def is_closed(self) -> bool:
        return self._native_client is None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class AsyncRunner(_Runner):
    """AsyncOpenAI's machinery: runs calls on the shared runtime for asyncio."""

    _is_async = True

    def _run(self, call: Call, mode: str = "parse") -> Any:
        if mode == "stream_ctx":
            return _AsyncStreamedResponseContext(self._arun(call, "raw"))
        return self._arun(call, mode)

    async def _arun(self, call: Call, mode: str = "parse") -> Any:
        native = self._prepare(call)
        provider = self._token_provider()
        if provider is not None:
            # A provider may be a coroutine function (openai-python awaits it).
            token = provider()
            # (collections.abc, not inspect: inspect costs 10+ ms of import)
            if isinstance(token, Awaitable):
                token = await token
            call.options["options"]["token"] = _checked_token(token)
        try:
            result = await native.call_async(call.options, call.body, call.events)
        except _NativeError as e:
            raise_converted(e)
        return self._answer(call, result, mode)

    async def get(self, path: str, *, cast_to: Any = None, options: Any = None, **kw: Any) -> Any:
        return await self._arun(self._raw_call("get", path, options=options, cast_to=cast_to, **kw))

    async def post(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return await self._arun(self._raw_call("post", path, body=body, options=options, cast_to=cast_to, **kw))

    async def delete(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return await self._arun(self._raw_call("delete", path, body=body, options=options, cast_to=cast_to, **kw))

    async def patch(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return await self._arun(self._raw_call("patch", path, body=body, options=options, cast_to=cast_to, **kw))

    async def put(self, path: str, *, cast_to: Any = None, body: Any = None, options: Any = None, **kw: Any) -> Any:
        return await self._arun(self._raw_call("put", path, body=body, options=options, cast_to=cast_to, **kw))

    async def close(self) -> None:
        self._native_client = None

    def is_closed(self) -> bool:
        return self._native_client is None

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()


def _cast_json(cast_to: Any) -> Callable[[Any, Any], Any]:
    def cast(raw: Any, client: Any) -> Any:
        from ._models import BaseModel, _new

        body = raw.body
        if not body.strip():
            return None
        data = json.loads(body)
        if isinstance(cast_to, type) and issubclass(cast_to, BaseModel) and isinstance(data, dict):
            return _new(cast_to, data)
        if cast_to is not None and hasattr(cast_to, "model_validate") and isinstance(data, dict):
            return cast_to.model_validate(data)
        return data

    return cast


class _StreamedResponseContext:
    """`with client.x.with_streaming_response.create(...) as response:`."""

    def __init__(self, start: Any) -> None:
        self._start = start
        self._response: Any = None

    def __enter__(self) -> Any:
        self._response = self._start()
        return self._response

    def __exit__(self, *args: Any) -> None:
        if self._response is not None:
            self._response.close()


class _AsyncStreamedResponseContext:
    """`async with client.x.with_streaming_response.create(...) as response:`."""

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._response: Any = None

    async def __aenter__(self) -> Any:
        self._response = await self._coro
        return self._response

    async def __aexit__(self, *args: Any) -> None:
        if self._response is not None:
            await self._response.aclose()
