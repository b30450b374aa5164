"""rapidresponse: the openai SDK's calls, backed by a Rust client.
`from rapidresponse import OpenAI` in place of `from openai import OpenAI`.

Importing this is cheap: resources, types and model classes load on
first use."""

from __future__ import annotations

import atexit as _atexit
import os as _os

from . import _native
from ._client import DEFAULT_MAX_RETRIES, AsyncAzureOpenAI, AsyncOpenAI, AzureOpenAI, OpenAI
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContentFilterFinishReasonError,
    InternalServerError,
    InvalidWebhookSignatureError,
    LengthFinishReasonError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
    RustPanicError,
    UnprocessableEntityError,
    WebSocketConnectionClosedError,
    WebSocketQueueFullError,
)
from ._http_client import (
    DefaultAioHttpClient,
    DefaultAsyncHttpx2Client,
    DefaultAsyncHttpxClient,
    DefaultHttpx2Client,
    DefaultHttpxClient,
)
from ._models import BaseModel
from ._types import DEFAULT_TIMEOUT, NOT_GIVEN, NotGiven, Omit, Timeout, not_given, omit

__version__ = _native.__version__

__all__ = [
    "DefaultHttpxClient",
    "DefaultAsyncHttpxClient",
    "DefaultHttpx2Client",
    "DefaultAsyncHttpx2Client",
    "DefaultAioHttpClient",
    "OpenAI",
    "AsyncOpenAI",
    "AzureOpenAI",
    "AsyncAzureOpenAI",
    "OpenAIError",
    "APIError",
    "APIStatusError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "LengthFinishReasonError",
    "ContentFilterFinishReasonError",
    "RustPanicError",
    "InvalidWebhookSignatureError",
    "WebSocketConnectionClosedError",
    "WebSocketQueueFullError",
    "BaseModel",
    "Timeout",
    "NOT_GIVEN",
    "NotGiven",
    "not_given",
    "Omit",
    "omit",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "Stream",
    "AsyncStream",
]

from ._exceptions import NativeError as _NativeError

_native.configure(BaseModel, _NativeError, NOT_GIVEN, omit)


def __getattr__(name: str) -> object:
    # Loaded on first use, to keep `import rapidresponse` fast.
    if name in ("Stream", "AsyncStream"):
        from . import _streaming

        return getattr(_streaming, name)
    if name in ("types", "pagination", "testing", "resources"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _setup_logging() -> None:
    """OPENAI_LOG / RAPIDRESPONSE_LOG = debug | info: the client's log lines
    go to the "rapidresponse" logger (with a stderr handler, as openai-python
    sets one up). Keys and authorization headers are never logged."""
    level = (_os.environ.get("RAPIDRESPONSE_LOG") or _os.environ.get("OPENAI_LOG") or "").lower()
    if level not in ("debug", "info"):
        return
    import logging

    logger = logging.getLogger("rapidresponse")
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"))
        logger.addHandler(handler)
    _native.enable_logging(level)


_setup_logging()


def _quiesce_at_exit() -> None:
    """At exit, let the runtime's asyncio tasks hand over their results
    first: a worker thread entering Python while the interpreter finalizes
    would crash it (seen once in ten `asyncio.run` exits under load)."""
    _native.quiesce(2.0)


_atexit.register(_quiesce_at_exit)
