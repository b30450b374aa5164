"""Every operation sent by this package and by openai-python to the mock,
compared as the server saw them: the method, the path, the query string and
every header byte for byte, and the body as JSON. Left out of the
comparison: what the transport or the SDK's identity sets (host,
connection, content-length, accept-encoding, user-agent and openai-python's
x-stainless-* telemetry)."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List

import pytest

import rapidresponse
from rapidresponse.testing import MockServer

openai = pytest.importorskip("openai")

IGNORED = {"host", "connection", "content-length", "accept-encoding", "user-agent"}


def _seen(mock: MockServer) -> List[Dict[str, Any]]:
    out = []
    for r in mock.requests():
        headers = {k: v for k, v in r["headers"].items() if k not in IGNORED and not k.startswith("x-stainless")}
        out.append({"method": r["method"], "path": r["path"], "query": r["query"], "headers": headers, "body": r["body"]})
    return out


def _run(mock: MockServer, client: Any, call: Callable[[Any], Any]) -> List[Dict[str, Any]]:
    before = len(mock.requests())
    try:
        result = call(client)
        if hasattr(result, "__iter__") and not isinstance(result, (dict, list, str)):
            for _ in result:
                pass
    except (openai.APIError, rapidresponse.APIError):
        pass  # a 404 from the mock is fine: the request is what is compared
    return _seen(mock)[before:]


ID = "resp_does_not_exist"
CONV = "conv_does/not exist"

CALLS: Dict[str, Callable[[Any], Any]] = {
    "responses.create": lambda c: c.responses.create(model="gpt-4.1", input="hi", temperature=0.2, store=True),
    "responses.create stream": lambda c: c.responses.create(model="gpt-4.1", input="hi", stream=True),
    "responses.retrieve": lambda c: c.responses.retrieve(ID, include=["reasoning.encrypted_content", "a b/c"]),
    "responses.retrieve stream": lambda c: c.responses.retrieve(
        ID, stream=True, starting_after=3, include_obfuscation=False
    ),
    "responses.delete": lambda c: c.responses.delete(ID),
    "responses.cancel": lambda c: c.responses.cancel(ID),
    "responses.compact": lambda c: c.responses.compact(model="gpt-4.1", input="long"),
    "responses.input_tokens.count": lambda c: c.responses.input_tokens.count(model="gpt-4.1", input="one two"),
    "responses.input_items.list": lambda c: c.responses.input_items.list(
        ID, limit=2, order="asc", include=["x y"], after="item 1"
    ),
    "chat.completions.create": lambda c: c.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    ),
    "chat.completions.create stream": lambda c: c.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True,
        stream_options={"include_usage": True},
    ),
    "completions.create": lambda c: c.completions.create(model="gpt-3.5-turbo-instruct", prompt="hi"),
    "conversations.create": lambda c: c.conversations.create(
        items=[{"type": "message", "role": "user", "content": "hi"}], metadata={"k": "v"}
    ),
    "conversations.create empty": lambda c: c.conversations.create(),
    "conversations.retrieve": lambda c: c.conversations.retrieve(CONV),
    "conversations.update": lambda c: c.conversations.update(CONV, metadata={"k": "v"}),
    "conversations.delete": lambda c: c.conversations.delete(CONV),
    "conversations.items.create": lambda c: c.conversations.items.create(
        CONV, items=[{"role": "user", "content": "more"}], include=["message.output_text.logprobs"]
    ),
    "conversations.items.list": lambda c: c.conversations.items.list(
        CONV, limit=5, order="asc", after="msg 1", include=["a b"]
    ),
    "conversations.items.retrieve": lambda c: c.conversations.items.retrieve(
        "msg_1", conversation_id=CONV, include=["x"]
    ),
    "conversations.items.delete": lambda c: c.conversations.items.delete("msg_1", conversation_id=CONV),
    "responses.create in a conversation": lambda c: c.responses.create(
        model="gpt-4.1", input="hi", conversation={"id": CONV}
    ),
    "models.list": lambda c: c.models.list(),
    "models.retrieve": lambda c: c.models.retrieve("ft:gpt-4.1:org/x y"),
    "models.delete": lambda c: c.models.delete("ft:gpt-4.1:org/x y"),
    "extra headers, query and body": lambda c: c.responses.retrieve(
        ID,
        extra_query={"a b": "c d&e", "n": {"x": [1, True, None]}, "t": True, "none": None},
        extra_headers={"X-Extra": "v", "OpenAI-Project": openai.Omit() if c.__module__.startswith("openai") else rapidresponse.omit},
        extra_body=None,
    ),
    "extra body": lambda c: c.responses.create(model="gpt-4.1", input="x", extra_body={"custom": {"k": [1]}}),
    "raw get and post": lambda c: (
        c.get("/models", cast_to=object, options={"params": {"limit": 5}}),
        c.post("/embeddings", cast_to=object, body={"model": "m", "input": "x"}),
    ),
}


@pytest.fixture(params=sorted(CALLS), ids=lambda n: n.replace(" ", "_"))
def call(request: Any) -> Callable[[Any], Any]:
    return CALLS[request.param]


def _clients(mock: MockServer, module: Any) -> Any:
    return module.OpenAI(
        api_key="sk-compare",
        base_url=mock.url,
        organization="org_1",
        project="proj_1",
        max_retries=0,
        default_headers={"X-Default": "d"},
        default_query={"dq": "1"},
    )


def test_every_operation_sends_what_openai_python_sends(mock: MockServer, call: Callable[[Any], Any]) -> None:
    ours = _run(mock, _clients(mock, rapidresponse), call)
    theirs = _run(mock, _clients(mock, openai), call)
    assert ours, "the call reached the server"
    assert ours == theirs


@pytest.mark.parametrize("deployment", [None, "dep-1"])
def test_azure_sends_what_openai_python_sends(mock: MockServer, deployment: Any) -> None:
    def make(module: Any) -> Any:
        return module.AzureOpenAI(
            api_key="az-key",
            api_version="2025-04-01-preview",
            azure_endpoint=mock.root_url,
            azure_deployment=deployment,
            max_retries=0,
        )

    def calls(c: Any) -> Any:
        c.responses.create(model="gpt-4o", input="hi")
        c.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])

    ours, theirs = _run(mock, make(rapidresponse), calls), _run(mock, make(openai), calls)
    assert len(ours) == 2 and ours == theirs
    assert make(rapidresponse).base_url == make(openai).base_url
    assert all(r["headers"]["api-key"] == "******" for r in ours), "the key as api-key (masked)"
