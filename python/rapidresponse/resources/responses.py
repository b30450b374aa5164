"""`client.responses`: create (also streamed), retrieve, delete, cancel,
compact, input_items.list, input_tokens.count, stream, parse, and
create_many (many requests with bounded concurrency, results in order).
Methods only describe requests; the client runs them."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

from .._call import Call, Events, split_options
from .._models import class_for, lazy, union_classes
from .._streaming import AsyncResponseStreamManager, ResponseStreamManager, _snapshot
from .._types import NOT_GIVEN, NotGiven
from ..pagination import AsyncPaginator, page_cast
from ._base import Resource, check_names

__all__ = ["Responses", "AsyncResponses", "parsed_response"]

CREATE_PARAMS = frozenset(
    """access_programs background background_options context_management conversation image include
    input instructions max_output_tokens max_tool_calls metadata model moderation parallel_tool_calls
    previous_response_id prompt prompt_cache_key prompt_cache_options prompt_cache_retention reasoning
    safety_identifier service_tier store stream stream_options temperature text tool_choice tools
    top_logprobs top_p truncation user""".split()
)

# -- how answers become objects ----------------------------------------------------


def _request_id(headers: Sequence[Any]) -> Optional[str]:
    for k, v in headers:
        if k.lower() == "x-request-id":
            return v  # type: ignore[no-any-return]
    return None


def cast_response(raw: Any, client: Any) -> Any:
    """A Response kept as bytes until a field is read; `output_text` was
    read in Rust while the body was skimmed for usage."""
    obj = lazy(class_for("Response"), raw.body, _request_id(raw.headers))
    if raw.output_text is not None:
        obj._rr_extra = raw.output_text
    return obj


def cast_model(name: str) -> Callable[[Any, Any], Any]:
    def cast(raw: Any, client: Any) -> Any:
        return lazy(class_for(name), raw.body, _request_id(raw.headers))

    return cast


def _cast_none(raw: Any, client: Any) -> None:
    return None


_EVENT_CLASSES: Dict[str, Any] = {}
_HELPER_CLASSES: Dict[str, Any] = {}


def event_classes() -> Dict[str, Any]:
    """`type` -> class for the events of a Responses stream (built once)."""
    if not _EVENT_CLASSES:
        _, members, _ = union_classes("ResponseStreamEvent")
        _EVENT_CLASSES.update(members)
    return _EVENT_CLASSES


def event_fallback() -> Any:
    # openai-python builds an unknown event as the union's first member.
    return union_classes("ResponseStreamEvent")[2]


def _events() -> Events:
    return Events(event_classes(), event_fallback())


def _helper_events() -> Events:
    return Events(helper_event_classes(), event_fallback(), snapshots=True)


def helper_event_classes() -> Dict[str, Any]:
    """`event_classes()` with text and arguments deltas that carry `.snapshot`."""
    if not _HELPER_CLASSES:
        classes = dict(event_classes())
        for kind, name in (
            ("response.output_text.delta", "ResponseTextDeltaEvent"),
            ("response.function_call_arguments.delta", "ResponseFunctionCallArgumentsDeltaEvent"),
        ):
            base = class_for(name)
            classes[kind] = type(
                name,
                (base,),
                {
                    "__slots__": (),
                    "__module__": "rapidresponse.lib.streaming.responses",
                    "snapshot": property(_snapshot, doc="The text (or arguments) so far, up to this event."),
                },
            )
        _HELPER_CLASSES.update(classes)
    return _HELPER_CLASSES


# -- parse(text_format=...) ---------------------------------------------------------

_PARSED_CLASSES: Dict[Any, Any] = {}


def _strict(schema: Any) -> Any:
    """A JSON schema as structured outputs want it: every object closed and
    every property required."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if out.get("type") == "object" or "properties" in out:
            out["additionalProperties"] = False
            out["required"] = list(out.get("properties", {}))
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def text_format_param(text_format: Any) -> Dict[str, Any]:
    if not hasattr(text_format, "model_json_schema"):
        raise TypeError(
            f"text_format must be a pydantic model class, got {text_format!r} (pip install pydantic)"
        )
    return {
        "format": {
            "type": "json_schema",
            "name": text_format.__name__,
            "schema": _strict(text_format.model_json_schema()),
            "strict": True,
        }
    }


def _output_parsed(self: Any) -> Any:
    text_format = type(self)._rr_text_format
    for item in self.output or ():
        if getattr(item, "type", None) != "message":
            continue
        for part in item.content or ():
            if getattr(part, "type", None) == "output_text" and part.text is not None:
                return text_format.model_validate_json(part.text)
    return None


