"""The clients: OpenAI, AsyncOpenAI, AzureOpenAI, AsyncAzureOpenAI, with
openai-python's constructor parameters, environment variables,
`with_options`, context managers and raw `get`/`post`/`delete`. A call is
described by a `Call` (method, path, body, how to read the answer) and run
by the Rust client (`_native.NativeClient`): retries, timeouts, streaming
and errors happen there. The transport is Rust's, so `http_client=` is
refused."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from . import _native
from ._exceptions import OpenAIError, convert
from ._http import Headers, Request, Response
from ._types import DEFAULT_TIMEOUT, NOT_GIVEN, NotGiven, Omit, Timeout, timeout_tuple

__all__ = ["OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI", "DEFAULT_MAX_RETRIES"]

DEFAULT_MAX_RETRIES = 2
DEFAULT_BASE_URL = "https://api.openai.com/v1"

_NativeError = _native.NativeError


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


class Call:
    """One request as a resource method describes it, and how to read the answer."""

    __slots__ = ("method", "path", "query", "body", "model", "options", "cast", "usage", "stream", "post_stream")

    def __init__(
        self,
        method: str,
        path: str,
        *,
        query: Optional[List[Tuple[str, str]]] = None,
        body: Any = None,
        options: Optional[Dict[str, Any]] = None,
        cast: Optional[Callable[[Any, Any], Any]] = None,
        usage: Optional[str] = None,
        stream: Optional[Tuple[Any, ...]] = None,
        post_stream: Optional[Callable[[Any], Any]] = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query or []
        self.body = body
        self.model = body.get("model") if isinstance(body, dict) and isinstance(body.get("model"), str) else None
        self.options = options or {}
        # cast(raw_response, client) -> the object the SDK method returns.
        self.cast = cast
        self.usage = usage
        # (kind, classes, fallback, background, starting_after, stream class)
        self.stream = stream
        self.post_stream = post_stream


def split_options(params: Dict[str, Any]) -> Dict[str, Any]:
    """Takes extra_headers / extra_query / extra_body / timeout out of a method's kwargs."""
    return {
        "extra_headers": params.pop("extra_headers", None),
        "extra_query": params.pop("extra_query", None),
        "extra_body": params.pop("extra_body", None),
        "timeout": params.pop("timeout", NOT_GIVEN),
    }


def body_of(params: Dict[str, Any], options: Dict[str, Any]) -> Dict[str, Any]:
    """The JSON body: the given parameters (NOT_GIVEN left out) and extra_body on top."""
    body = {k: v for k, v in params.items() if not isinstance(v, (NotGiven, Omit))}
    extra = options.get("extra_body")
    if extra:
        body.update(extra)
    return body


