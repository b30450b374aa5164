"""The client against the mock server over HTTP: every call, sync and
async, and what openai-python users rely on (errors and their fields,
retries, timeouts, streams ending, raw responses, pages, objects)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any, List

import pytest

import rapidresponse
from rapidresponse import AsyncOpenAI, OpenAI
from rapidresponse.testing import MockServer
from rapidresponse.types.responses import (
    Response,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
)

from conftest import RETRY_SCALE, last_request, masked


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# -- construction ------------------------------------------------------------------


def test_missing_key_is_openai_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(rapidresponse.OpenAIError, match="api_key"):
        OpenAI()


def test_env_and_arguments(monkeypatch: pytest.MonkeyPatch, mock: MockServer) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("OPENAI_BASE_URL", mock.url)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-1")
    client = OpenAI(default_headers={"X-Team": "ci"}, default_query={"tag": "x"})
    assert client.api_key == "env-key" and client.base_url == mock.url + "/"
    client.responses.create(model="gpt-4.1", input="hi")
    req = last_request(mock)
    assert req["headers"]["authorization"] == masked("Bearer env-key")
    assert req["headers"]["openai-organization"] == "org-1"
    assert req["headers"]["openai-project"] == "proj-1"
    assert req["headers"]["x-team"] == "ci"
    assert "tag=x" in req["query"]


def test_an_http_client_that_is_not_httpx_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="http_client=object cannot be carried over"):
        OpenAI(api_key="k", http_client=object())


def test_max_retries_checks() -> None:
    with pytest.raises(TypeError):
        OpenAI(api_key="k", max_retries=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        OpenAI(api_key="k", max_retries=-1)


def test_callable_api_key_is_called_per_request(mock: MockServer) -> None:
    calls: List[int] = []

    def key() -> str:
        calls.append(1)
        return f"rotating-{len(calls)}"

    client = OpenAI(api_key=key, base_url=mock.url)
    client.responses.create(model="gpt-4.1", input="a")
    client.responses.create(model="gpt-4.1", input="b")
    assert len(calls) == 2
    assert last_request(mock)["headers"]["authorization"] == masked("Bearer rotating-2")


def test_with_options_and_context_managers(mock: MockServer, client: OpenAI) -> None:
    copy = client.with_options(max_retries=5, timeout=3.0, default_headers={"X-A": "1"})
    assert copy.max_retries == 5 and copy.timeout == 3.0 and client.max_retries == 2
    copy.responses.create(model="gpt-4.1", input="hi")
    assert last_request(mock)["headers"]["x-a"] == "1"
    with OpenAI(api_key="k", base_url=mock.url) as c:
        assert c.responses.create(model="gpt-4.1", input="hi").status == "completed"
    assert c.is_closed()

    async def go() -> None:
        async with AsyncOpenAI(api_key="k", base_url=mock.url) as a:
            assert (await a.responses.create(model="gpt-4.1", input="hi")).status == "completed"

    run(go())


def test_timeout_object_and_exports() -> None:
    t = rapidresponse.Timeout(600, connect=5.0)
    assert (t.connect, t.read) == (5.0, 600)
    assert rapidresponse.DEFAULT_TIMEOUT == t
    assert not rapidresponse.NOT_GIVEN and repr(rapidresponse.NOT_GIVEN) == "NOT_GIVEN"


# -- responses ------------------------------------------------------------------------


def test_create_objects(client: OpenAI) -> None:
    r = client.responses.create(model="gpt-4.1", input="Say hi", metadata={"k": "v"})
    assert isinstance(r, Response)
    assert r.output_text == "Mock answer to: Say hi."
    assert r._request_id and r._request_id.startswith("req_")
    msg = r.output[0]
    assert isinstance(msg, ResponseOutputMessage)
    assert msg.content[0].type == "output_text"
    assert r.usage is not None and r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    # A known field the server did not send reads None; unknown ones are attributes.
    assert r.__dict__.get("conversation") is None and r.conversation is None
    r2 = Response.model_validate({**r.to_dict(), "brand_new_field": {"x": 1}})
    assert r2.brand_new_field == {"x": 1}
    with pytest.raises(AttributeError):
        r.not_a_field_at_all
    # to_dict: only what was sent; model_dump: every known field too.
    sent = r.to_dict()
    assert "conversation" not in sent
    dumped = r.model_dump()
    assert "conversation" in dumped and dumped["conversation"] is None
    assert json.loads(r.to_json(indent=2)) == sent
    assert json.loads(r.model_dump_json()) == json.loads(json.dumps(dumped))
    assert r == Response.model_validate(sent)
    assert repr(r).startswith("Response(id=")


def test_output_text_of_a_big_response_builds_no_objects(client: OpenAI, mock: MockServer) -> None:
    items = [
        {"type": "message", "id": f"msg_{i}", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "x" * 100, "annotations": []}]}
        for i in range(2000)
    ]  # fmt: skip
    body = json.dumps({"id": "resp_big", "object": "response", "status": "completed", "output": items})
    mock.push_replay(body.encode(), content_type="application/json")
    r = client.responses.create(model="gpt-4.1", input="big")
    assert len(r.output_text) == 200_000
    assert r.__dict__ == {}  # still the raw bytes: nothing was built
    assert r.id == "resp_big" and len(r.output) == 2000


def test_previous_response_chain_and_retrieve(client: OpenAI) -> None:
    first = client.responses.create(model="gpt-4.1", input="one", store=True)
    second = client.responses.create(model="gpt-4.1", input="two", previous_response_id=first.id)
    assert second.previous_response_id == first.id
    got = client.responses.retrieve(first.id)
    assert got.id == first.id and got.output_text == first.output_text
    items = client.responses.input_items.list(first.id)
    assert items.data and items.data[0].type == "message"
    client.responses.delete(first.id)
    with pytest.raises(rapidresponse.NotFoundError) as e:
        client.responses.retrieve(first.id)
    assert e.value.status_code == 404 and e.value.request_id


def test_input_items_pages_are_walked(client: OpenAI, mock: MockServer) -> None:
    context: List[Any] = [{"role": "user", "content": f"m{i}"} for i in range(5)]
    r = client.responses.create(model="gpt-4.1", input=context, store=True)
    page = client.responses.input_items.list(r.id, limit=2, order="asc")
    assert len(page.data) == 2 and page.has_more
    assert len(list(page)) == 5
    assert "after=" in last_request(mock)["query"]

    async def go() -> None:
        a = AsyncOpenAI(api_key="k", base_url=mock.url)
        first = await a.responses.input_items.list(r.id, limit=2)
        assert len(first.data) == 2
        seen = [item async for item in a.responses.input_items.list(r.id, limit=2)]
        assert len(seen) == 5

    run(go())


def test_cancel_compact_and_count(client: OpenAI) -> None:
    bg = client.responses.create(model="gpt-4.1", input="long job", background=True, store=True)
    cancelled = client.responses.cancel(bg.id)
    assert cancelled.id == bg.id and cancelled.status in ("cancelled", "completed")
    compacted = client.responses.compact(model="gpt-4.1", input=[{"role": "user", "content": "hi"}])
    assert compacted.object in ("response.compaction", "response") or compacted.output is not None
    count = client.responses.input_tokens.count(model="gpt-4.1", input="hello there")
    assert isinstance(count.input_tokens, int) and count.input_tokens > 0


def test_unknown_kwarg_is_a_type_error(client: OpenAI) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'temprature'"):
        client.responses.create(model="gpt-4.1", input="x", temprature=0.1)


def test_extra_body_query_headers(client: OpenAI, mock: MockServer) -> None:
    client.responses.create(
        model="gpt-4.1", input="x", extra_body={"custom": 1}, extra_query={"q": "1"}, extra_headers={"X-E": "e"}
    )
    req = last_request(mock)
    assert req["body"]["custom"] == 1 and "q=1" in req["query"] and req["headers"]["x-e"] == "e"


def test_objects_go_back_as_input(client: OpenAI, mock: MockServer) -> None:
    r = client.responses.create(model="o4-mini", input="use the tool", tools=[
        {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}}])  # fmt: skip
    context: List[Any] = [{"role": "user", "content": "use the tool"}]
    context += r.output
    call = next(i for i in r.output if i.type == "function_call")
    assert isinstance(call, ResponseFunctionToolCall)
    context.append({"type": "function_call_output", "call_id": call.call_id, "output": "42"})
    client.responses.create(model="o4-mini", input=context)
    sent = last_request(mock)["body"]["input"]
    assert sent[1:-1] == [item.to_dict() for item in r.output]


# -- streams ---------------------------------------------------------------------------


def test_stream_events_are_typed(client: OpenAI) -> None:
    events = list(client.responses.create(model="gpt-4.1", input="hi there", stream=True))
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    assert all(isinstance(e, ResponseTextDeltaEvent) for e in deltas)
    assert "".join(e.delta for e in deltas) == "Mock answer to: hi there."
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[-1].type == "response.completed" and events[-1].response.output_text == "Mock answer to: hi there."


def test_stream_cut_off_raises_connection_error_with_partial(client: OpenAI) -> None:
    seen = []
    with pytest.raises(rapidresponse.APIConnectionError) as e:
        for event in client.responses.create(model="mock-fault:deltas=6;drop-after=6", input="hi", stream=True):
            seen.append(event.type)
    assert seen[:4] == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]
    partial = e.value.partial_response
    assert partial is not None and partial.id and partial.output_text


def test_stream_stall_is_a_timeout_with_partial(client: OpenAI) -> None:
    with pytest.raises(rapidresponse.APITimeoutError) as e:
        for _ in client.with_options(timeout=0.3).responses.create(model="mock-fault:stall-after=5", input="hi", stream=True):
            pass
    assert e.value.partial_response is not None


def test_nested_error_event_raises_flat_one_is_yielded(client: OpenAI) -> None:
    with pytest.raises(rapidresponse.APIError) as e:
        for _ in client.responses.create(model="mock-fault:error-event=nested", input="hi", stream=True):
            pass
    assert e.value.message == "Mock stream error" and e.value.code == "server_error"
    assert e.value.partial_response is not None and e.value.partial_response.output_text
    types = [ev.type for ev in client.responses.create(model="mock-fault:error-event=flat", input="hi", stream=True)]
    assert "error" in types and types[-1] == "response.failed"


def test_unknown_event_is_yielded_with_its_fields(client: OpenAI) -> None:
    events = list(client.responses.create(model="mock-fault:unknown-event-at=3", input="hi", stream=True))
    unknown = [e for e in events if e.type == "response.mock_unknown.delta"]
    assert len(unknown) == 1 and unknown[0].delta == "unknown"


def test_malformed_event_is_a_validation_error(client: OpenAI) -> None:
    with pytest.raises(rapidresponse.APIResponseValidationError):
        list(client.responses.create(model="mock-fault:malformed-at=4", input="hi", stream=True))


def test_stream_helper_snapshots_and_final(client: OpenAI) -> None:
    with client.responses.stream(model="mock-fault:deltas=4", input="snap") as stream:
        snapshots = [e.snapshot for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert snapshots[-1] == final.output_text == "Mock answer to: snap."
    assert all(snapshots[i + 1].startswith(snapshots[i]) for i in range(len(snapshots) - 1))
    with client.responses.stream(model="mock-fault:incomplete", input="x") as stream:
        with pytest.raises(RuntimeError, match="response.completed") as e:
            stream.get_final_response()
    assert e.value.partial_response.status == "incomplete"  # type: ignore[attr-defined]


def test_stream_close_ends_iteration(client: OpenAI) -> None:
    stream = client.responses.create(model="mock-fault:deltas=50;slow=200,5", input="hi", stream=True)
    first = next(iter(stream))
    stream.close()
    assert first.type == "response.created"
    assert list(stream) == [] or all(e is not None for e in stream)


def test_async_streams(aclient: AsyncOpenAI) -> None:
    async def go() -> None:
        text = []
        async for ev in await aclient.responses.create(model="gpt-4.1", input="async", stream=True):
            if ev.type == "response.output_text.delta":
                text.append(ev.delta)
        assert "".join(text) == "Mock answer to: async."
        async with aclient.responses.stream(model="gpt-4.1", input="helper") as s:
            snaps = [e.snapshot async for e in s if e.type == "response.output_text.delta"]
            final = await s.get_final_response()
        assert snaps[-1] == final.output_text
        with pytest.raises(rapidresponse.APIConnectionError):
            async for _ in await aclient.responses.create(model="mock-fault:drop-after=5", input="x", stream=True):
                pass

    run(go())


def test_gather_hundreds_of_calls(aclient: AsyncOpenAI) -> None:
    async def go() -> None:
        results = await asyncio.gather(*(aclient.responses.create(model="gpt-4.1", input=f"n{i}") for i in range(300)))
        assert [r.output_text for r in results] == [f"Mock answer to: n{i}." for i in range(300)]

    run(go())


def test_create_many_sync_and_async(client: OpenAI, aclient: AsyncOpenAI) -> None:
    requests = [{"model": "gpt-4.1", "input": f"q{i}"} for i in range(10)]
    requests[3] = {"model": "mock-fault:status=400", "input": "bad"}
    out = client.responses.create_many(requests, concurrency=4)
    assert isinstance(out[3], rapidresponse.BadRequestError)
    assert [r.output_text for i, r in enumerate(out) if i != 3] == [f"Mock answer to: q{i}." for i in range(10) if i != 3]
    aout = run(aclient.responses.create_many(requests, concurrency=4))
    assert isinstance(aout[3], rapidresponse.BadRequestError) and aout[0].output_text == "Mock answer to: q0."


# -- errors and retries -----------------------------------------------------------------


@pytest.mark.parametrize(
    "status,cls",
    [(400, "BadRequestError"), (401, "AuthenticationError"), (403, "PermissionDeniedError"),
     (404, "NotFoundError"), (409, "ConflictError"), (422, "UnprocessableEntityError"),
     (429, "RateLimitError"), (500, "InternalServerError"), (503, "InternalServerError")],
)  # fmt: skip
def test_status_errors(status: int, cls: str, mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url=mock.url, max_retries=0)
    with pytest.raises(getattr(rapidresponse, cls)) as e:
        client.responses.create(model=f"mock-fault:status={status}", input="x")
    err = e.value
    assert isinstance(err, rapidresponse.APIStatusError) and isinstance(err, rapidresponse.APIError)
    assert err.status_code == status and err.response.status_code == status
    assert err.request_id and err.response.headers["x-request-id"] == err.request_id
    assert isinstance(err.body, dict) and err.message == f"Error code: {status} - {err.body['message']}"
    assert err.code == err.body.get("code") and err.type == err.body.get("type")


def test_retries_follow_retry_after_ms(client: OpenAI, mock: MockServer) -> None:
    mock.push_fault("status=429;retry-after-ms=10;times=2")
    raw = client.responses.with_raw_response.create(model="gpt-4.1", input="x")
    assert raw.retries_taken == 2 and raw.status_code == 200
    assert raw.parse().output_text == "Mock answer to: x."
    assert raw.headers["content-type"].startswith("application/json") and raw.request_id


def test_retry_limits(client: OpenAI, mock: MockServer) -> None:
    start = len(mock.requests())
    with pytest.raises(rapidresponse.RateLimitError):
        client.responses.create(model="mock-fault:status=429;retry-after=121", input="x")
    assert len(mock.requests()) - start == 1  # over 120 s: no retry at all
    start = len(mock.requests())
    with pytest.raises(rapidresponse.InternalServerError):
        client.responses.create(model="mock-fault:status=500;should-retry=false", input="x")
    assert len(mock.requests()) - start == 1
    start = len(mock.requests())
    with pytest.raises(rapidresponse.InternalServerError):
        client.responses.create(model="mock-fault:status=500", input="x")
    assert len(mock.requests()) - start == 3  # max_retries=2
    mock.push_fault("reset;times=1")
    assert client.responses.create(model="gpt-4.1", input="x").status == "completed"


def test_timeout_is_retried_then_raised(mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url=mock.url, timeout=0.2, max_retries=1, _retry_delay_scale=RETRY_SCALE)
    start = time.monotonic()
    with pytest.raises(rapidresponse.APITimeoutError) as e:
        client.responses.create(model="mock-fault:hang", input="x")
    assert time.monotonic() - start >= 0.4
    assert isinstance(e.value, rapidresponse.APIConnectionError) and e.value.message == "Request timed out."


def test_connection_refused(mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(rapidresponse.APIConnectionError) as e:
        client.responses.create(model="gpt-4.1", input="x")
    assert e.value.message == "Connection error." and e.value.request.url.endswith("/responses")


def test_async_errors(aclient: AsyncOpenAI) -> None:
    async def go() -> None:
        with pytest.raises(rapidresponse.AuthenticationError):
            await aclient.with_options(max_retries=0).responses.create(model="mock-fault:status=401", input="x")

    run(go())


def test_panic_is_an_openai_error() -> None:
    with pytest.raises(rapidresponse.OpenAIError):
        rapidresponse._native._panic_for_tests()
    try:
        rapidresponse._native._panic_for_tests()
    except Exception as e:  # a plain `except Exception` sees it
        assert "panic" in str(e)


def test_ctrl_c_interrupts_a_waiting_call(mock: MockServer) -> None:
    import _thread

    client = OpenAI(api_key="k", base_url=mock.url, max_retries=0)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        client.responses.create(model="mock-fault:hang", input="x")
    assert time.monotonic() - start < 5  # the default timeout is 600 s


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_fork_child_gets_its_own_runtime(client: OpenAI) -> None:
    client.responses.create(model="gpt-4.1", input="parent")
    pid = os.fork()
    if pid == 0:
        try:
            ok = client.responses.create(model="gpt-4.1", input="child").output_text == "Mock answer to: child."
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert client.responses.create(model="gpt-4.1", input="parent again").status == "completed"


# -- chat, completions, raw calls, parse, usage, logging ----------------------------------


def test_chat_and_legacy_completions(client: OpenAI) -> None:
    chat = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert chat.choices[0].message.role == "assistant" and chat.choices[0].message.content
    chunks = list(client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True,
        stream_options={"include_usage": True}))  # fmt: skip
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == chat.choices[0].message.content
    legacy = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="def f():")
    assert legacy.choices[0].text and legacy.choices[0].finish_reason
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt="def f():", stream=True))  # fmt: skip
    assert streamed == legacy.choices[0].text


def test_raw_get_post_delete(client: OpenAI) -> None:
    r = client.post("/responses", body={"model": "gpt-4.1", "input": "raw"}, cast_to=Response)
    assert isinstance(r, Response) and r.output_text == "Mock answer to: raw."
    got = client.get(f"/responses/{r.id}", cast_to=object)
    assert got["id"] == r.id
    deleted = client.delete(f"/responses/{r.id}", cast_to=object)
    assert deleted is None or deleted.get("deleted") is True


def test_streaming_response_context(client: OpenAI) -> None:
    with client.responses.with_streaming_response.create(model="gpt-4.1", input="x") as raw:
        assert raw.status_code == 200
        assert raw.parse().output_text == "Mock answer to: x."
        assert json.loads(raw.text)["object"] == "response"


def test_parse_with_pydantic(client: OpenAI, mock: MockServer) -> None:
    pydantic = pytest.importorskip("pydantic")

    class Answer(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        title: str
        score: int

    body = {"id": "resp_p", "object": "response", "status": "completed", "output": [
        {"type": "message", "id": "m", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": '{"title": "t", "score": 3}', "annotations": []}]}]}  # fmt: skip
    mock.push_replay(json.dumps(body).encode(), content_type="application/json")
    parsed = client.responses.parse(model="gpt-4.1", input="x", text_format=Answer)
    assert parsed.output_parsed == Answer(title="t", score=3)
    fmt = last_request(mock)["body"]["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["strict"] is True and fmt["schema"]["additionalProperties"] is False


def test_usage_and_cost(mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url=mock.url)
    r = client.responses.create(model="gpt-4.1", input="count me")
    for _ in client.responses.create(model="gpt-4.1", input="and me", stream=True):
        pass
    u = client.usage
    assert u.responses == 2 and u.total_tokens >= 2 * r.usage.total_tokens - 4
    client.set_price("gpt-4.1", input=2.0, output=8.0)
    client.responses.create(model="gpt-4.1", input="priced")
    assert client.usage.cost_usd is None or client.usage.cost_usd > 0


def test_logging_goes_to_python_logging_without_secrets(mock: MockServer) -> None:
    code = (
        "from rapidresponse import OpenAI;"
        f"OpenAI(api_key='sk-secret-value-123', base_url='{mock.url}').responses.create(model='gpt-4.1', input='x')"
    )
    env = dict(os.environ, OPENAI_LOG="debug")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "rapidresponse" in proc.stderr and "request" in proc.stderr
    assert "sk-secret-value-123" not in proc.stderr


def test_isinstance_and_union_types(client: OpenAI) -> None:
    import typing

    events = list(client.responses.create(model="gpt-4.1", input="x", stream=True))
    members = typing.get_args(ResponseStreamEvent)
    assert len(members) == 59
    assert all(isinstance(e, members) for e in events)


def test_mock_server_scripting(mock: MockServer) -> None:
    client = OpenAI(api_key="k", base_url=mock.url, max_retries=0)
    mock.push_fault("status=503")
    with pytest.raises(rapidresponse.InternalServerError):
        client.responses.create(model="gpt-4.1", input="x")
    assert mock.requests()[-1]["path"] == "/v1/responses"


def test_from_profile_reads_codex_config(tmp_path: Any, mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text(
        f"""
