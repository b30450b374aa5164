"""The official openai-python SDK against rapidresponse-mock: every answer
the mock gives must parse into the SDK's own types. Usage:
python openai_python.py BASE_URL"""

import sys

import openai
from openai import OpenAI

base_url = sys.argv[1]
client = OpenAI(base_url=base_url, api_key="sk-compat", max_retries=0, timeout=20)
checks = []


def check(name):
    def register(fn):
        checks.append((name, fn))
        return fn

    return register


@check("create")
def _():
    r = client.responses.create(model="gpt-4.1", input="Write FizzBuzz in Python", instructions="Be brief",
                                temperature=0.2, max_output_tokens=4096, store=True)
    assert r.status == "completed" and "FizzBuzz" in r.output_text, r
    assert r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    assert r._request_id.startswith("req_")
    return r


@check("stream events")
def _():
    deltas, types = [], []
    for event in client.responses.create(model="gpt-4.1", input="Tell me a story", stream=True):
        types.append(event.type)
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        if event.type == "response.completed":
            assert event.response.output_text == "".join(deltas)
            assert event.response.usage.total_tokens > 0
    assert types[0] == "response.created" and types[-1] == "response.completed", types


@check("stream helper")
def _():
    with client.responses.stream(model="o4-mini", input="Think", reasoning={"effort": "high", "summary": "auto"}) as s:
        for _ in s:
            pass
        final = s.get_final_response()
    assert final.output[0].type == "reasoning" and final.output[0].summary[0].text
    assert final.output_text


@check("chain, retrieve, input items, delete")
def _():
    first = client.responses.create(model="gpt-4.1", input="My name is Ada.")
    second = client.responses.create(model="gpt-4.1", input="What is my name?", previous_response_id=first.id)
    got = client.responses.retrieve(second.id)
    assert got.previous_response_id == first.id
    items = client.responses.input_items.list(second.id)
    assert len(items.data) >= 1 and items.data[0].type == "message"
    client.responses.delete(first.id)
    try:
        client.responses.retrieve(first.id)
        raise AssertionError("a deleted response is gone")
    except openai.NotFoundError as e:
        assert e.status_code == 404


@check("function calling loop")
def _():
    tools = [{"type": "function", "name": "get_weather", "description": "Weather",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                             "additionalProperties": False}, "strict": True}]
    context = [{"role": "user", "content": "Weather in Paris?"}]
    r = client.responses.create(model="o4-mini", input=context, tools=tools,
                                store=False, include=["reasoning.encrypted_content"])
    call = next(item for item in r.output if item.type == "function_call")
    context += r.output
    context.append({"type": "function_call_output", "call_id": call.call_id, "output": '{"temp": 21}'})
    r2 = client.responses.create(model="o4-mini", input=context, tools=tools, store=False)
    assert "21" in r2.output_text, r2.output_text


@check("background and cancel")
def _():
    r = client.responses.create(model="gpt-4.1", input="slow job", background=True)
    assert r.status == "queued"
    cancelled = client.responses.cancel(r.id)
    assert cancelled.status == "cancelled"


@check("errors")
def _():
    try:
        client.responses.create(model="gpt-4.1", input="x", temperature=5)
        raise AssertionError("expected a 400")
    except openai.BadRequestError as e:
        assert e.param == "temperature" and e.status_code == 400
    try:
        client.responses.create(model="gpt-4.1", input="x", extra_headers={"x-mock-fault": "status=429"})
        raise AssertionError("expected a 429")
    except openai.RateLimitError as e:
        assert e.code == "rate_limit_exceeded"


@check("chat and legacy completions")
def _():
    c = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}],
                                       max_tokens=50, temperature=0.5)
    assert c.choices[0].message.content
    text = "".join(ch.choices[0].delta.content or "" for ch in
                   client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}],
                                                  stream=True) if ch.choices)
    assert text == c.choices[0].message.content
    legacy = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi")
    assert legacy.choices[0].text and legacy.choices[0].finish_reason == "stop"


@check("compact and input tokens")
def _():
    compacted = client.responses.compact(model="gpt-4.1", input="a long history")
    assert compacted.output
    count = client.responses.input_tokens.count(model="gpt-4.1", input="one two three")
    assert count.input_tokens > 0