class _BaseClient:
    """What OpenAI and AsyncOpenAI share: configuration and request preparation."""

    _is_async = False
    _native_client: Any

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
        api_key: Union[str, Callable[[], str], None] = None,
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
        if http_client is not None:
            raise TypeError(
                "http_client is not supported by rapidresponse: requests go through its Rust transport. "
                "Proxies (HTTPS_PROXY, NO_PROXY) and SSL_CERT_FILE are read from the environment; "
                "timeout= and max_retries= are client options."
            )
        for name in ("admin_api_key", "workload_identity", "provider", "data_residency"):
            unsupported.pop(name, None)
        retry_delay_scale = unsupported.pop("_retry_delay_scale", 1.0)
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
        self._api_key_provider: Optional[Callable[[], str]] = None
        if callable(api_key):
            self._api_key_provider = api_key
            self.api_key = ""
        else:
            self.api_key = api_key
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
            default_headers=default_headers,
            default_query=default_query,
            retry_delay_scale=retry_delay_scale,
        )

    def _setup(
        self,
        *,
        base_url: str,
        timeout: Any,
        max_retries: Any,
        default_headers: Optional[Mapping[str, str]],
        default_query: Optional[Mapping[str, object]],
        retry_delay_scale: float = 1.0,
    ) -> None:
        if max_retries is None:
            raise TypeError("max_retries cannot be None. If you want to disable retries, pass `0`")
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative int, got {max_retries!r}")
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
        timeout_tuple(self.timeout)  # a wrong type fails here, not on the first call
        self.max_retries = max_retries
        headers = _custom_headers_from_env()
        headers.update(default_headers or {})
        self._custom_headers: Dict[str, Any] = headers
        self._custom_query: Dict[str, Any] = dict(default_query or {})
        self._retry_delay_scale = retry_delay_scale
        self._native_client = None

    # -- the native client (built on first use: construction stays cheap) --

    def _native_key(self) -> Tuple[Any, ...]:
        return (self.base_url, self.api_key, id(self._api_key_provider), self.organization, self.project)

    def _native_args(self) -> Dict[str, Any]:
        return {
            "base_url": self.base_url.rstrip("/"),
            "api_key": self.api_key or None,
            "organization": self.organization,
            "project": self.project,
            "token_provider": self._api_key_provider,
        }

    def _native(self) -> Any:
        native = self._native_client
        if native is None:
            native = self._native_client = _native.NativeClient(
                **self._native_args(),
                max_retries=self.max_retries,
                timeout=timeout_tuple(self.timeout),
                user_agent=_user_agent(self._is_async),
                retry_delay_scale=self._retry_delay_scale,
            )
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
        api_key: Union[str, Callable[[], str], None] = None,
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
        pool (and usage totals) when the endpoint and credentials are the same."""
        if http_client is not None:
            raise TypeError("http_client is not supported by rapidresponse (the transport is Rust's)")
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("The `default_headers` and `set_default_headers` arguments are mutually exclusive")
        if default_query is not None and set_default_query is not None:
            raise ValueError("The `default_query` and `set_default_query` arguments are mutually exclusive")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        if api_key is not None:
            if callable(api_key):
                new._api_key_provider, new.api_key = api_key, ""
            else:
                new._api_key_provider, new.api_key = None, api_key
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
        if default_headers:
            headers.update(default_headers)
        query = dict(set_default_query) if set_default_query is not None else dict(self._custom_query)
        if default_query:
            query.update(default_query)
        new._setup(
            base_url=new.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=headers,
            default_query=query,
            retry_delay_scale=self._retry_delay_scale,
        )
        new._custom_headers = headers  # OPENAI_CUSTOM_HEADERS was merged already
        # Timeouts, retries, headers and query go with each call, so only
        # the endpoint and credentials decide whether the pool is shared.
        if new._native_key() == self._native_key():
            new._native_client = self._native_client
        return new

    with_options = copy

    def _copy_extra(self, rest: Dict[str, Any]) -> None:
        if rest:
            raise TypeError(f"copy() got an unexpected keyword argument {next(iter(rest))!r}")

    # -- requests --------------------------------------------------------

    def _call_options(self, options: Dict[str, Any]) -> Tuple[Any, Any, List[Tuple[str, str]], List[Tuple[str, str]]]:
        """(timeouts, max_retries, headers, query) for the native call."""
        timeout = options.get("timeout", NOT_GIVEN)
        timeouts = timeout_tuple(self.timeout if isinstance(timeout, NotGiven) else timeout)
        # OpenAI-Organization / OpenAI-Project come from the native client's config.
        headers: Dict[str, Any] = dict(self._custom_headers)
        extra_headers = options.get("extra_headers")
        if extra_headers:
            headers.update(extra_headers)
        header_pairs = [
            (k, str(v)) for k, v in headers.items() if not isinstance(v, (Omit, NotGiven)) and v is not None
        ]
        query = [(k, _query_value(v)) for k, v in self._custom_query.items() if not isinstance(v, (Omit, NotGiven))]
        extra_query = options.get("extra_query")
        if extra_query:
            for k, v in extra_query.items():
                if isinstance(v, (list, tuple)):
                    query.extend((f"{k}[]", _query_value(x)) for x in v)
                elif not isinstance(v, (Omit, NotGiven)):
                    query.append((k, _query_value(v)))
        max_retries = options.get("max_retries", NOT_GIVEN)
        retries = self.max_retries if isinstance(max_retries, NotGiven) else max_retries
        return (timeouts, retries, header_pairs, query)

    def _request_info(self, call: Call) -> Request:
        url = self.base_url.rstrip("/") + call.path
        return Request(call.method, url)

    # Raw calls to any path (files, embeddings, conversations, ...).
    def _raw_call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        options: Optional[Dict[str, Any]] = None,
        stream: bool = False,
        cast_to: Any = None,
    ) -> Call:
        options = dict(options or {})
        params = options.pop("params", None)
        query = [(k, _query_value(v)) for k, v in (params or {}).items()]
        if not path.startswith("/"):
            path = "/" + path
        return Call(method, path, query=query, body=body, options=options, cast=_cast_json(cast_to))

    # Beyond openai-python.
    @property
    def usage(self) -> "Usage":
        """Token totals of every call made through this client (and its
        copies), with a cost estimate (None when a model has no price)."""
        return Usage(self._native().usage())

    def set_price(self, model: str, *, input: float, output: float, cached_input: Optional[float] = None) -> None:
        """Sets a model's price in USD per million tokens (for `usage.cost_usd`)."""
        self._native().set_price(model, input, output, cached_input)


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Usage:
    """Token totals and cost so far (`client.usage`)."""

    __slots__ = (
        "input_tokens",
        "cached_input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "total_tokens",
        "responses",
        "cost_usd",
        "unpriced_models",
        "by_model",
    )

    def __init__(self, d: Dict[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, d.get(name))

    def to_dict(self) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        return "Usage(" + ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "by_model") + ")"


