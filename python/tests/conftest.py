"""Fixtures: the Rust mock server over real HTTP on 127.0.0.1, and clients
pointed at it with backoff delays scaled down (the shape stays openai-python's)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from rapidresponse import AsyncOpenAI, OpenAI
from rapidresponse.testing import MockServer

# Tests wait 1/100 of openai-python's backoff (0.5 s doubling to 8 s).
RETRY_SCALE = 0.01


@pytest.fixture(scope="session")
def mock() -> Iterator[MockServer]:
    server = MockServer()
    yield server
    server.stop()


@pytest.fixture
def client(mock: MockServer) -> OpenAI:
    return OpenAI(api_key="test-key", base_url=mock.url, _retry_delay_scale=RETRY_SCALE)


@pytest.fixture
def aclient(mock: MockServer) -> AsyncOpenAI:
    return AsyncOpenAI(api_key="test-key", base_url=mock.url, _retry_delay_scale=RETRY_SCALE)


def last_request(mock: MockServer) -> Any:
    return mock.requests()[-1]


def masked(secret: str) -> str:
    """A credential as the mock records it (its `mask_key`): three
    characters, stars, the last four; ten characters or fewer all starred."""
    if len(secret) <= 10:
        return "*" * max(len(secret), 4)
    return secret[:3] + "*" * (len(secret) - 7) + secret[-4:]
