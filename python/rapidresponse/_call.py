"""What a resource method describes: a `Call` names an operation of the Rust
core's endpoint table (`responses.create`, `get`, ...) with its path
parameters, query, body and per-call options, and says how its answer
becomes the SDK's object. It builds no path, query string or header list:
the core does, as openai-python would send them."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

__all__ = ["Call", "Events", "split_options", "timeout_json"]


class Events:
    """The classes a stream's events become (`classes[type]`, else
    `fallback`; a None fallback keeps plain values); with `snapshots`,
    text and arguments deltas carry `.snapshot`."""

    __slots__ = ("classes", "fallback", "snapshots")

    def __init__(self, classes: Dict[str, Any], fallback: Any, snapshots: bool = False) -> None:
        self.classes = classes
        self.fallback = fallback
        self.snapshots = snapshots


class Call:
    """One call of a resource method and how to read its answer."""

    __slots__ = (
        "op", "params", "query", "body", "stream", "kwargs", "options", "events", "make_events", "cast", "stream_cls",
        "post_stream",
    )  # fmt: skip

    def __init__(
        self,
        op: str,
        *params: str,
        query: Optional[Dict[str, Any]] = None,
        body: Any = None,
        kwargs: Optional[Dict[str, Any]] = None,
        events: Optional[Callable[[], Events]] = None,
        cast: Optional[Callable[[Any, Any], Any]] = None,
        stream_cls: Any = None,
        post_stream: Optional[Callable[[Any], Any]] = None,
        stream: bool = False,
    ) -> None:
        self.op = op
        self.params: List[str] = list(params)
        self.query = query
        self.body = body
        self.stream = stream
        # extra_headers / extra_query / extra_body / timeout / max_retries
        self.kwargs = kwargs or {}
        # Filled in by the runner: the native call description and `Events`.
        self.options: Any = None
        self.events: Optional[Events] = None
        self.make_events = events
        # cast(raw_response, client) -> the object the SDK method returns.
        self.cast = cast
        # The stream class when the answer is a stream (Stream or AsyncStream).
        self.stream_cls = stream_cls
        self.post_stream = post_stream


def split_options(params: Dict[str, Any]) -> Dict[str, Any]:
    """Takes extra_headers / extra_query / extra_body / timeout out of a method's kwargs."""
    from ._types import NOT_GIVEN

    return {
        "extra_headers": params.pop("extra_headers", None),
        "extra_query": params.pop("extra_query", None),
        "extra_body": params.pop("extra_body", None),
        "timeout": params.pop("timeout", NOT_GIVEN),
    }


def timeout_json(timeout: Any) -> Any:
    """A `timeout=` value as the native client reads it: seconds, None (no
    limit), or a Timeout's {connect, read}."""
    from ._types import Timeout

    if isinstance(timeout, Timeout):
        return {"connect": timeout.connect, "read": timeout.read}
    return timeout


def headers_json(headers: Any) -> Dict[str, Any]:
    """Headers with Omit / NOT_GIVEN as None: the native client removes those."""
    from ._types import NotGiven, Omit

    return {k: None if isinstance(v, (Omit, NotGiven)) else v for k, v in (headers or {}).items()}
