"""`client.webhooks`: `verify_signature` and `unwrap` with openai-python's
signatures and exceptions. The verification is the Rust core's
(`rapidresponse_core::webhook`, openai-python's reading of the headers);
this module finds the three headers, reads the clock and raises."""

from __future__ import annotations

import json
import time
from typing import Any, Mapping, Optional, Tuple, Union

from .. import _native
from .._exceptions import InvalidWebhookSignatureError
from ._base import Resource

__all__ = ["Webhooks", "AsyncWebhooks"]

_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _header(headers: Any, name: str) -> Optional[str]:
    """openai-python's lookup: a mapping's str values by case-insensitive
    name, else `.get` of the name's usual spellings."""
    if isinstance(headers, Mapping):
        for k, v in headers.items():
            if isinstance(k, str) and k.lower() == name and isinstance(v, str):
                return v
    get = getattr(headers, "get", None)
    if get is not None:
        spelled = "-".join(part.capitalize() for part in name.split("-"))
        for key in (name, name.upper(), spelled):
            value = get(key)
            if value:
                return str(value)
    return None


def _verify(client: Any, payload: Union[str, bytes], headers: Any, secret: Optional[str], tolerance: int) -> str:
    if secret is None:
        secret = client.webhook_secret
    body = payload.decode("utf-8") if isinstance(payload, (bytes, bytearray)) else payload
    found: Tuple[Optional[str], ...] = tuple(_header(headers, h) for h in _HEADERS)
    failed = _native.verify_webhook(body, found[0], found[1], found[2], secret, tolerance, int(time.time()))
    if failed is not None:
        is_signature_error, message = failed
        raise (InvalidWebhookSignatureError if is_signature_error else ValueError)(message)
    return body


def _event(body: str) -> Any:
    from .._models import converter

    return converter(["alias", "webhooks.unwrap_webhook_event.UnwrapWebhookEvent"])(json.loads(body))


class Webhooks(Resource):
    """`client.webhooks` of `OpenAI`."""

    def unwrap(self, payload: Union[str, bytes], headers: Any, *, secret: Optional[str] = None) -> Any:
        """Checks that the payload was sent by OpenAI, then parses it into its event type."""
        return _event(_verify(self._client, payload, headers, secret, 300))

    def verify_signature(
        self, payload: Union[str, bytes], headers: Any, *, secret: Optional[str] = None, tolerance: int = 300
    ) -> None:
        """Raises InvalidWebhookSignatureError unless the payload was signed
        with the secret within `tolerance` seconds of now."""
        _verify(self._client, payload, headers, secret, tolerance)


class AsyncWebhooks(Webhooks):
    """`client.webhooks` of `AsyncOpenAI` (the same calls: nothing here waits)."""
