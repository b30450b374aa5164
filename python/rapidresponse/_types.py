"""Sentinels and option types shaped like openai-python's: NOT_GIVEN /
NotGiven (an argument left out), Omit / omit (a default header removed),
and Timeout (httpx's shape: connect, read, write, pool). No behaviour."""

from __future__ import annotations

from typing import Any, Optional, Union

__all__ = ["NOT_GIVEN", "NotGiven", "not_given", "Omit", "omit", "Timeout", "DEFAULT_TIMEOUT"]


class NotGiven:
    """An argument that was not passed (distinct from None, which is sent as null)."""

    _instance: Optional["NotGiven"] = None

    def __new__(cls) -> "NotGiven":
        # One instance, so `is NOT_GIVEN` works after copies and pickling.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> Any:
        return (NotGiven, ())


NOT_GIVEN = NotGiven()
not_given = NOT_GIVEN


class Omit:
    """Removes a default (a header, a parameter) from a request."""

    _instance: Optional["Omit"] = None

    def __new__(cls) -> "Omit":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "Omit()"


omit = Omit()


class Timeout:
    """Timeouts in seconds, as httpx.Timeout: `Timeout(600, connect=5.0)`.
    `connect` bounds connecting; `read` the wait for the response and the
    longest silence between stream chunks; `write` and `pool` are accepted
    for compatibility (the Rust transport has no separate limits for them)."""

    __slots__ = ("connect", "read", "write", "pool")

    def __init__(
        self,
        timeout: Union[float, None, "Timeout", NotGiven] = NOT_GIVEN,
        *,
        connect: Union[float, None, NotGiven] = NOT_GIVEN,
        read: Union[float, None, NotGiven] = NOT_GIVEN,
        write: Union[float, None, NotGiven] = NOT_GIVEN,
        pool: Union[float, None, NotGiven] = NOT_GIVEN,
    ) -> None:
        if isinstance(timeout, Timeout):
            base: tuple = (timeout.connect, timeout.read, timeout.write, timeout.pool)  # type: ignore[type-arg]
        elif isinstance(timeout, NotGiven):
            if any(isinstance(v, NotGiven) for v in (connect, read, write, pool)):
                raise ValueError(
                    "Timeout needs either a default, e.g. Timeout(10.0), or all four values set explicitly"
                )
            base = (None, None, None, None)
        else:
            base = (timeout,) * 4
        values = [b if isinstance(v, NotGiven) else v for v, b in zip((connect, read, write, pool), base)]
        for v in values:
            if v is not None and (not isinstance(v, (int, float)) or v < 0):
                raise ValueError(f"a timeout must be None or a non-negative number of seconds, got {v!r}")
        self.connect, self.read, self.write, self.pool = values

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeout) and (self.connect, self.read, self.write, self.pool) == (
            other.connect,
            other.read,
            other.write,
            other.pool,
        )

    def __repr__(self) -> str:
        if len({self.connect, self.read, self.write, self.pool}) == 1:
            return f"Timeout(timeout={self.connect})"
        return f"Timeout(connect={self.connect}, read={self.read}, write={self.write}, pool={self.pool})"


DEFAULT_TIMEOUT = Timeout(600.0, connect=5.0)


def check_timeout(timeout: Any) -> Any:
    """A `timeout=` value as given (a number of seconds, a Timeout, or None
    for no limit); another type is a TypeError now, not on the first call."""
    if timeout is None or isinstance(timeout, Timeout):
        return timeout
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        if timeout < 0:
            raise ValueError(f"a timeout must be None or a non-negative number of seconds, got {timeout!r}")
        return float(timeout)
    raise TypeError(f"timeout must be a float, a Timeout or None, not {type(timeout).__name__}")
