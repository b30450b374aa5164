"""A broken or hostile server against the built package (the mock's
`hostile=` attacks, FAULTS.md): each ends as documented, the process stays
alive, the next call on the same client works, no key reaches a second
origin, and peak memory (measured in a subprocess) stays bounded."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any, List

import pytest

import rapidresponse
from rapidresponse import AsyncOpenAI, OpenAI
from rapidresponse.testing import MockServer

from conftest import RETRY_SCALE, masked

TEXT = "Hello from a hostile server"
NON_ASCII_MODEL = "modèle-é2025-04-14"
STREAM_ATTACKS = ["amplified-id", "prototype-keys", "non-ascii-model", "absurd-numbers", "empty-events"]


def attack(name: str) -> Any:
    return {"x-mock-fault": f"hostile={name}"}


def still_works(client: OpenAI) -> None:
    assert client.responses.create(model="gpt-4.1", input="still there?").status == "completed"


@pytest.mark.parametrize("name", STREAM_ATTACKS)
def test_streams_and_bodies_that_attack_the_decoder_still_deliver(client: OpenAI, name: str) -> None:
    events = list(client.responses.create(model="gpt-4.1", input="x", stream=True, extra_headers=attack(name)))
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == TEXT
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta" and e.item_id == "msg_hostile")
    assert text == TEXT
    whole = client.responses.create(model="gpt-4.1", input="x", extra_headers=attack(name))
    assert whole.output_text == TEXT
    still_works(client)


def test_a_non_ascii_model_is_counted_not_a_panic(mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url=mock.url, _retry_delay_scale=RETRY_SCALE)
    r = client.responses.create(model="gpt-4.1", input="x", extra_headers=attack("non-ascii-model"))
    assert r.model == NON_ASCII_MODEL
    with client.responses.stream(model="gpt-4.1", input="x", extra_headers=attack("non-ascii-model")) as s:
        assert s.get_final_response().model == NON_ASCII_MODEL
    still_works(client)


def test_absurd_token_counts_saturate(mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url=mock.url, _retry_delay_scale=RETRY_SCALE)
    for _ in range(2):
        r = client.responses.create(model="gpt-4.1", input="x", extra_headers=attack("absurd-numbers"))
        assert r.usage.input_tokens == 2**64 - 1
    still_works(client)


def test_deeply_nested_json_is_an_error_and_the_client_lives_on(client: OpenAI) -> None:
    received: List[Any] = []
    with pytest.raises(Exception) as raised:
        for event in client.responses.create(model="gpt-4.1", input="x", stream=True, extra_headers=attack("nested-json")):
            received.append(event)
    assert not isinstance(raised.value, RecursionError), raised.value
    # openai-python raises the JSON error at the bad event: the events before it came.
    assert [e.type for e in received][:2] == ["response.created", "response.in_progress"]
    # A whole body is parsed when first read (as openai-python's models are
    # built): the same ValueError then.
    whole = client.responses.create(model="gpt-4.1", input="x", extra_headers=attack("nested-json"))
    with pytest.raises(ValueError, match="recursion limit"):
        whole.metadata
    still_works(client)


def test_a_megabyte_header_is_a_connection_error(client: OpenAI) -> None:
    with pytest.raises(rapidresponse.APIConnectionError):
        client.with_options(max_retries=0).responses.create(model="gpt-4.1", input="x", extra_headers=attack("big-header"))
    still_works(client)


def test_an_endless_body_stops_at_the_limit_without_a_retry(mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url=mock.url, max_body_bytes=4 << 20, _retry_delay_scale=RETRY_SCALE)
    before = len(mock.requests())
    with pytest.raises(rapidresponse.APIConnectionError) as raised:
        client.responses.create(model="gpt-4.1", input="x", extra_headers=attack("endless-body"))
    assert "limit of 4194304 bytes" in str(raised.value.__cause__)
    assert len(mock.requests()) - before == 1, "not retried"
    assert client.with_options(max_retries=0)._max_body_bytes == 4 << 20
    with pytest.raises(ValueError):
        OpenAI(api_key="k", base_url=mock.url, max_body_bytes=0)
    still_works(client)


def test_a_body_announced_over_the_default_limit_is_refused(client: OpenAI) -> None:
    with pytest.raises(rapidresponse.APIConnectionError) as raised:
        client.responses.create(model="gpt-4.1", input="x", extra_headers=attack("oversized-body"))
    assert "limit of 268435456 bytes" in str(raised.value.__cause__)
    still_works(client)


def test_paging_that_never_ends_stops(client: OpenAI, mock: MockServer) -> None:
    before = len(mock.requests())
    empty = list(client.responses.input_items.list("resp_any", extra_headers=attack("empty-pages")))
    assert empty == []
    with pytest.raises(rapidresponse.OpenAIError, match="repeated the cursor"):
        for _ in client.responses.input_items.list("resp_any", extra_headers=attack("stuck-cursor")):
            pass
    assert len(mock.requests()) - before <= 4


def test_paging_that_never_ends_stops_async(aclient: AsyncOpenAI) -> None:
    async def run() -> None:
        with pytest.raises(rapidresponse.OpenAIError, match="repeated the cursor"):
            async for _ in aclient.responses.input_items.list("resp_any", extra_headers=attack("stuck-cursor")):
                pass

    asyncio.run(run())


def test_no_credential_follows_a_redirect_to_another_origin() -> None:
    with MockServer() as elsewhere, MockServer(api_key="sk-test-redirect-canary") as mock:
        client = OpenAI(
            api_key="sk-test-redirect-canary",
            base_url=mock.url,
            default_headers={"x-api-key": "gateway-secret", "api-key": "azure-secret"},
            _retry_delay_scale=RETRY_SCALE,
        )
        mock.push_fault(f"redirect=307;redirect-host=127.0.0.1:{elsewhere.port}")
        assert client.responses.create(model="gpt-4.1", input="x").output_text
        (arrived,) = elsewhere.requests()
        for name in ("authorization", "api-key", "x-api-key"):
            assert name not in arrived["headers"], arrived["headers"]
        assert arrived["method"] == "POST" and arrived["body"]["input"] == "x"


def test_too_many_redirects_are_not_retried(client: OpenAI, mock: MockServer) -> None:
    before = len(mock.requests())
    with pytest.raises(rapidresponse.APIConnectionError) as raised:
        client.responses.create(model="gpt-4.1", input="x", extra_headers={"x-mock-fault": "redirect=307"})
    # openai-python's message is fixed; why shows as the cause.
    assert "too many redirects" in str(raised.value.__cause__)
    assert len(mock.requests()) - before == 11


def test_a_key_with_a_newline_is_refused_without_quoting_it(mock: MockServer) -> None:
    client = OpenAI(api_key="sk-test-newline-canary\n", base_url=mock.url, max_retries=0)
    with pytest.raises(rapidresponse.APIConnectionError) as raised:
        client.responses.create(model="gpt-4.1", input="x")
    shown = f"{raised.value!r} {raised.value} {raised.value.__cause__}"
    assert "newline-canary" not in shown
    assert "authorization" in str(raised.value.__cause__).lower()


_PEAK = """
import json, resource, sys
from rapidresponse import OpenAI
url, fault = sys.argv[1], sys.argv[2]
client = OpenAI(api_key="k", base_url=url, max_retries=0)
headers = {"x-mock-fault": fault} if fault else {}
events = sum(1 for _ in client.responses.create(model="gpt-4.1", input="x", stream=True, extra_headers=headers))
print(json.dumps({"events": events, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _peak(mock: MockServer, fault: str) -> Any:
    out = subprocess.run([sys.executable, "-c", _PEAK, mock.url, fault], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_an_amplified_id_does_not_grow_memory(mock: MockServer) -> None:
    # ru_maxrss: KiB on Linux, where CI runs; the ratio holds in any unit.
    normal = _peak(mock, "")
    amplified = _peak(mock, "hostile=amplified-id")
    assert amplified["events"] > 20_000
    assert amplified["peak_kib"] < 3 * normal["peak_kib"], (normal, amplified)


_FORK = """
import asyncio, os, threading, time
from rapidresponse import AsyncOpenAI, _native
from rapidresponse.testing import MockServer
mock = MockServer()
client = AsyncOpenAI(api_key="k", base_url=mock.url, max_retries=0, timeout=30)
loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()
asyncio.run_coroutine_threadsafe(
    client.responses.create(model="m", input="x", extra_headers={"x-mock-fault": "hang"}), loop)
for _ in range(1000):
    if mock.requests():
        break
    time.sleep(0.01)
parent_busy = not _native.quiesce(0.0)
pid = os.fork()
if pid == 0:
    os._exit(0 if _native.quiesce(0.0) else 1)
_, status = os.waitpid(pid, 0)
print(parent_busy, os.WEXITSTATUS(status), flush=True)
os._exit(0)
"""


def test_a_forked_child_does_not_wait_for_its_parents_calls() -> None:
    # The at-exit wait counts the process's own asyncio calls: a child
    # forked while one was in flight has none of its own to wait for.
    out = subprocess.run([sys.executable, "-c", _FORK], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "0"], out.stdout


def test_async_token_providers_are_awaited_in_python(mock: MockServer) -> None:
    # Resolved in the Python layer (never on the runtime's worker thread),
    # and an async provider is awaited, as openai-python accepts it.
    async def run() -> None:
        calls: List[int] = []

        async def token() -> str:
            calls.append(1)
            await asyncio.sleep(0)
            return f"entra-token-{len(calls)}"

        azure = rapidresponse.AsyncAzureOpenAI(
            azure_ad_token_provider=token,
            api_version="2025-04-01-preview",
            azure_endpoint=mock.root_url,
            max_retries=0,
        )
        await azure.responses.create(model="gpt-4.1", input="x")
        assert mock.requests()[-1]["headers"]["authorization"] == masked("Bearer entra-token-1")

        async def key() -> str:
            return "sk-async-callable-key"

        client = AsyncOpenAI(api_key=key, base_url=mock.url, max_retries=0)
        await client.responses.create(model="gpt-4.1", input="x")
        assert mock.requests()[-1]["headers"]["authorization"] == masked("Bearer sk-async-callable-key")

    asyncio.run(run())


def test_async_close_does_not_wait_for_a_read_in_progress(mock: MockServer) -> None:
    # A task blocked in __anext__ on a stalled stream holds the stream; close()
    # from another task must end it at once, not after the read timeout.
    async def run() -> None:
        client = AsyncOpenAI(api_key="k", base_url=mock.url, max_retries=0, timeout=60)
        stream = await client.responses.create(
            model="gpt-4.1", input="x", stream=True, extra_headers={"x-mock-fault": "stall-after=2"}
        )
        received: List[Any] = []

        async def read() -> None:
            async for event in stream:
                received.append(event)

        reader = asyncio.create_task(read())
        for _ in range(500):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the reader is now waiting on the network
        await asyncio.wait_for(stream.close(), timeout=5)
        await asyncio.wait_for(reader, timeout=5)
        assert len(received) == 2

    asyncio.run(run())
