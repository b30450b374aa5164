"""Raw responses: what `with_raw_response` and `with_streaming_response`
give (openai-python's LegacyAPIResponse / APIResponse): the status,
headers, request id and retries taken, and `.parse()` for the object the
plain call returns. The body was read by the Rust client already."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterator, Optional

from ._http import Headers, Request, Response

__all__ = ["LegacyAPIResponse", "APIResponse"]


class LegacyAPIResponse:
    """An answer before parsing: `.headers`, `.status_code`, `.request_id`,
    `.retries_taken`, `.http_response`, `.content` / `.text` / `.json()`,
    and `.parse()`."""

    def __init__(self, raw: Any, parse: Callable[[], Any]) -> None:
        self._parse = parse
        self._parsed: Any = None
        self._done = False
        request = Request(raw.method, raw.url)
        self.http_response = Response(raw.status, Headers(raw.headers), request, getattr(raw, "body", b""))
        self.retries_taken: int = getattr(raw, "retries_taken", 0)

    @classmethod
    def for_stream(cls, handle: Any, stream: Any) -> "LegacyAPIResponse":
        return cls(handle, lambda: stream)

    def parse(self, *, to: Any = None) -> Any:
        """The object the call returns without `with_raw_response` (parsed once)."""
        if not self._done:
            self._parsed = self._parse()
            self._done = True
        if to is not None and hasattr(to, "model_validate") and not isinstance(self._parsed, to):
            return to.model_validate(self.json())
        return self._parsed

    @property
    def headers(self) -> Headers:
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def request_id(self) -> Optional[str]:
        return self.headers.get("x-request-id")

    @property
    def rate_limit(self) -> Optional[Dict[str, Any]]:
        """Beyond openai-python: the x-ratelimit-* headers as numbers
        (limit/remaining for requests and tokens, reset as sent), or None."""
        return rate_limit(self.headers)

    @property
    def http_request(self) -> Request:
        return self.http_response.request

    @property
    def url(self) -> str:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_request.method

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        return json.loads(self.content)

    # APIResponse's (streaming) reading methods, over the body already read.
    def read(self) -> bytes:
        return self.content

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        return self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: Optional[int] = None) -> Iterator[str]:
        for chunk in self.iter_bytes(chunk_size):
            yield chunk.decode("utf-8", errors="replace")

    def iter_lines(self) -> Iterator[str]:
        return self.http_response.iter_lines()

    def close(self) -> None:
        if self._done and hasattr(self._parsed, "close") and not hasattr(self._parsed, "_rr_data"):
            self._parsed.close()

    async def aclose(self) -> None:
        if self._done and hasattr(self._parsed, "close") and not hasattr(self._parsed, "_rr_data"):
            result = self._parsed.close()
            if hasattr(result, "__await__"):
                await result

    def __enter__(self) -> "LegacyAPIResponse":
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<LegacyAPIResponse [{self.status_code}] {self.method} {self.url}>"


def rate_limit(headers: Any) -> Optional[Dict[str, Any]]:
    """The x-ratelimit-* headers: limit_/remaining_ requests and tokens as
    ints, reset_ values as sent ("1s", "6m0s")."""
    out: Dict[str, Any] = {}
    for kind in ("requests", "tokens"):
        for part in ("limit", "remaining", "reset"):
            value = headers.get(f"x-ratelimit-{part}-{kind}")
            if value is not None and part != "reset":
                try:
                    value = int(value)
                except ValueError:
                    pass
            out[f"{part}_{kind}"] = value
    return out if any(v is not None for v in out.values()) else None


# with_streaming_response gives the same object (the body is in memory).
APIResponse = LegacyAPIResponse