def _cast_json(cast_to: Any) -> Callable[[Any, Any], Any]:
    def cast(raw: Any, client: Any) -> Any:
        from ._models import BaseModel, _new

        body = raw.body
        if not body.strip():
            return None
        data = json.loads(body)
        if isinstance(cast_to, type) and issubclass(cast_to, BaseModel) and isinstance(data, dict):
            return _new(cast_to, data)
        if cast_to is not None and hasattr(cast_to, "model_validate") and isinstance(data, dict):
            return cast_to.model_validate(data)
        return data

    return cast


# -- running a call ---------------------------------------------------------------


class SyncClient(_BaseClient):
    """OpenAI's machinery: runs calls with the GIL released."""

    def _run(self, call: Call, mode: str = "parse") -> Any:
        native = self._native()
        options = self._call_options(call.options)
        exc: Optional[BaseException] = None
        try:
            if call.stream is not None:
                kind, classes, fallback, background, starting_after, stream_cls = call.stream
                handle = native.stream(
                    call.method, call.path, call.query, call.body, call.model, options,
                    kind, classes(), fallback(), background, starting_after,
                )  # fmt: skip
                result = stream_cls(handle, self, self._request_info(call))
                if call.post_stream is not None:
                    result = call.post_stream(result)
                if mode != "parse":
                    return _raw_stream_response(result, handle, self._request_info(call), mode)
                return result
            raw = native.request(call.method, call.path, call.query, call.body, call.model, options, call.usage)
        except _NativeError as e:
            exc = convert(e, self._request_info(call))
        if exc is not None:
            raise exc
        if mode != "parse":
            return _raw_response(raw, call, self, mode)
        return call.cast(raw, self) if call.cast else None

    def get(self, path: str, *, cast_to: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any) -> Any:
        return self._run(self._raw_call("GET", path, options=options, cast_to=cast_to))

    def post(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return self._run(self._raw_call("POST", path, body=body, options=options, cast_to=cast_to))

    def delete(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return self._run(self._raw_call("DELETE", path, body=body, options=options, cast_to=cast_to))

    def patch(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return self._run(self._raw_call("PATCH", path, body=body, options=options, cast_to=cast_to))

    def put(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return self._run(self._raw_call("PUT", path, body=body, options=options, cast_to=cast_to))

    def close(self) -> None:
        """Releases the connection pool (when no copy of this client uses it)."""
        self._native_client = None

    def is_closed(self) -> bool:
        return self._native_client is None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """AsyncOpenAI's machinery: runs calls on the shared runtime for asyncio."""

    _is_async = True

    def _run(self, call: Call, mode: str = "parse") -> Any:
        if mode == "stream_ctx":
            return _AsyncStreamedResponseContext(self._arun(call, "raw"))
        return self._arun(call, mode)

    async def _arun(self, call: Call, mode: str = "parse") -> Any:
        native = self._native()
        options = self._call_options(call.options)
        exc: Optional[BaseException] = None
        try:
            if call.stream is not None:
                kind, classes, fallback, background, starting_after, stream_cls = call.stream
                handle = await native.stream_async(
                    call.method, call.path, call.query, call.body, call.model, options,
                    kind, classes(), fallback(), background, starting_after,
                )  # fmt: skip
                result = stream_cls(handle, self, self._request_info(call))
                if call.post_stream is not None:
                    result = call.post_stream(result)
                if mode != "parse":
                    return _raw_stream_response(result, handle, self._request_info(call), mode)
                return result
            raw = await native.request_async(
                call.method, call.path, call.query, call.body, call.model, options, call.usage
            )
        except _NativeError as e:
            exc = convert(e, self._request_info(call))
        if exc is not None:
            raise exc
        if mode != "parse":
            return _raw_response(raw, call, self, mode)
        return call.cast(raw, self) if call.cast else None

    async def get(self, path: str, *, cast_to: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any) -> Any:
        return await self._arun(self._raw_call("GET", path, options=options, cast_to=cast_to))

    async def post(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return await self._arun(self._raw_call("POST", path, body=body, options=options, cast_to=cast_to))

    async def delete(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return await self._arun(self._raw_call("DELETE", path, body=body, options=options, cast_to=cast_to))

    async def patch(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return await self._arun(self._raw_call("PATCH", path, body=body, options=options, cast_to=cast_to))

    async def put(
        self, path: str, *, cast_to: Any = None, body: Any = None, options: Optional[Dict[str, Any]] = None, **_: Any
    ) -> Any:
        return await self._arun(self._raw_call("PUT", path, body=body, options=options, cast_to=cast_to))

    async def close(self) -> None:
        self._native_client = None

    def is_closed(self) -> bool:
        return self._native_client is None

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()


def _raw_response(raw: Any, call: Call, client: Any, mode: str) -> Any:
    from ._response import LegacyAPIResponse

    return LegacyAPIResponse(raw, lambda: call.cast(raw, client) if call.cast else None, client._request_info(call))


def _raw_stream_response(stream: Any, handle: Any, request: Request, mode: str) -> Any:
    from ._response import LegacyAPIResponse

    return LegacyAPIResponse.for_stream(handle, stream, request)


class _AsyncStreamedResponseContext:
    """`async with client.x.with_streaming_response.create(...) as response:`."""

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._response: Any = None

    async def __aenter__(self) -> Any:
        self._response = await self._coro
        return self._response

    async def __aexit__(self, *args: Any) -> None:
        if self._response is not None:
            await self._response.aclose()


# -- the public classes ------------------------------------------------------------


class _ResourcesMixin:
    """`client.responses`, `client.chat`, `client.completions`, built on first access."""

    @property
    def responses(self) -> Any:
        from .resources.responses import AsyncResponses, Responses

        value = self.__dict__.get("_responses")
        if value is None:
            value = self.__dict__["_responses"] = (AsyncResponses if self._is_async else Responses)(self)  # type: ignore[attr-defined]
        return value

    @property
    def chat(self) -> Any:
        from .resources.chat import AsyncChat, Chat

        value = self.__dict__.get("_chat")
        if value is None:
            value = self.__dict__["_chat"] = (AsyncChat if self._is_async else Chat)(self)  # type: ignore[attr-defined]
        return value

    @property
    def completions(self) -> Any:
        from .resources.completions import AsyncCompletions, Completions

        value = self.__dict__.get("_completions")
        if value is None:
            value = self.__dict__["_completions"] = (AsyncCompletions if self._is_async else Completions)(self)  # type: ignore[attr-defined]
        return value

    @property
    def with_raw_response(self) -> Any:
        return _ClientView(self, "raw")

    @property
    def with_streaming_response(self) -> Any:
        return _ClientView(self, "stream_ctx")

    @classmethod
    def from_profile(cls, name: str, **overrides: Any) -> Any:
        """A client for a profile of Codex's config.toml (~/.codex/config.toml,
        or $CODEX_HOME): its provider's base URL, key variable and headers.
        The profile's model is in `client.default_model`."""
        try:
            settings = _native.load_profile(name)
        except _NativeError as e:
            raise OpenAIError(e.args[0].get("message", str(e)) if e.args else str(e)) from None
        kwargs: Dict[str, Any] = {"api_key": settings["api_key"] or "", "base_url": settings["base_url"]}
        if settings["headers"]:
            kwargs["default_headers"] = dict(settings["headers"])
        if settings["query"]:
            kwargs["default_query"] = dict(settings["query"])
        kwargs.update(overrides)
        client = cls(**kwargs)
        client.default_model = settings.get("model")  # type: ignore[attr-defined]
        return client


class _ClientView:
    """`client.with_raw_response.responses.create(...)`."""

    def __init__(self, client: Any, mode: str) -> None:
        self._client = client
        self._mode = mode

    def __getattr__(self, name: str) -> Any:
        resource = getattr(self._client, name)
        if self._mode == "raw":
            return resource.with_raw_response
        return resource.with_streaming_response


class OpenAI(_ResourcesMixin, SyncClient):
    """The synchronous client (openai-python's `OpenAI`)."""

    default_model: Optional[str] = None


class AsyncOpenAI(_ResourcesMixin, AsyncClient):
    """The asyncio client (openai-python's `AsyncOpenAI`)."""

    default_model: Optional[str] = None


class _AzureMixin:
    """AzureOpenAI's constructor: api_version, azure_endpoint, azure_deployment,
    and one of api_key, azure_ad_token, azure_ad_token_provider."""

    _api_version: str
    _azure_endpoint: Optional[str]
    _azure_deployment: Optional[str]
    _azure_ad_token: Optional[str]
    _azure_ad_token_provider: Optional[Callable[[], str]]

    def __init__(
        self,
        *,
        api_version: Optional[str] = None,
        azure_endpoint: Optional[str] = None,
        azure_deployment: Optional[str] = None,
        api_key: Union[str, Callable[[], str], None] = None,
        azure_ad_token: Optional[str] = None,
        azure_ad_token_provider: Optional[Callable[[], str]] = None,
        organization: Optional[str] = None,
        project: Optional[str] = None,
        webhook_secret: Optional[str] = None,
        websocket_base_url: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Union[float, Timeout, None, NotGiven] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        http_client: Any = None,
        _strict_response_validation: bool = False,
        **rest: Any,
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("AZURE_OPENAI_API_KEY")
        if azure_ad_token is None:
            azure_ad_token = os.environ.get("AZURE_OPENAI_AD_TOKEN")
        if api_key is None and azure_ad_token is None and azure_ad_token_provider is None:
            raise OpenAIError(
                "Missing credentials. Please pass one of `api_key`, `azure_ad_token`, `azure_ad_token_provider`, "
                "or the `AZURE_OPENAI_API_KEY` or `AZURE_OPENAI_AD_TOKEN` environment variables."
            )
        if api_version is None:
            api_version = os.environ.get("OPENAI_API_VERSION")
        if api_version is None:
            raise ValueError(
                "Must provide either the `api_version` argument or the `OPENAI_API_VERSION` environment variable"
            )
        if base_url is None:
            if azure_endpoint is None:
                azure_endpoint = os.environ.get("AZURE_OPENAI_ENDPOINT")
            if azure_endpoint is None:
                raise ValueError(
                    "Must provide one of the `base_url` or `azure_endpoint` arguments, "
                    "or the `AZURE_OPENAI_ENDPOINT` environment variable"
                )
            endpoint = azure_endpoint.rstrip("/")
            base_url = f"{endpoint}/openai/deployments/{azure_deployment}" if azure_deployment else f"{endpoint}/openai"
        elif azure_endpoint is not None:
            raise ValueError("base_url and azure_endpoint are mutually exclusive")
        self._api_version = api_version
        self._azure_endpoint = azure_endpoint
        self._azure_deployment = azure_deployment
        self._azure_ad_token = azure_ad_token
        self._azure_ad_token_provider = azure_ad_token_provider
        super().__init__(  # type: ignore[call-arg]
            api_key=api_key if api_key is not None else "<azure token>",
            organization=organization,
            project=project,
            webhook_secret=webhook_secret,
            base_url=base_url,
            websocket_base_url=websocket_base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            http_client=http_client,
            **rest,
        )
        if api_key is None:
            self.api_key = ""

    def _native_key(self) -> Tuple[Any, ...]:
        return (
            self.base_url,  # type: ignore[attr-defined]
            self.api_key,  # type: ignore[attr-defined]
            id(self._api_key_provider),  # type: ignore[attr-defined]
            self._azure_ad_token,
            id(self._azure_ad_token_provider),
            self._api_version,
        )

    def _native_args(self) -> Dict[str, Any]:
        key_provider = self._api_key_provider  # type: ignore[attr-defined]
        api_key = self.api_key or None  # type: ignore[attr-defined]
        token_provider = self._azure_ad_token_provider or key_provider
        # The endpoint style URL is already in base_url (as openai-python
        # builds it), so the core gets no endpoint: it adds the api-version
        # query, the auth header and /deployments/{model} where openai-python does.
        return {
            "base_url": self.base_url.rstrip("/"),  # type: ignore[attr-defined]
            "api_key": None,
            "organization": self.organization,  # type: ignore[attr-defined]
            "project": self.project,  # type: ignore[attr-defined]
            "token_provider": token_provider,
            "azure": (None, self._api_version, None, api_key if key_provider is None else None, self._azure_ad_token),
        }

    def _copy_extra(self, rest: Dict[str, Any]) -> None:
        for name in ("api_version", "azure_ad_token", "azure_ad_token_provider", "azure_deployment"):
            if rest.get(name) is not None:
                setattr(self, "_" + name, rest.pop(name))
        if rest:
            raise TypeError(f"copy() got an unexpected keyword argument {next(iter(rest))!r}")


class AzureOpenAI(_AzureMixin, OpenAI):
    """OpenAI on Azure (openai-python's `AzureOpenAI`)."""


class AsyncAzureOpenAI(_AzureMixin, AsyncOpenAI):
    """OpenAI on Azure for asyncio (openai-python's `AsyncAzureOpenAI`)."""
