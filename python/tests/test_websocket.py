"""`client.responses.connect()` against the mock's WebSocket mode, sync and
async: openai-python's shape (context manager, `response.create`, `recv`,
iteration, typed events), a function-calling chain whose events equal the
same requests over HTTP streaming, `error` events returned as events, and
the faults (a drop without a close frame mid-response, a refused upgrade,
a stall past the read timeout), lanes (`stream_id`), `on_reconnecting`,
handlers and `dispatch_events`."""

from __future__ import annotations

import asyncio
import json
from typing import Any, List

import pytest

from rapidresponse import (
    APIConnectionError,
    APITimeoutError,
    AsyncOpenAI,
    AuthenticationError,
    OpenAI,
    OpenAIError,
    WebSocketConnectionClosedError,
    WebSocketQueueFullError,
)
from rapidresponse.types.websocket_reconnection import ReconnectingEvent, is_recoverable_close
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


def test_lanes_run_side_by_side(client: OpenAI) -> None:
    with client.responses.connect() as connection:
        connection.response.create(model="mock-fault:think-ms=300", input="Slow question", stream_id="slow")
        connection.response.create(model="gpt-4.1", input="Fast question", stream_id="fast")
        done = [(e.stream_id, e.response.output_text) for e in connection if e.type == "response.completed"]
    # On one first-in-first-out lane the slow one would finish first.
    assert done == [("fast", "Mock answer to: Fast question."), ("slow", "Mock answer to: Slow question.")]


def test_on_reconnecting_opens_again_with_its_overrides_and_resends_nothing(mock: Any, client: OpenAI) -> None:
    seen: List[ReconnectingEvent] = []

    def on_reconnecting(event: ReconnectingEvent) -> Any:
        seen.append(event)
        return {"extra_headers": {**event.extra_headers, "x-session": "resumed"}}

    manager = client.responses.connect(
        extra_headers={"x-first": "1"}, on_reconnecting=on_reconnecting, initial_delay=0.02, max_delay=0.05
    )
    with manager as connection:
        connection.response.create(model="mock-fault:drop-after=2", input="Tell a story")
        got = []
        with pytest.raises(APIConnectionError) as info:
            for event in connection:
                got.append(event)
        assert len(got) == 2 and info.value.partial_response is not None
        # Sent while reconnecting: it goes out on the new socket.
        connection.response.create(model="gpt-4.1", input="hi")
        events = list(connection)
        assert events[-1].response.output_text == "Mock answer to: hi."
    assert [(e.attempt, e.max_attempts, e.close_code) for e in seen] == [(1, 5, 1006)]
    assert 0.015 <= seen[0].delay <= 0.02 and seen[0].extra_headers == {"x-first": "1"}
    upgrades = [r for r in mock.requests() if r["method"] == "GET"]
    assert upgrades[-1]["headers"]["x-session"] == "resumed" and upgrades[-1]["headers"]["x-first"] == "1"
    inputs = [r["body"]["input"] for r in mock.requests() if r["method"] == "WS"]
    assert inputs[-2:] == ["Tell a story", "hi"], "nothing in flight is sent twice"
    assert is_recoverable_close(1006) and not is_recoverable_close(1000)


def test_an_aborted_reconnect_raises_with_the_unsent_messages(client: OpenAI) -> None:
    manager = client.responses.connect(on_reconnecting=lambda e: {"abort": True}, max_queue_size=300)
    with manager as connection:
        connection.response.create(model="mock-fault:drop-after=1", input="Tell a story")
        with pytest.raises(APIConnectionError):
            list(connection)
        with pytest.raises(WebSocketQueueFullError):
            connection.response.create(model="gpt-4.1", input="x" * 500)
        connection.response.create(model="gpt-4.1", input="queued")
        with pytest.raises(WebSocketConnectionClosedError) as info:
            list(connection)
        assert len(info.value.unsent_messages) == 1
        assert json.loads(info.value.unsent_messages[0])["input"] == "queued"
        assert "queued" not in repr(info.value)


def test_handlers_dispatch_and_messages_sent_before_the_connection_opens(client: OpenAI) -> None:
    manager = client.responses.connect()
    manager.send({"type": "response.create", "model": "gpt-4.1", "input": "early"})
    completed: List[str] = []
    deltas: List[str] = []
    manager.on("response.completed", lambda e: completed.append(e.response.output_text))
    with manager as connection:
        # Once open, the manager's send goes straight out.
        manager.send({"type": "response.create", "model": "gpt-4.1", "input": "via the manager"})

        @connection.once("response.output_text.delta")
        def first_delta(event: Any) -> None:
            deltas.append(event.delta)

        def chain(event: Any) -> None:
            if len(completed) == 1:
                connection.send_raw(json.dumps({"type": "response.create", "model": "gpt-4.1", "input": "late"}))

        connection.on("response.completed", chain)
        connection.dispatch_events()
    assert completed == ["Mock answer to: early.", "Mock answer to: via the manager.", "Mock answer to: late."]
    assert len(deltas) == 1
    with client.responses.connect() as connection:
        connection.send({"type": "response.create", "model": "gpt-4.1", "input": "hi", "temperature": 9})
        with pytest.raises(OpenAIError, match="WebSocket error"):
            connection.dispatch_events()


def test_async_reconnect_and_dispatch(mock: Any, aclient: AsyncOpenAI) -> None:
    async def run() -> List[str]:
        out: List[str] = []

        async def record(event: Any) -> None:
            out.append(event.response.output_text)

        manager = aclient.responses.connect(on_reconnecting=lambda e: None, initial_delay=0.01)
        async with manager as connection:
            await connection.response.create(model="mock-fault:drop-after=2", input="story")
            with pytest.raises(APIConnectionError):
                async for _ in connection:
                    pass
            connection.on("response.completed", record)
            await connection.response.create(model="gpt-4.1", input="again")
            await connection.dispatch_events()
        return out

    assert asyncio.run(run()) == ["Mock answer to: again."]
