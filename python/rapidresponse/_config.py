"""The clients' configuration: openai-python's constructor parameters and
environment variables, `copy()` / `with_options()`, and the settings the
native client is built from. A copy's native client shares the original's
connections and usage totals. No request is built here."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Mapping, Optional, Union

from . import _native
from ._exceptions import OpenAIError
from ._types import DEFAULT_TIMEOUT, NOT_GIVEN, NotGiven, Timeout, check_timeout

__all__ = ["Config", "DEFAULT_MAX_RETRIES", "DEFAULT_BASE_URL"]

DEFAULT_MAX_RETRIES = 2
DEFAULT_BASE_URL = "https://api.openai.com/v1"


def _user_agent(async_: bool) -> str:
    from . import __version__

    return f"rapidresponse-python/{__version__}" + (" async" if async_ else "")


def _custom_headers_from_env() -> Dict[str, str]:
    """OPENAI_CUSTOM_HEADERS: one `Name: value` per line."""
    out: Dict[str, str] = {}
    for line in os.environ.get("OPENAI_CUSTOM_HEADERS", "").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            out[name.strip()] = value.strip()
    return out


class Config:
    """What OpenAI and AsyncOpenAI share: their settings."""

    _is_async = False

    api_key: str
    organization: Optional[str]
    project: Optional[str]
    webhook_secret: Optional[str]
    base_url: str
    timeout: Any
    max_retries: int

    def __init__(
        self,
        *,
        api_key: Union[str, Callable[[], Any], None] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        webhook_secret: Optional[str] = None,
        base_url: Optional[str] = None,
        websocket_base_url: Optional[str] = None,
        timeout: Union[float, Timeout, None, NotGiven] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        http_client: Any = None,
        _strict_response_validation: bool = False,
        **unsupported: Any,
    ) -> None:
        # What an httpx client sets that the Rust transport can carry (a
        # TypeError names what it cannot).
        network, timeout, default_headers, default_query = _from_http_client(
            http_client, timeout, default_headers, default_query
        )
        self._network: Optional[Dict[str, Any]] = network
        for name in ("admin_api_key", "workload_identity", "provider", "data_residency"):
            unsupported.pop(name, None)
        retry_delay_scale = unsupported.pop("_retry_delay_scale", 1.0)
        # Ours (openai-python has no limit): the largest whole body accepted,
        # 256 MiB when not given; a longer one is an APIConnectionError.
        max_body_bytes = unsupported.pop("max_body_bytes", None)
        if max_body_bytes is not None and (not isinstance(max_body_bytes, int) or max_body_bytes <= 0):
            raise ValueError(f"max_body_bytes must be a positive int, got {max_body_bytes!r}")
        self._max_body_bytes: Optional[int] = max_body_bytes
        if unsupported:
            name = next(iter(unsupported))
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument {name!r}")
        if api_key is None:
            api_key = os.environ.get("OPENAI_API_KEY")
        if api_key is None:
            raise OpenAIError(
                "The api_key client option must be set either by passing api_key to the client "
                "or by setting the OPENAI_API_KEY environment variable"
            )
        self._set_key(api_key)
        if organization is None:
            organization = os.environ.get("OPENAI_ORG_ID")
        if project is None:
            project = os.environ.get("OPENAI_PROJECT_ID")
        if webhook_secret is None:
            webhook_secret = os.environ.get("OPENAI_WEBHOOK_SECRET")
        if base_url is None:
            base_url = os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.organization = organization
        self.project = project
        self.webhook_secret = webhook_secret
        self.websocket_base_url = websocket_base_url
        self._setup(
            base_url=str(base_url),
            timeout=timeout,
            max_retries=max_retries,
            default_headers={**_custom_headers_from_env(), **(default_headers or {})},
            default_query=dict(default_query or {}),
            retry_delay_scale=retry_delay_scale,
        )
        self._native_parent: Any = None

    def _set_key(self, api_key: Union[str, Callable[[], Any]]) -> None:
        # A callable key is called per request (openai-python's behaviour).
        self._api_key_provider: Optional[Callable[[], Any]] = api_key if callable(api_key) else None
        self.api_key = "" if callable(api_key) else api_key

    def _setup(
        self,
        *,
        base_url: str,
        timeout: Any,
        max_retries: Any,
        default_headers: Dict[str, Any],
        default_query: Dict[str, Any],
        retry_delay_scale: float = 1.0,
    ) -> None:
        if max_retries is None:
            raise TypeError("max_retries cannot be None. If you want to disable retries, pass `0`")
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative int, got {max_retries!r}")
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else check_timeout(timeout)
        self.max_retries = max_retries
        self._custom_headers: Dict[str, Any] = default_headers
        self._custom_query: Dict[str, Any] = default_query
        self._retry_delay_scale = retry_delay_scale
        self._native_client: Any = None

    # -- the native client (built on first use: construction stays cheap) --

    def _settings(self) -> Dict[str, Any]:
        """What the native client is built from (rapidresponse::settings::Settings)."""
        from ._call import headers_json, timeout_json

        return {
            "base_url": self.base_url.rstrip("/"),
            "api_key": self.api_key or None,
            "organization": self.organization,
            "project": self.project,
            "default_headers": headers_json(self._custom_headers),
            "default_query": self._custom_query,
            "timeout": timeout_json(self.timeout),
            "max_retries": self.max_retries,
            "azure": None,
            "user_agent": _user_agent(self._is_async),
            "retry_delay_scale": self._retry_delay_scale,
            "max_body_bytes": self._max_body_bytes,
            "websocket_base_url": self.websocket_base_url,
            "network": self._network,
        }

    def _native(self) -> Any:
        native = self._native_client
        if native is None:
            parent = self._native_parent
            if parent is not None:
                native = parent._native().derive(self._settings())
            else:
                native = _native.NativeClient(self._settings())
            self._native_client = native
        return native

    @property
    def default_headers(self) -> Dict[str, Any]:
        return dict(self._custom_headers)

    @property
    def default_query(self) -> Dict[str, Any]:
        return dict(self._custom_query)

    @property
    def auth_headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    # -- copies ----------------------------------------------------------

    def copy(
        self,
        *,
        api_key: Union[str, Callable[[], Any], None] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        webhook_secret: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Union[float, Timeout, None, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        default_headers: Optional[Mapping[str, str]] = None,
        set_default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        set_default_query: Optional[Mapping[str, object]] = None,
        http_client: Any = None,
        **rest: Any,
    ) -> Any:
        """A new client with some options changed; it shares the connection
        pool and the usage totals."""
        network, timeout, default_headers, default_query = _from_http_client(
            http_client, timeout, default_headers, default_query
        )
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("The `default_headers` and `set_default_headers` arguments are mutually exclusive")
        if default_query is not None and set_default_query is not None:
            raise ValueError("The `default_query` and `set_default_query` arguments are mutually exclusive")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        # Resources are bound to their client: the copy gets its own.
        for cached in ("_responses", "_conversations", "_webhooks", "_models", "_chat", "_completions"):
            new.__dict__.pop(cached, None)
        if api_key is not None:
            new._set_key(api_key)
        if organization is not None:
            new.organization = organization
        if project is not None:
            new.project = project
        if webhook_secret is not None:
            new.webhook_secret = webhook_secret
        if base_url is not None:
            new.base_url = str(base_url).rstrip("/") + "/"
        new._copy_extra(rest)
        headers = dict(set_default_headers) if set_default_headers is not None else dict(self._custom_headers)
        headers.update(default_headers or {})
        query = dict(set_default_query) if set_default_query is not None else dict(self._custom_query)
        query.update(default_query or {})
        new._setup(
            base_url=new.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=headers,
            default_query=query,
            retry_delay_scale=self._retry_delay_scale,
        )
        new._native_parent = self
        if http_client is not None:
            # Another transport: a native client of its own.
            new._network = network
            new._native_parent = None
        return new

    with_options = copy

    def _copy_extra(self, rest: Dict[str, Any]) -> None:
        if rest:
            raise TypeError(f"copy() got an unexpected keyword argument {next(iter(rest))!r}")

    # -- beyond openai-python --------------------------------------------

    @property
    def usage(self) -> Any:
        """Token totals of every call made through this client (and its
        copies), with a cost estimate (None when a model has no price)."""
        from ._usage import Usage

        return Usage(self._native().usage())

    def set_price(self, model: str, *, input: float, output: float, cached_input: Optional[float] = None) -> None:
        """Sets a model's price in USD per million tokens (for `usage.cost_usd`)."""
        self._native().set_price(model, input, output, cached_input)


def _from_http_client(
    http_client: Any, timeout: Any, default_headers: Any, default_query: Any
) -> Any:
    """openai-python's `http_client=` as native settings: its network
    settings, and its timeout, headers and query under the explicit ones."""
    if http_client is None:
        return None, timeout, default_headers, default_query
    from ._http_client import UNSET, translate

    t = translate(http_client)
    if isinstance(timeout, NotGiven) and t.timeout is not UNSET:
        timeout = t.timeout
    if t.headers:
        default_headers = {**t.headers, **(default_headers or {})}
    if t.query:
        default_query = {**t.query, **(default_query or {})}
    return t.network or None, timeout, default_headers, default_query
