"""The shared fixture corpus's expectations checked against openai-python
itself: every stream of tests/fixtures/sse, served verbatim by the mock,
must end in openai-python as its `.expect.json` says under the
openai-python preset, or as its `sdk` entry says where rapidresponse
deliberately differs (the entry's `why` says why). Usage:
python stream_outcomes.py BASE_URL"""

import json
import sys
import urllib.request
from pathlib import Path

import openai
from openai import OpenAI

PRESET = "openai-python"
base_url = sys.argv[1]
root = base_url.rsplit("/v1", 1)[0]
client = OpenAI(base_url=base_url, api_key="sk-compat", max_retries=0, timeout=20)
streams = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "sse").glob("*.sse"))


def replay(body):
    url = root + "/__mock/replay?status=200&content_type=text/event-stream"
    urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST")).read()


def end_of(e):
    if isinstance(e, json.JSONDecodeError):
        return "decode"
    if isinstance(e, openai.APIConnectionError):
        return "connection"
    if isinstance(e, openai.APIStatusError):
        return "api"
    if isinstance(e, openai.APIError):
        return "stream_error"
    raise e


def outcome(body):
    replay(body)
    events, end = 0, "clean"
    try:
        for _ in client.responses.create(model="gpt-4.1", input="x", stream=True):
            events += 1
    except Exception as e:
        end = end_of(e)
    replay(body)
    try:
        with client.responses.stream(model="gpt-4.1", input="x") as stream:
            final = stream.get_final_response().status
    except Exception:
        final = "error"
    return {"events": events, "end": end, "final": final}


passed = failed = 0
for path in streams:
    expect = json.loads(path.with_suffix(".expect.json").read_text())
    want = expect.get("sdk", {}).get(PRESET) or expect["outcomes"][PRESET]
    want = {k: v for k, v in want.items() if k != "why"}
    got = outcome(path.read_bytes())
    if got == want:
        passed += 1
    else:
        failed += 1
        print(f"FAIL openai-python {openai.__version__}: {path.name}: got {got}, the corpus says {want}")
print(f"openai-python stream outcomes: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