@check("conversations and their items")
def _():
    conv = client.conversations.create(items=[{"type": "message", "role": "user", "content": "I am Ada."}],
                                       metadata={"job": "compat"})
    assert conv.id.startswith("conv_") and conv.metadata == {"job": "compat"}
    r = client.responses.create(model="gpt-4.1", input="What is my name?", conversation=conv.id)
    assert r.conversation is not None and r.conversation.id == conv.id
    items = list(client.conversations.items.list(conv.id, order="asc", limit=2))
    assert [i.type for i in items] == ["message"] * 3 and [i.role for i in items] == ["user", "user", "assistant"]
    assert items[2].content[0].text == r.output_text
    added = client.conversations.items.create(conv.id, items=[{"type": "message", "role": "user", "content": "x"}])
    assert len(added.data) == 1 and added.data[0].content[0].text == "x"
    got = client.conversations.items.retrieve(added.data[0].id, conversation_id=conv.id)
    assert got.id == added.data[0].id
    assert client.conversations.items.delete(got.id, conversation_id=conv.id).id == conv.id
    assert client.conversations.update(conv.id, metadata={"job": "done"}).metadata == {"job": "done"}
    assert client.conversations.retrieve(conv.id).id == conv.id
    deleted = client.conversations.delete(conv.id)
    assert deleted.deleted and deleted.object == "conversation.deleted"
    try:
        client.conversations.retrieve(conv.id)
        raise AssertionError("a deleted conversation is gone")
    except openai.NotFoundError:
        pass


@check("models: list, retrieve, the API's 404 and 403")
def _():
    page = client.models.list()
    assert page.data and all(m.object == "model" and m.id for m in page.data)
    one = client.models.retrieve(page.data[0].id)
    assert one.id == page.data[0].id and one.owned_by == page.data[0].owned_by
    try:
        client.models.retrieve("no-such-model")
        raise AssertionError("a missing model is a 404")
    except openai.NotFoundError as e:
        assert e.code == "model_not_found", e
    try:
        client.models.delete("gpt-4.1")
        raise AssertionError("a base model is not deletable")
    except openai.PermissionDeniedError:
        pass


@check("WebSocket mode: a chain and an error event")
def _():
    with client.responses.connect() as connection:
        connection.response.create(model="gpt-4.1", input="My name is Ada.")
        first = None
        for event in connection:
            if event.type == "response.completed":
                first = event.response
                break
        assert first is not None and first.output_text
        connection.response.create(model="gpt-4.1", input="What is my name?", previous_response_id=first.id)
        for event in connection:
            if event.type == "response.completed":
                assert "(turn 2)" in event.response.output_text, event.response.output_text
                break
        connection.send({"type": "response.create", "model": "gpt-4.1", "input": "x", "temperature": 9})
        event = connection.recv()
        assert event.type == "error" and event.status == 400, event


@check("WebSocket mode: lanes echo their stream_id; on_reconnecting after a drop")
def _():
    with client.responses.connect() as connection:
        connection.response.create(model="mock-fault:think-ms=300", input="Slow", stream_id="slow")
        connection.response.create(model="gpt-4.1", input="Fast", stream_id="fast")
        done = []
        for event in connection:
            if event.type == "response.completed":
                done.append(event.stream_id)
                if len(done) == 2:
                    break
        assert done == ["fast", "slow"], done
    seen = []
    holder = {}

    def on_reconnecting(event):
        seen.append(event.close_code)
        # Sent while reconnecting: openai-python queues it for the new socket.
        holder["connection"].response.create(model="gpt-4.1", input="After the drop")

    manager = client.responses.connect(on_reconnecting=on_reconnecting, initial_delay=0.01)
    with manager as connection:
        holder["connection"] = connection
        connection.response.create(model="mock-fault:drop-after=2", input="Drop me")
        for event in connection:
            if event.type == "response.completed":
                assert event.response.output_text == "Mock answer to: After the drop.", event
                break
    assert seen == [1006], seen


passed = failed = 0
for name, fn in checks:
    try:
        fn()
        passed += 1
        print(f"ok   openai-python {openai.__version__}: {name}")
    except Exception as e:  # report every check, then fail
        failed += 1
        print(f"FAIL openai-python {openai.__version__}: {name}: {type(e).__name__}: {e}")
print(f"openai-python: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
