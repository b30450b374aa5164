"""AzureOpenAI's constructor: api_version, azure_endpoint, azure_deployment,
and one of api_key, azure_ad_token, azure_ad_token_provider. The endpoint,
deployment and version go to the Rust core, which builds every URL (and
the `api-key` header) as openai-python does; this reads the arguments and
the environment."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Mapping, Optional, Union

from . import _native
from ._config import DEFAULT_MAX_RETRIES
from ._exceptions import OpenAIError
from ._types import NOT_GIVEN, NotGiven, Timeout

__all__ = ["AzureMixin"]


class AzureMixin:
    _api_version: str
    _azure_endpoint: Optional[str]
    _azure_deployment: Optional[str]
    _azure_ad_token: Optional[str]
    _azure_ad_token_provider: Optional[Callable[[], Any]]

    def __init__(
        self,
        *,
        api_version: Optional[str] = None,
        azure_endpoint: Optional[str] = None,
        azure_deployment: Optional[str] = None,
        api_key: Union[str, Callable[[], Any], None] = None,
        azure_ad_token: Optional[str] = None,
        azure_ad_token_provider: Optional[Callable[[], Any]] = None,
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
            # The core builds the URLs from the endpoint; this is what the
            # client shows as its base_url, as openai-python does.
            base_url = _native.azure_base_url(azure_endpoint, azure_deployment)
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
            self.api_key = ""  # type: ignore[attr-defined]

    def _token_provider(self) -> Optional[Callable[[], Any]]:
        return self._azure_ad_token_provider or self._api_key_provider  # type: ignore[attr-defined, no-any-return]

    def _settings(self) -> Dict[str, Any]:
        settings: Dict[str, Any] = super()._settings()  # type: ignore[misc]
        key = self.api_key if self._api_key_provider is None else None  # type: ignore[attr-defined]
        settings["api_key"] = None
        settings["azure"] = {
            "endpoint": self._azure_endpoint,
            "api_version": self._api_version,
            "deployment": self._azure_deployment if self._azure_endpoint else None,
            "api_key": key or None,
            "ad_token": self._azure_ad_token,
        }
        if self._azure_endpoint is not None:
            settings["base_url"] = self._azure_endpoint
        return settings

    def _copy_extra(self, rest: Dict[str, Any]) -> None:
        for name in ("api_version", "azure_ad_token", "azure_ad_token_provider", "azure_deployment"):
            if rest.get(name) is not None:
                setattr(self, "_" + name, rest.pop(name))
        if rest:
            raise TypeError(f"copy() got an unexpected keyword argument {next(iter(rest))!r}")
