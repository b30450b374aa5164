"""The shared fixture corpus (tests/fixtures/sse), read as the Rust and JS
suites read it: every stream, served by the mock, ends through this package
as its `.expect.json` says under the openai-python preset: how many events
iteration yields, how it ends, and what the stream helper's
`get_final_response()` gives."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

import rapidresponse
from rapidresponse.testing import MockServer

SSE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sse"
STREAMS = sorted(SSE.glob("*.sse"))


def _end(error: BaseException) -> str:
    """The corpus's name for how a stream ended with this exception."""
    if isinstance(error, rapidresponse.APIResponseValidationError):
        return "decode"
    if isinstance(error, rapidresponse.APIConnectionError):
        return "connection"
    if isinstance(error, rapidresponse.APIStatusError):
        return "api"
    if isinstance(error, rapidresponse.APIError):
        return "stream_error"
    raise error


def _outcome(client: Any, mock: MockServer, body: bytes) -> Dict[str, Any]:
    mock.push_replay(body)
    events, end = 0, "clean"
    try:
        for _ in client.responses.create(model="gpt-4.1", input="x", stream=True):
            events += 1
    except rapidresponse.OpenAIError as e:
        end = _end(e)
    mock.push_replay(body)
    final: Any
    try:
        with client.responses.stream(model="gpt-4.1", input="x") as stream:
            final = stream.get_final_response().status
    except (rapidresponse.OpenAIError, RuntimeError):
        final = "error"
    return {"events": events, "end": end, "final": final}


def test_the_corpus_is_there() -> None:
    assert len(STREAMS) >= 30


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.stem)
def test_stream_ends_as_the_corpus_says(path: Path, mock: MockServer) -> None:
    expect = json.loads(path.with_suffix(".expect.json").read_text())["outcomes"]["openai-python"]
    client = rapidresponse.OpenAI(api_key="k", base_url=mock.url, max_retries=0)
    assert _outcome(client, mock, path.read_bytes()) == expect


@pytest.mark.parametrize("name", ["error_nested", "error_flat", "no_final_blank_line", "cut_mid_event", "text"])
def test_async_streams_end_the_same(name: str, mock: MockServer) -> None:
    path = SSE / f"{name}.sse"
    expect = json.loads(path.with_suffix(".expect.json").read_text())["outcomes"]["openai-python"]
    client = rapidresponse.AsyncOpenAI(api_key="k", base_url=mock.url, max_retries=0)

    async def read() -> Tuple[int, str]:
        mock.push_replay(path.read_bytes())
        events, end = 0, "clean"
        try:
            async for _ in await client.responses.create(model="gpt-4.1", input="x", stream=True):
                events += 1
        except rapidresponse.OpenAIError as e:
            end = _end(e)
        return events, end

    assert asyncio.run(read()) == (expect["events"], expect["end"])
