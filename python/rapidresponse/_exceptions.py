"""openai-python's exception classes, with the same hierarchy, names and
attributes (message, request, body, code, param, type; status_code,
response, request_id for status errors), plus `partial_response`: what a
stream had delivered before it failed. `convert` turns the native
client's error into the right class; nothing else happens here."""

from __future__ import annotations

import json
from typing import Any, Dict, List, NoReturn, Optional

from . import _native
from ._http import Headers, Request, Response

__all__ = [
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
]


class OpenAIError(Exception):
    pass


class APIError(OpenAIError):
    message: str
    request: Request
    body: Optional[object]
    code: Optional[str] = None
    param: Optional[str] = None
    type: Optional[str]
    # Beyond openai-python: the response a stream had delivered before the
    # failure (a Response object), or None.
    partial_response: Any = None

    def __init__(self, message: str, request: Request, *, body: Optional[object]) -> None:
        super().__init__(message)
        self.request = request
        self.message = message
        self.body = body
        if isinstance(body, dict):
            code = body.get("code")
            self.code = str(code) if code is not None else None
            param = body.get("param")
            self.param = param if param is None or isinstance(param, str) else str(param)
            kind = body.get("type")
            self.type = kind if kind is None or isinstance(kind, str) else str(kind)
        else:
            self.code = None
            self.param = None
            self.type = None


class APIResponseValidationError(APIError):
    response: Response
    status_code: int

    def __init__(self, response: Response, body: Optional[object], *, message: Optional[str] = None) -> None:
        super().__init__(message or "Data returned by API invalid for expected schema.", response.request, body=body)
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """A 4xx or 5xx answer."""

    response: Response
    status_code: int
    request_id: Optional[str]

    def __init__(self, message: str, *, response: Response, body: Optional[object]) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")


class APIConnectionError(APIError):
    def __init__(self, *, message: str = "Connection error.", request: Request) -> None:
        super().__init__(message, request, body=None)


class APITimeoutError(APIConnectionError):
    def __init__(self, request: Request) -> None:
        super().__init__(message="Request timed out.", request=request)


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    pass


class LengthFinishReasonError(OpenAIError):
    def __init__(self, *, completion: Any = None) -> None:
        msg = "Could not parse response content as the length limit was reached"
        if completion is not None and getattr(completion, "usage", None) is not None:
            msg += f" - {completion.usage}"
        super().__init__(msg)
        self.completion = completion


class ContentFilterFinishReasonError(OpenAIError):
    def __init__(self) -> None:
        super().__init__("Could not parse response content as the request was rejected by the content filter")


class NativeError(_native.NativeError, OpenAIError):  # type: ignore[misc]
    """A failure reported by the Rust client before the client turned it
    into one of the classes above (`convert`); an OpenAIError, so nothing
    from Rust escapes `except openai-style errors`."""


class RustPanicError(OpenAIError):
    """A bug in rapidresponse's Rust code, caught at the boundary (never a
    BaseException, so `except Exception` and retry decorators see it)."""


_BY_STATUS: Dict[int, type] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type:
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)


def _partial(payload: Dict[str, Any]) -> Any:
    data = payload.get("partial")
    if not isinstance(data, dict):
        return None
    from ._models import _new, class_for

    return _new(class_for("Response"), data)


class InvalidArgumentError(OpenAIError, ValueError):
    """A call's argument the client refused before sending anything (an
    empty id, a bad base URL): a ValueError, as openai-python raises."""


def raise_converted(error: BaseException) -> NoReturn:
    """Raises `convert(error)` with its own cause (why the connection
    failed, which timeout ran out) and without the native error as context."""
    exc = convert(error)
    raise exc from exc.__cause__


def convert(error: BaseException) -> BaseException:
    """The openai-python exception for a `_native.NativeError` (its payload
    is the core's error report: kind, message, and the kind's fields)."""
    payload: Dict[str, Any] = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    kind = payload.get("kind")
    message = payload.get("message") or str(error)
    request = Request(payload.get("method") or "", payload.get("url") or "")
    exc: OpenAIError
    if kind == "api":
        status = int(payload.get("status") or 0)
        headers = Headers(tuple(h) for h in payload.get("headers") or ())
        whole = payload.get("body")
        content = whole if isinstance(whole, str) else "" if whole is None else json.dumps(whole)
        response = Response(status, headers, request, content.encode())
        # `error`: the body narrowed to its `error` object, as openai-python's `body`.
        exc = status_error_class(status)(message, response=response, body=payload.get("error"))
    elif kind == "timeout":
        exc = APITimeoutError(request=request)
    elif kind in ("connection", "ended_early"):
        exc = APIConnectionError(request=request)
    elif kind == "stream_error":
        # openai-python: the `error` member's message, the member as body.
        event = payload.get("event")
        exc = APIError(message, request, body=event.get("error") if isinstance(event, dict) else None)
    elif kind == "decode":
        exc = APIResponseValidationError(Response(200, Headers(), request), None, message=message)
    elif kind == "panic":
        exc = RustPanicError(message)
    elif kind == "config":
        exc = InvalidArgumentError(message)
    elif kind == "queue_full":
        exc = WebSocketQueueFullError(message)
    else:
        exc = OpenAIError(message)
    if isinstance(exc, APIError):
        exc.partial_response = _partial(payload)
    # Why the connection failed, or which wait ran out, shows as the cause
    # (openai-python's messages themselves are fixed).
    detail = payload.get("detail")
    if kind == "connection" and detail:
        exc.__cause__ = ConnectionError(detail)
    elif kind == "timeout" and detail:
        exc.__cause__ = TimeoutError(f"the {detail} timeout ran out")
    return exc


class InvalidWebhookSignatureError(ValueError):
    """A webhook delivery whose signature or timestamp does not verify."""


class WebSocketConnectionClosedError(OpenAIError):
    """A WebSocket connection that ended for good with messages it never
    sent (queued while reconnecting): `unsent_messages`, oldest first."""

    def __init__(self, message: str, *, unsent_messages: List[str]) -> None:
        super().__init__(message)
        self.unsent_messages = list(unsent_messages)

    @property
    def unsent_frames(self) -> List[str]:
        return self.unsent_messages

    def __repr__(self) -> str:
        # The messages may hold prompts: kept out of reprs, as openai-python does.
        return f"{type(self).__name__}({str(self)!r}, <{len(self.unsent_messages)} unsent messages>)"


class WebSocketQueueFullError(OpenAIError):
    """A message sent while reconnecting that the send queue (its
    `max_queue_size`) has no room for: it was not sent."""