def parsed_response(response: Any, text_format: Any) -> Any:
    """`response` as a ParsedResponse whose `output_parsed` is a `text_format` instance."""
    cls = _PARSED_CLASSES.get(text_format)
    if cls is None:
        cls = _PARSED_CLASSES[text_format] = type(
            "ParsedResponse",
            (class_for("Response"),),
            {
                "__slots__": (),
                "__module__": "rapidresponse.types.responses.parsed_response",
                "_rr_text_format": text_format,
                "output_parsed": property(_output_parsed),
            },
        )
    from .._models import _new

    obj = _new(cls, response._rr_data())
    rid = response._request_id
    if rid is not None:
        obj._request_id = rid
    return obj


# -- the calls ---------------------------------------------------------------------


def create_call(client: Any, params: Dict[str, Any], helper: bool = False) -> Call:
    options = split_options(params)
    check_names("create", params, CREATE_PARAMS)
    events = _helper_events if helper else _events
    return Call("responses.create", body=params, kwargs=options, events=events, cast=cast_response)


def retrieve_call(client: Any, response_id: str, params: Dict[str, Any], helper: bool = False) -> Call:
    options = split_options(params)
    check_names("retrieve", params, {"include", "include_obfuscation", "starting_after", "stream"})
    events = _helper_events if helper else _events
    return Call("responses.retrieve", response_id, query=params, kwargs=options, events=events, cast=cast_response)


class _ResponsesBase(Resource):
    def connect(
        self,
        *,
        extra_query: Optional[Dict[str, Any]] = None,
        extra_headers: Optional[Dict[str, Any]] = None,
        websocket_connection_options: Optional[Dict[str, Any]] = None,
        on_reconnecting: Optional[Callable[[Any], Any]] = None,
        max_retries: int = 5,
        initial_delay: float = 0.5,
        max_delay: float = 8.0,
        max_queue_size: int = 1_048_576,
    ) -> Any:
        """The WebSocket mode: `with client.responses.connect() as connection:`
        (`async with` for AsyncOpenAI), then `connection.response.create(...)`
        and `for event in connection`. With `on_reconnecting`, a recoverable
        close opens the connection again (the handler is asked first);
        what was in flight is never re-sent."""
        from .._websocket import (
            AsyncResponsesConnectionManager,
            ResponsesConnectionManager,
            connect_spec,
            reconnect_hook,
        )

        reconnect = None
        hook = None
        if on_reconnecting is not None:
            reconnect = {"max_retries": max_retries, "initial_delay": initial_delay, "max_delay": max_delay}
            hook = reconnect_hook(on_reconnecting, extra_query, extra_headers)
        spec = connect_spec(extra_query, extra_headers, websocket_connection_options, reconnect, max_queue_size)
        manager = AsyncResponsesConnectionManager if self._client._is_async else ResponsesConnectionManager
        return manager(self._client, spec, hook)

    @property
    def input_items(self) -> Any:
        return (AsyncInputItems if self._client._is_async else InputItems)(self._client, self._mode)

    @property
    def input_tokens(self) -> Any:
        return (AsyncInputTokens if self._client._is_async else InputTokens)(self._client, self._mode)

    def _delete_call(self, response_id: str, params: Dict[str, Any]) -> Call:
        options = split_options(params)
        check_names("delete", params, ())
        return Call("responses.delete", response_id, kwargs=options, cast=_cast_none)

    def _cancel_call(self, response_id: str, params: Dict[str, Any]) -> Call:
        options = split_options(params)
        check_names("cancel", params, ())
        return Call("responses.cancel", response_id, kwargs=options, cast=cast_response)

    def _compact_call(self, params: Dict[str, Any]) -> Call:
        options = split_options(params)
        return Call("responses.compact", body=params, kwargs=options, cast=cast_model("CompactedResponse"))

    def _stream_call(self, params: Dict[str, Any]) -> Any:
        text_format = params.pop("text_format", NOT_GIVEN)
        response_id = params.pop("response_id", NOT_GIVEN)
        if not isinstance(text_format, NotGiven):
            params["text"] = text_format_param(text_format)
        else:
            text_format = None
        if not isinstance(response_id, NotGiven):
            extra = {k: params.pop(k) for k in list(params) if k in ("extra_headers", "extra_query", "extra_body", "timeout")}
            keep = {k: params.pop(k) for k in list(params) if k in ("include", "starting_after")}
            if params:
                raise ValueError(
                    f"responses.stream() with response_id takes no creation parameters (got {sorted(params)})"
                )
            call = retrieve_call(self._client, response_id, {**keep, **extra, "stream": True}, helper=True)
        else:
            params["stream"] = True
            call = create_call(self._client, params, helper=True)
        return call, text_format