[model_providers.local-mock]
name = "Mock"
base_url = "{mock.url}"
env_key = "MOCK_PROVIDER_KEY"
http_headers = {{ "X-Provider" = "mock" }}

[profiles.ci]
model = "gpt-4.1-mini"
model_provider = "local-mock"
"""
    )
    monkeypatch.setenv("CODEX_HOME", str(tmp_path))
    monkeypatch.setenv("MOCK_PROVIDER_KEY", "profile-key")
    client = OpenAI.from_profile("ci")
    assert client.default_model == "gpt-4.1-mini"
    assert client.responses.create(model=client.default_model, input="p").status == "completed"
    req = last_request(mock)
    assert req["headers"]["authorization"] == masked("Bearer profile-key") and req["headers"]["x-provider"] == "mock"
    with pytest.raises(rapidresponse.OpenAIError):
        OpenAI.from_profile("no-such-profile")


def test_rate_limit_headers_on_raw_responses(client: OpenAI) -> None:
    raw = client.responses.with_raw_response.create(model="gpt-4.1", input="x")
    limits = raw.rate_limit
    assert limits is not None and limits["remaining_requests"] is not None


def test_azure_api_version_query_and_key_header(mock: MockServer) -> None:
    client = rapidresponse.AzureOpenAI(api_key="az-key", api_version="2025-04-01-preview", azure_endpoint=mock.root_url)
    client.responses.create(model="gpt-4.1", input="x")
    req = last_request(mock)
    assert req["path"] == "/openai/responses" and "api-version=2025-04-01-preview" in req["query"]
    assert req["headers"]["api-key"] == masked("az-key") and "authorization" not in req["headers"]
    client.with_options(api_version="2025-05-01").chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}]
    )
    req = last_request(mock)
    assert req["path"] == "/openai/deployments/gpt-4o/chat/completions"
    assert req["query"].count("api-version") == 1 and "api-version=2025-05-01" in req["query"]


def test_the_interpreter_exits_cleanly_right_after_many_asyncio_calls(mock: MockServer) -> None:
    # Results reach asyncio from a blocking-pool thread; one still doing so
    # while the interpreter finalized crashed it (7 % of exits under load)
    # until an atexit hook waited for those threads.
    code = (
        "import asyncio\n"
        "from rapidresponse import AsyncOpenAI\n"
        "async def main():\n"
        f"    c = AsyncOpenAI(api_key='k', base_url='{mock.url}', max_retries=0)\n"
        "    rs = await asyncio.gather(*(c.responses.create(model='gpt-4.1', input='x') for _ in range(200)))\n"
        "    assert all(r.status == 'completed' for r in rs)\n"
        "asyncio.run(main())\n"
    )
    codes = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).returncode
        for _ in range(15)
    ]
    assert codes == [0] * 15
