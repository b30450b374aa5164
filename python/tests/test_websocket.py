"""`client.responses.connect()` against the mock's WebSocket mode, sync and
async: openai-python's shape (context manager, `response.create`, `recv`,
iteration, typed events), a function-calling chain whose events equal the
same requests over HTTP streaming, `error` events returned as events, and
the faults (a drop without a close frame mid-response, a refused upgrade,
a stall past the read timeout)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, List

import pytest

from rapidresponse import APIConnectionError, APITimeoutError, AsyncOpenAI, AuthenticationError, OpenAI
from rapidresponse.types.responses import ResponseCompletedEvent, ResponseCreatedEvent

TOOLS = [{"type": "function", "name": "get_weather", "description": "Weather",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]


def _types(events: List[Any]) -> List[str]:
    return [e.type for e in events]


def test_a_function_calling_chain_matches_http_streaming(mock: Any, client: OpenAI) -> None:
    with client.responses.connect() as connection:
        connection.response.create(model="gpt-4.1", input="What is the weather in Paris?", tools=TOOLS)
        first = list(connection)
        assert first[0].type == "response.created" and first[-1].type == "response.completed"
        assert type(first[-1]).__name__ == "ResponseWsCompleted"
        assert isinstance(first[0], ResponseCreatedEvent) and isinstance(first[-1], ResponseCompletedEvent)
        done = first[-1].response
        call = next(item for item in done.output if item.type == "function_call")
        assert call.name == "get_weather" and json.loads(call.arguments)["city"]
        connection.response.create(
            model="gpt-4.1",
            previous_response_id=done.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "18 C, sunny"}],
            tools=TOOLS,
        )
        second = []
        for event in connection:
            second.append(event)
        assert second[-1].type == "response.completed"
        assert "18 C, sunny" in second[-1].response.output_text
        with pytest.raises(rapidresponse_error()):
            connection.recv()

    # The same two requests over HTTP streaming: the same event types.
    over_http = list(client.responses.create(model="gpt-4.1", input="What is the weather in Paris?",
                                             tools=TOOLS, stream=True))
    assert _types(over_http) == _types(first)
    sent = [r for r in mock.requests() if r["method"] == "WS"]
    assert [m["body"]["type"] for m in sent[-2:]] == ["response.create", "response.create"]


def rapidresponse_error() -> Any:
    from rapidresponse import OpenAIError

    return OpenAIError


def test_an_error_event_is_returned_and_the_connection_goes_on(client: OpenAI) -> None:
    with client.responses.connect() as connection:
        connection.send({"type": "response.create", "model": "gpt-4.1", "input": "hi", "temperature": 9})
        event = connection.recv()
        assert event.type == "error" and event.status == 400
        assert event.error.param == "temperature"
        connection.response.create(model="gpt-4.1", input="hi")
        events = list(connection)
        assert events[-1].response.output_text == "Mock answer to: hi."


def test_a_drop_mid_response_raises_with_the_partial_response(client: OpenAI) -> None:
    manager = client.responses.connect(extra_headers={"x-mock-fault": "drop-after=3"})
    connection = manager.enter()
    connection.response.create(model="gpt-4.1", input="Tell a story")
    got = []
    with pytest.raises(APIConnectionError) as info:
        for event in connection:
            got.append(event)
    assert len(got) == 3
    assert "1006" in str(info.value.__cause__)
    assert info.value.partial_response is not None and info.value.partial_response.id.startswith("resp_")
    connection.close()


def test_a_refused_upgrade_and_a_stall(mock: Any, client: OpenAI) -> None:
    with pytest.raises(AuthenticationError) as info:
        client.responses.connect(extra_headers={"x-mock-fault": "status=401"}).enter()
    assert info.value.status_code == 401
    slow = client.with_options(timeout=0.3)
    with slow.responses.connect(extra_headers={"x-mock-fault": "stall-after=2"}) as connection:
        connection.response.create(model="gpt-4.1", input="hi")
        with pytest.raises(APITimeoutError):
            list(connection)
    with pytest.raises(TypeError):
        client.responses.connect(on_reconnecting=lambda e: None)


def test_async_connect(aclient: AsyncOpenAI) -> None:
    async def run() -> List[str]:
        async with aclient.responses.connect() as connection:
            await connection.response.create(model="gpt-4.1", input="Say hi", store=False)
            types = [e.type async for e in connection]
            first = await _last_id(connection, "And again")
            return types + [first]

    async def _last_id(connection: Any, text: str) -> str:
        await connection.send({"type": "response.create", "model": "gpt-4.1", "input": text})
        event = await connection.recv()
        assert event.type == "response.created"
        rest = [e async for e in connection]
        return rest[-1].response.output_text  # type: ignore[no-any-return]

    out = asyncio.run(run())
    assert out[0] == "response.created" and out[-2] == "response.completed"
    assert out[-1] == "Mock answer to: And again."


def test_async_sends_do_not_wait_for_a_read_in_progress(aclient: AsyncOpenAI) -> None:
    """One task iterates while another sends: the send goes out at once
    (the second create is sent while the first response still thinks)."""

    async def run() -> List[str]:
        order: List[str] = []
        async with aclient.responses.connect() as connection:
            await connection.response.create(model="mock-fault:think-ms=500", input="slow one")

            async def read() -> None:
                async for event in connection:
                    if event.type == "response.completed":
                        order.append("completed " + event.response.output_text)

            reader = asyncio.create_task(read())
            await asyncio.sleep(0.05)  # the reader is waiting for the first event
            await connection.response.create(model="gpt-4.1", input="fast one")
            order.append("sent the second")
            await asyncio.wait_for(reader, 10)
        return order

    order = asyncio.run(run())
    assert order[0] == "sent the second", order
    assert [o.split(":")[0] for o in order[1:]] == ["completed Mock answer to"] * 2, order


def test_websocket_base_url_takes_the_base_urls_place(mock: Any) -> None:
    """openai-python's `websocket_base_url`: the socket goes there (with
    `/responses` after it), whatever `base_url` says."""
    client = OpenAI(api_key="k", base_url="http://127.0.0.1:9/nowhere/v1",
                    websocket_base_url=mock.url.replace("http://", "ws://"))
    with client.responses.connect() as connection:
        connection.response.create(model="gpt-4.1", input="hi")
        events = list(connection)
    assert events[-1].response.output_text == "Mock answer to: hi."
