"""openai-python's `http_client=`: what an httpx / httpx2 client (or
openai's `DefaultHttpxClient`, `DefaultAsyncHttpxClient`,
`DefaultHttpx2Client`, `DefaultAsyncHttpx2Client`, `DefaultAioHttpClient`)
sets that the Rust transport can carry: a proxy and its credentials,
`verify` (a bool or a CA bundle's path), a client certificate, the timeout,
keep-alive limits, default headers and query, `trust_env`. Each becomes a
native setting; a setting that cannot be carried over (event hooks, a
custom transport, mounts, auth, cookies, an `SSLContext` that checks
certificates, `follow_redirects=False`) is a TypeError naming it. The
Default* classes here record their arguments without importing httpx,
httpx2 or aiohttp.

Of a real httpx client only what it exposes is read: its timeout, headers,
query, `trust_env`, event hooks, proxy mounts and whether its SSL context
checks certificates at all; a CA bundle or client certificate inside its
SSL context cannot be read back (use `DefaultHttpxClient(verify=...,
cert=...)` for those), and its `follow_redirects` (False by default in
httpx) gives way to the Rust client's redirect rule."""

from __future__ import annotations

import base64
from typing import Any, Dict, Optional, Tuple

__all__ = [
    "DefaultHttpxClient",
    "DefaultAsyncHttpxClient",
    "DefaultHttpx2Client",
    "DefaultAsyncHttpx2Client",
    "DefaultAioHttpClient",
]


class _DefaultClient:
    """An HTTP client configuration, as openai's Default*Client takes it."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = dict(kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(sorted(self._kwargs))})"

    @property
    def is_closed(self) -> bool:
        return False

    def close(self) -> None:
        """Nothing to close: the connections are the Rust client's."""

    async def aclose(self) -> None:
        """Nothing to close: the connections are the Rust client's."""

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *args: Any) -> None:
        return None


class DefaultHttpxClient(_DefaultClient):
    """openai's `DefaultHttpxClient(**httpx_kwargs)`."""


class DefaultAsyncHttpxClient(_DefaultClient):
    """openai's `DefaultAsyncHttpxClient(**httpx_kwargs)`."""


class DefaultHttpx2Client(_DefaultClient):
    """openai's `DefaultHttpx2Client(**httpx2_kwargs)`."""


class DefaultAsyncHttpx2Client(_DefaultClient):
    """openai's `DefaultAsyncHttpx2Client(**httpx2_kwargs)`."""


class DefaultAioHttpClient(_DefaultClient):
    """openai's `DefaultAioHttpClient(**kwargs)` (httpx's arguments over aiohttp)."""


UNSET: Any = object()
"""A timeout the http_client did not set."""


class Translated:
    """What an `http_client` becomes: the native `network` settings, a
    timeout (UNSET: the client's own), headers and query to merge."""

    def __init__(self) -> None:
        self.network: Dict[str, Any] = {}
        self.timeout: Any = UNSET
        self.headers: Dict[str, str] = {}
        self.query: Dict[str, Any] = {}


# Arguments that need no setting: the SDK's choices or no-ops here.
_IGNORED = {"http1", "http2", "base_url", "max_redirects", "default_encoding"}
_REFUSED = {
    "event_hooks": "event hooks run Python per request",
    "transport": "a custom transport replaces the Rust one",
    "mounts": "per-URL transports",
    "auth": "httpx auth flows (use api_key= or default_headers=)",
    "cookies": "a cookie jar",
    "app": "an in-process app",
}


def translate(http_client: Any) -> Translated:
    """The settings of `http_client`, or a TypeError naming the first one
    that cannot be carried over."""
    if isinstance(http_client, _DefaultClient):
        return _from_kwargs(http_client._kwargs)
    module = type(http_client).__module__.split(".")[0]
    if module in ("httpx", "httpx2", "httpx_aiohttp"):
        return _from_httpx(http_client)
    raise TypeError(
        f"http_client={type(http_client).__name__} cannot be carried over: pass an httpx or httpx2 client, "
        "or rapidresponse.DefaultHttpxClient(...) with its arguments"
    )


def _refuse(name: str) -> TypeError:
    why = _REFUSED.get(name, "no setting of the Rust transport matches it")
    return TypeError(f"http_client's {name} cannot be carried over to rapidresponse: {why}")


def _from_kwargs(kwargs: Dict[str, Any]) -> Translated:
    out = Translated()
    for name, value in kwargs.items():
        if name in _IGNORED or value is None:
            continue
        if name == "proxy":
            out.network.update(_proxy(value))
        elif name == "proxies":
            if isinstance(value, dict):
                urls = {str(v) for v in value.values() if v is not None}
                if len(urls) != 1:
                    raise _refuse("proxies")
                value = urls.pop()
            out.network.update(_proxy(value))
        elif name == "verify":
            out.network["verify"] = _verify(value)
        elif name == "cert":
            out.network.update(_cert(value))
        elif name == "timeout":
            out.timeout = _timeout(value)
        elif name == "limits":
            out.network.update(_limits(value))
        elif name == "headers":
            out.headers.update({str(k): str(v) for k, v in dict(value).items()})
        elif name == "params":
            out.query.update(dict(value))
        elif name == "trust_env":
            out.network["trust_env"] = bool(value)
        elif name == "follow_redirects":
            if not value:
                raise _refuse("follow_redirects=False")
        elif name in _REFUSED:
            if value:
                raise _refuse(name)
        else:
            raise _refuse(name)
    return out


