"""Every file of ../shared/recorded (real streams and bodies from public
projects), served verbatim by the mock, read through this package and
through openai-python: the same events (as dicts), the same output_text,
the same exceptions. Skipped when ../shared is absent or openai is not
installed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Tuple

import pytest

import rapidresponse
from rapidresponse.testing import MockServer

RECORDED = Path(__file__).resolve().parents[3] / "shared" / "recorded"

# Where we deliberately differ from openai-python 3.57 (also recorded in
# tests/fixtures' outcomes): the spec's own example ends with an event that
# no blank line follows; openai-python drops it, we deliver it (as
# openai-node does), so the stream has its response.completed.
DELIVERS_THE_LAST_EVENT = {"openai-openapi__createResponse-streaming-example.sse"}
FILES = sorted(p for p in RECORDED.glob("*") if p.name != "README.md") if RECORDED.is_dir() else []


def _as_replay(path: Path) -> Tuple[int, str, bytes]:
    """(status, content type, body) to serve for a recorded file."""
    data = path.read_bytes()
    if path.name.endswith(".http400.json"):
        return 400, "application/json", data
    if path.suffix == ".json":
        return 200, "application/json", data
    if path.name.endswith(".chunks.txt") or path.suffix == ".jsonl":
        frames = []
        for line in data.decode().splitlines():
            if line.strip():
                kind = json.loads(line).get("type", "message")
                frames.append(f"event: {kind}\ndata: {line}\n\n")
        return 200, "text/event-stream", "".join(frames).encode()
    return 200, "text/event-stream", data


def _read(module: Any, mock: MockServer, path: Path) -> Tuple[List[Any], Any]:
    """(events or [response dict, output_text], the exception class name or None)."""
    status, content_type, body = _as_replay(path)
    mock.push_replay(body, status=status, content_type=content_type)
    client = module.OpenAI(api_key="test-key", base_url=mock.url, max_retries=0)
    out: List[Any] = []
    try:
        if content_type == "text/event-stream":
            for event in client.responses.create(model="gpt-4.1", input="hi", stream=True):
                out.append(event.to_dict())
        else:
            response = client.responses.create(model="gpt-4.1", input="hi")
            try:
                text = response.output_text
            except TypeError:
                # openai-python fails on a body that is not a Response (no
                # `output`); ours gives "". Only the parse is compared then.
                text = None
            out = [response.to_dict(), text]
    except module.APIError as e:
        return out, (type(e).__name__, e.message, getattr(e, "code", None), getattr(e, "param", None), e.body)
    return out, None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_recorded_file_reads_as_openai_python_reads_it(path: Path, mock: MockServer) -> None:
    openai = pytest.importorskip("openai")
    ours, our_error = _read(rapidresponse, mock, path)
    theirs, their_error = _read(openai, mock, path)
    assert our_error == their_error
    if path.name in DELIVERS_THE_LAST_EVENT:
        assert ours[-1]["type"] == "response.completed" and ours[:-1] == theirs
        return
    assert len(ours) == len(theirs)
    if theirs and theirs[-1] is None and not isinstance(ours[-1], dict):
        assert ours[-1] == ""
        ours, theirs = ours[:-1], theirs[:-1]
    assert ours == theirs


def test_recorded_files_are_there_when_shared_is() -> None:
    if not RECORDED.is_dir():
        pytest.skip("../shared/recorded not present")
    assert len(FILES) >= 37
