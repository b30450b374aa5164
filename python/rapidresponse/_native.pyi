"""The Rust extension: converts between Python objects and the Rust client.
The SDK-shaped API is the Python layer's; this is its contract."""

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, final

__all__ = [
    "MockServer",
    "NativeClient",
    "NativeError",
    "NativeStream",
    "RawResponse",
    "__version__",
    "_panic_for_tests",
    "configure",
    "enable_logging",
    "load_profile",
    "output_text",
    "quiesce",
]

__version__: str

_Timeouts = Tuple[Optional[float], Optional[float], Optional[float]]
_Options = Tuple[Optional[_Timeouts], Optional[int], List[Tuple[str, str]], List[Tuple[str, str]]]
_Azure = Tuple[Optional[str], Optional[str], Optional[str], Optional[str], Optional[str]]

class NativeError(Exception):
    """A failure of the Rust client; args[0] is a dict (kind, message, status, headers, ...)."""

@final
class RawResponse:
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> List[Tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def retries_taken(self) -> int: ...
    @property
    def output_text(self) -> Optional[str]: ...

@final
class NativeStream:
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> List[Tuple[str, str]]: ...
    def next_batch(self) -> Optional[List[Any]]: ...
    def next_batch_async(self) -> Any: ...
    def close(self) -> None: ...
    def snapshot(self) -> Optional[bytes]: ...
    def part_text(self, output_index: int, content_index: int) -> Optional[str]: ...
    def arguments(self, output_index: int) -> Optional[str]: ...

@final
class NativeClient:
    def __new__(
        cls,
        *,
        base_url: str,
        api_key: Optional[str] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        default_headers: Sequence[Tuple[str, str]] = ...,
        default_query: Sequence[Tuple[str, str]] = ...,
        timeout: _Timeouts = ...,
        max_retries: int = 2,
        azure: Optional[_Azure] = None,
        token_provider: Optional[Callable[[], str]] = None,
        user_agent: Optional[str] = None,
        retry_delay_scale: float = 1.0,
    ) -> "NativeClient": ...
    def request(
        self,
        method: str,
        path: str,
        query: Sequence[Tuple[str, str]],
        body: Any,
        model: Optional[str],
        options: _Options,
        usage: Optional[str] = None,
    ) -> RawResponse: ...
    def request_async(
        self,
        method: str,
        path: str,
        query: Sequence[Tuple[str, str]],
        body: Any,
        model: Optional[str],
        options: _Options,
        usage: Optional[str] = None,
    ) -> Any: ...
    def stream(
        self,
        method: str,
        path: str,
        query: Sequence[Tuple[str, str]],
        body: Any,
        model: Optional[str],
        options: _Options,
        kind: str,
        classes: Dict[str, type],
        fallback: Any,
        background: bool = False,
        starting_after: Optional[int] = None,
    ) -> NativeStream: ...
    def stream_async(
        self,
        method: str,
        path: str,
        query: Sequence[Tuple[str, str]],
        body: Any,
        model: Optional[str],
        options: _Options,
        kind: str,
        classes: Dict[str, type],
        fallback: Any,
        background: bool = False,
        starting_after: Optional[int] = None,
    ) -> Any: ...
    def usage(self) -> Dict[str, Any]: ...
    def set_price(self, model: str, input: float, output: float, cached_input: Optional[float] = None) -> None: ...

@final
class MockServer:
    def __new__(cls, *, api_key: Optional[str] = None, port: Optional[int] = None) -> "MockServer": ...
    @property
    def url(self) -> str: ...
    @property
    def root_url(self) -> str: ...
    @property
    def port(self) -> int: ...
    def push_fault(self, spec: str) -> None: ...
    def push_replay(self, body: bytes, *, status: int = 200, content_type: str = "text/event-stream") -> None: ...
    def requests(self) -> List[Dict[str, Any]]: ...
    def stop(self) -> None: ...
    def __enter__(self) -> "MockServer": ...
    def __exit__(self, *_args: object) -> None: ...

def configure(model_class: Any, error_class: Any, *skip: Any) -> None: ...
def output_text(body: bytes) -> Optional[str]: ...
def enable_logging(level: str) -> bool: ...
def quiesce(timeout: float) -> bool: ...
def load_profile(name: Optional[str] = None) -> Dict[str, Any]: ...
def _panic_for_tests() -> None: ...
