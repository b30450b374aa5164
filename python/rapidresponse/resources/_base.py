"""What every resource shares: its client, and the mode its calls run in
(parsed objects, `with_raw_response`, or `with_streaming_response`)."""

from __future__ import annotations

from typing import Any, Dict, Iterable

from .._call import Call

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
        return self._client._run(call, self._mode)


def check_names(method: str, params: Dict[str, Any], known: Iterable[str]) -> None:
    """A TypeError for a keyword the method does not take, as Python gives one."""
    unknown = set(params).difference(known)
    if unknown:
        raise TypeError(f"{method}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