def _from_httpx(client: Any) -> Translated:
    out = Translated()
    if any(getattr(client, "event_hooks", {}).values()):
        raise _refuse("event_hooks")
    if getattr(client, "auth", None) is not None:
        raise _refuse("auth")
    if len(getattr(client, "cookies", ())):
        raise _refuse("cookies")
    # follow_redirects: httpx's default is False and cannot be told from a
    # choice; redirects follow the Rust client's rule (openai-python's own).
    timeout = client.timeout
    # httpx's own default (5 s everywhere) is not a choice: openai-python keeps its 600 s then.
    if not all(getattr(timeout, k, None) == 5.0 for k in ("connect", "read", "write", "pool")):
        out.timeout = _timeout(timeout)
    defaults = {"accept", "accept-encoding", "connection", "user-agent"}
    out.headers = {k: v for k, v in client.headers.items() if k.lower() not in defaults}
    out.query = dict(client.params)
    out.network["trust_env"] = bool(client.trust_env)
    transport = getattr(client, "_transport", None)
    if type(transport).__name__ not in ("HTTPTransport", "AsyncHTTPTransport", "AiohttpTransport"):
        raise _refuse("transport")
    context = getattr(getattr(transport, "_pool", None), "_ssl_context", None)
    if context is not None and context.verify_mode == 0:  # ssl.CERT_NONE
        out.network["verify"] = False
    mounts = getattr(client, "_mounts", {})
    patterns = [getattr(p, "pattern", "") for p in mounts]
    if patterns == ["all://"]:
        # An explicit proxy= (httpx mounts it for every URL).
        pool = getattr(next(iter(mounts.values())), "_pool", None)
        url = getattr(pool, "_proxy_url", None)
        if url is None:
            raise _refuse("mounts")
        out.network.update(_proxy_from_pool(url, getattr(pool, "_proxy_headers", [])))
    elif mounts and not client.trust_env:
        raise _refuse("mounts")
    # Else the mounts are the environment's proxies (trust_env): the Rust
    # transport reads the same variables, NO_PROXY included.
    return out


def _proxy(value: Any) -> Dict[str, Any]:
    """A proxy's settings: its URL (credentials in it allowed) and an
    `httpx.Proxy`'s `auth`, kept apart (the Rust side sends them)."""
    out: Dict[str, Any] = {"proxy": str(getattr(value, "url", value))}
    auth = getattr(value, "auth", None)
    if auth:
        out["proxy_auth"] = [str(auth[0]), str(auth[1])]
    return out


def _proxy_from_pool(url: Any, headers: Any) -> Dict[str, Any]:
    """The proxy an httpcore proxy pool holds, with the credentials of its
    Proxy-Authorization header."""

    def text(b: Any) -> str:
        return b.decode() if isinstance(b, bytes) else str(b)

    port = f":{url.port}" if url.port is not None else ""
    out: Dict[str, Any] = {"proxy": f"{text(url.scheme)}://{text(url.host)}{port}"}
    for name, value in headers or ():
        if text(name).lower() == "proxy-authorization" and text(value).startswith("Basic "):
            user, _, password = base64.b64decode(text(value)[6:]).decode().partition(":")
            out["proxy_auth"] = [user, password]
    return out


def _verify(value: Any) -> Any:
    if isinstance(value, (bool, str)):
        return value
    if hasattr(value, "verify_mode"):
        if value.verify_mode == 0:  # ssl.CERT_NONE
            return False
        raise TypeError(
            "http_client's verify=SSLContext cannot be carried over to rapidresponse: "
            "pass the CA bundle's path (verify='ca.pem') or set SSL_CERT_FILE"
        )
    return str(value)


def _cert(value: Any) -> Dict[str, Any]:
    if isinstance(value, str):
        return {"cert": value}
    parts: Tuple[Any, ...] = tuple(value)
    if len(parts) == 3 and parts[2]:
        raise TypeError("http_client's cert password cannot be carried over to rapidresponse: use an unencrypted key")
    return {"cert": str(parts[0]), "key": str(parts[1]) if len(parts) > 1 and parts[1] else None}


def _timeout(value: Any) -> Any:
    """A float, None, or our Timeout from an httpx.Timeout."""
    if value is None or isinstance(value, (int, float)):
        return value
    from ._types import Timeout

    return Timeout(
        None,
        read=getattr(value, "read", None),
        connect=getattr(value, "connect", None),
        write=getattr(value, "write", None),
        pool=getattr(value, "pool", None),
    )


def _limits(value: Any) -> Dict[str, Any]:
    get = value.get if isinstance(value, dict) else lambda k: getattr(value, k, None)
    out: Dict[str, Any] = {}
    if get("max_keepalive_connections") is not None:
        out["max_keepalive_connections"] = int(get("max_keepalive_connections"))
    if get("keepalive_expiry") is not None:
        out["keepalive_expiry"] = float(get("keepalive_expiry"))
    return out


def network_of(translated: Optional[Translated]) -> Optional[Dict[str, Any]]:
    return translated.network if translated is not None and translated.network else None
