"""The clients: OpenAI, AsyncOpenAI, AzureOpenAI, AsyncAzureOpenAI, with
openai-python's constructor parameters, environment variables,
`with_options`, context managers, resources and raw `get`/`post`/`delete`.
The pieces: configuration (`_config`), calls (`_call`), running them
(`_runner`), Azure's constructor (`_azure`), usage (`_usage`); requests,
retries, timeouts, streaming and errors are the Rust client's."""

from __future__ import annotations

from typing import Any, Dict, Optional

from . import _native
from ._azure import AzureMixin
from ._config import DEFAULT_MAX_RETRIES
from ._exceptions import OpenAIError
from ._runner import AsyncRunner, SyncRunner

__all__ = ["OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI", "DEFAULT_MAX_RETRIES"]

_NativeError = _native.NativeError

class _ResourcesMixin:
    """`client.responses`, `client.conversations`, `client.webhooks`,
    `client.models`, `client.chat`, `client.completions`, built on first access."""

    def _resource(self, name: str, sync: str, asynchronous: str) -> Any:
        value = self.__dict__.get("_" + name)
        if value is None:
            module = __import__(f"rapidresponse.resources.{name}", fromlist=[sync])
            cls = getattr(module, asynchronous if self._is_async else sync)  # type: ignore[attr-defined]
            value = self.__dict__["_" + name] = cls(self)
        return value

    @property
    def responses(self) -> Any:
        return self._resource("responses", "Responses", "AsyncResponses")

    @property
    def conversations(self) -> Any:
        return self._resource("conversations", "Conversations", "AsyncConversations")

    @property
    def webhooks(self) -> Any:
        return self._resource("webhooks", "Webhooks", "AsyncWebhooks")

    @property
    def models(self) -> Any:
        return self._resource("models", "Models", "AsyncModels")

    @property
    def chat(self) -> Any:
        return self._resource("chat", "Chat", "AsyncChat")

    @property
    def completions(self) -> Any:
        return self._resource("completions", "Completions", "AsyncCompletions")

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


class OpenAI(_ResourcesMixin, SyncRunner):
    """The synchronous client (openai-python's `OpenAI`)."""

    default_model: Optional[str] = None


class AsyncOpenAI(_ResourcesMixin, AsyncRunner):
    """The asyncio client (openai-python's `AsyncOpenAI`)."""

    default_model: Optional[str] = None


class AzureOpenAI(AzureMixin, OpenAI):
    """OpenAI on Azure (openai-python's `AzureOpenAI`)."""


class AsyncAzureOpenAI(AzureMixin, AsyncOpenAI):
    """OpenAI on Azure for asyncio (openai-python's `AsyncAzureOpenAI`)."""
