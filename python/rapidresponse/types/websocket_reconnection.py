"""openai-python's reconnect types for `responses.connect(on_reconnecting=...)`:
what the handler is told before each attempt, and what it may answer. Which
close codes reconnect is the Rust core's decision (`is_recoverable_close`)."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, TypedDict

__all__ = ["ReconnectingEvent", "ReconnectingOverrides", "is_recoverable_close"]


@dataclasses.dataclass(frozen=True)
class ReconnectingEvent:
    """A reconnect attempt, passed to the `on_reconnecting` handler."""

    attempt: int
    """Which attempt this is (1-based)."""
    max_attempts: int
    delay: float
    """Seconds before this attempt connects."""
    close_code: int
    """The WebSocket close code that started the reconnect."""
    extra_query: Dict[str, Any]
    extra_headers: Dict[str, Any]


class ReconnectingOverrides(TypedDict, total=False):
    """What the handler may return: new query or headers for the next
    attempt, or `abort=True` to stop reconnecting."""

    extra_query: Dict[str, Any]
    extra_headers: Dict[str, Any]
    abort: bool


def is_recoverable_close(code: int) -> bool:
    """Whether a connection closed with `code` is opened again."""
    from .._native import is_recoverable_close as native

    return bool(native(code))