class Responses(_ResponsesBase):
    """`client.responses` of `OpenAI`."""

    def create(self, **params: Any) -> Any:
        """POST /responses: a Response, or a Stream of events with `stream=True`."""
        return self._run(create_call(self._client, params))

    def retrieve(self, response_id: str, **params: Any) -> Any:
        """GET /responses/{id}; with `stream=True` (and `starting_after`) its events."""
        return self._run(retrieve_call(self._client, response_id, params))

    def delete(self, response_id: str, **params: Any) -> None:
        return self._run(self._delete_call(response_id, params))  # type: ignore[no-any-return]

    def cancel(self, response_id: str, **params: Any) -> Any:
        return self._run(self._cancel_call(response_id, params))

    def compact(self, **params: Any) -> Any:
        return self._run(self._compact_call(params))

    def stream(self, **params: Any) -> ResponseStreamManager:
        """`with client.responses.stream(model=..., input=...) as stream:` (or
        `response_id=` to follow a background response)."""
        call, text_format = self._stream_call(params)
        return ResponseStreamManager(lambda: self._client._run(call), text_format)

    def parse(self, *, text_format: Any, **params: Any) -> Any:
        """create() with structured output: `output_parsed` is a `text_format` instance."""
        params["text"] = text_format_param(text_format)
        return parsed_response(self.create(**params), text_format)

    def create_many(
        self, requests: Sequence[Dict[str, Any]], *, concurrency: int = 8
    ) -> List[Any]:
        """Runs many create() calls, at most `concurrency` at once; returns
        their results in input order, an exception object where one failed."""
        from concurrent.futures import ThreadPoolExecutor  # here: a slow import

        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")

        def one(kwargs: Dict[str, Any]) -> Any:
            try:
                return self.create(**dict(kwargs))
            except Exception as e:  # per-item errors are results
                return e

        if not requests:
            return []
        with ThreadPoolExecutor(max_workers=min(concurrency, len(requests))) as pool:
            return list(pool.map(one, requests))


class AsyncResponses(_ResponsesBase):
    """`client.responses` of `AsyncOpenAI`."""

    def create(self, **params: Any) -> Any:
        return self._run(create_call(self._client, params))

    def retrieve(self, response_id: str, **params: Any) -> Any:
        return self._run(retrieve_call(self._client, response_id, params))

    def delete(self, response_id: str, **params: Any) -> Any:
        return self._run(self._delete_call(response_id, params))

    def cancel(self, response_id: str, **params: Any) -> Any:
        return self._run(self._cancel_call(response_id, params))

    def compact(self, **params: Any) -> Any:
        return self._run(self._compact_call(params))

    def stream(self, **params: Any) -> AsyncResponseStreamManager:
        call, text_format = self._stream_call(params)
        return AsyncResponseStreamManager(lambda: self._client._arun(call), text_format)

    async def parse(self, *, text_format: Any, **params: Any) -> Any:
        params["text"] = text_format_param(text_format)
        return parsed_response(await self.create(**params), text_format)

    async def create_many(
        self, requests: Sequence[Dict[str, Any]], *, concurrency: int = 8
    ) -> List[Any]:
        """asyncio.gather done right: at most `concurrency` requests in
        flight, results in input order, an exception object where one failed."""
        import asyncio  # here: importing asyncio costs ~30 ms, most users never need it

        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        gate = asyncio.Semaphore(concurrency)

        async def one(kwargs: Dict[str, Any]) -> Any:
            async with gate:
                try:
                    return await self.create(**dict(kwargs))
                except Exception as e:  # per-item errors are results
                    return e

        return list(await asyncio.gather(*(one(r) for r in requests)))


# -- nested resources -----------------------------------------------------------------


def _list_call(client: Any, response_id: str, params: Dict[str, Any]) -> Call:
    options = split_options(params)
    check_names("list", params, {"after", "include", "limit", "order", "before"})
    return Call(
        "responses.input_items.list",
        response_id,
        query=params,
        kwargs=options,
        cast=page_cast("ResponseItem", lambda after: _list_call(client, response_id, {**params, **options, "after": after})),
    )


class InputItems(Resource):
    def list(self, response_id: str, **params: Any) -> Any:
        """GET /responses/{id}/input_items: a page; iterating it walks every page."""
        return self._run(_list_call(self._client, response_id, params))


class AsyncInputItems(Resource):
    def list(self, response_id: str, **params: Any) -> Any:
        """Await it for the first page, or `async for` over every item."""
        call = _list_call(self._client, response_id, params)
        if self._mode != "parse":
            return self._run(call)
        return AsyncPaginator(self._client, call)


def _count_call(params: Dict[str, Any]) -> Call:
    options = split_options(params)
    return Call(
        "responses.input_tokens.count", body=params, kwargs=options, cast=cast_model("InputTokenCountResponse")
    )


class InputTokens(Resource):
    def count(self, **params: Any) -> Any:
        """POST /responses/input_tokens."""
        return self._run(_count_call(params))


class AsyncInputTokens(Resource):
    def count(self, **params: Any) -> Any:
        return self._run(_count_call(params))
