"""The little of httpx's Request, Response and Headers that exceptions and
raw responses expose (`e.response.headers`, `e.request.url`,
`raw.http_response.status_code`). The transport is Rust's; these only
describe what it sent and received."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

__all__ = ["Headers", "Request", "Response"]


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only headers; repeated ones joined with ", "."""

    __slots__ = ("_items", "_index")

    def __init__(self, items: Iterable[Tuple[str, str]] = ()) -> None:
        self._items: List[Tuple[str, str]] = list(items)
        index: Dict[str, str] = {}
        for k, v in self._items:
            key = k.lower()
            index[key] = f"{index[key]}, {v}" if key in index else v
        self._index = index

    def __getitem__(self, key: str) -> str:
        return self._index[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def get_list(self, key: str) -> List[str]:
        key = key.lower()
        return [v for k, v in self._items if k.lower() == key]

    def multi_items(self) -> List[Tuple[str, str]]:
        return list(self._items)

    def raw(self) -> List[Tuple[bytes, bytes]]:
        return [(k.encode(), v.encode()) for k, v in self._items]

    def __repr__(self) -> str:
        # Credentials never print.
        shown = {
            k: ("[secret]" if k in ("authorization", "api-key") else v) for k, v in self._index.items()
        }
        return f"Headers({shown!r})"


class Request:
    """What was sent: method, url, headers (credentials are not kept)."""

    __slots__ = ("method", "url", "headers")

    def __init__(self, method: str, url: str, headers: Optional[Headers] = None) -> None:
        self.method = method
        self.url = url
        self.headers = headers if headers is not None else Headers()

    def __repr__(self) -> str:
        return f"<Request({self.method!r}, {self.url!r})>"


class Response:
    """What came back: status_code, headers, the body (content/text/json())."""

    __slots__ = ("status_code", "headers", "request", "content")

    def __init__(self, status_code: int, headers: Headers, request: Request, content: bytes = b"") -> None:
        self.status_code = status_code
        self.headers = headers
        self.request = request
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def reason_phrase(self) -> str:
        from http import HTTPStatus

        try:
            return HTTPStatus(self.status_code).phrase
        except ValueError:
            return ""

    @property
    def url(self) -> str:
        return self.request.url

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        size = chunk_size or 65536
        for i in range(0, len(self.content), size):
            yield self.content[i : i + size]

    def iter_lines(self) -> Iterator[str]:
        yield from self.text.splitlines()

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}]>"
