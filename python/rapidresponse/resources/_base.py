"""What every resource shares: its client, and the mode its calls run in
(parsed objects, `with_raw_response`, or `with_streaming_response`)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .._client import Call

__all__ = ["Resource", "check_names"]


class Resource:
    """A group of methods bound to a client."""

    def __init__(self, client: Any, mode: str = "parse") -> None:
        self._client = client
        self._mode = mode

    @property
    def with_raw_response(self) -> Any:
        """The same methods, returning the raw answer (`.parse()`, `.headers`, ...)."""
        return type(self)(self._client, "raw")

    @property
    def with_streaming_response(self) -> Any:
        """The same methods as context managers over the raw answer."""
        return type(self)(self._client, "stream_ctx")

    def _run(self, call: Call) -> Any:
        mode = self._mode
        if mode == "stream_ctx" and not self._client._is_async:
            return _StreamedResponseContext(lambda: self._client._run(call, "raw"))
        return self._client._run(call, mode)


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


def check_names(method: str, params: Dict[str, Any], known: Iterable[str]) -> None:
    """A TypeError for a keyword the method does not take, as Python gives one."""
    unknown = set(params).difference(known)
    if unknown:
        raise TypeError(f"{method}() got an unexpected keyword argument {sorted(unknown)[0]!r}")


def quote(segment: str) -> str:
    from urllib.parse import quote as _quote

    if not isinstance(segment, str) or not segment:
        raise ValueError(f"Expected a non-empty value for an id but received {segment!r}")
    return _quote(segment, safe="")


def optional_query(**values: Optional[Any]) -> list:  # type: ignore[type-arg]
    """Query pairs for the given values that are set; lists become `name[]` pairs."""
    from .._types import NotGiven

    out = []
    for name, value in values.items():
        if value is None or isinstance(value, NotGiven):
            continue
        if isinstance(value, (list, tuple)):
            out.extend((f"{name}[]", str(v)) for v in value)
        elif isinstance(value, bool):
            out.append((name, "true" if value else "false"))
        else:
            out.append((name, str(value)))
    return out
