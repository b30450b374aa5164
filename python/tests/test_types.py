"""The generated types (rapidresponse.types and the table behind them) against the
recorded fixtures, and against openai-python's own models when openai is installed.
Needs neither the network nor the native extension."""

from __future__ import annotations

import importlib
import importlib.util
import json
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterator, List, Tuple

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parents[1] / "tests" / "fixtures"

if importlib.util.find_spec("rapidresponse") is None:
    # Not installed: the source tree (python/) is the package.
    sys.path.insert(0, str(HERE.parent))
try:
    import rapidresponse  # noqa: F401
except ImportError:
    # The native extension is not built. The types need only pure-Python modules:
    # enter the package without running its __init__.
    _bare = ModuleType("rapidresponse")
    _bare.__path__ = list(importlib.util.find_spec("rapidresponse").submodule_search_locations or ())  # type: ignore[union-attr]
    sys.modules["rapidresponse"] = _bare

from rapidresponse._models import _new, class_for, union_classes  # noqa: E402

RESPONSE_FILES = sorted(p for p in (FIXTURES / "responses").glob("*.json") if not p.name.endswith(".expect.json"))
SSE_FILES = sorted((FIXTURES / "sse").glob("*.sse"))


def sse_events(path: Path) -> Iterator[Dict[str, Any]]:
    """The JSON objects of an SSE recording (a truncated last event is left out)."""
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    for block in text.split("\n\n"):
        data = [line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")]
        if not data:
            continue
        try:
            value = json.loads("\n".join(data))
        except ValueError:
            continue
        if isinstance(value, dict):
            yield value


def our_event(data: Dict[str, Any]) -> Any:
    tag, classes, fallback = union_classes("ResponseStreamEvent")
    return _new(classes.get(data.get(tag), fallback), data)


def all_events() -> List[Tuple[str, Dict[str, Any]]]:
    return [(f"{p.stem}:{i}", e) for p in SSE_FILES for i, e in enumerate(sse_events(p))]


def canon(value: Any) -> Any:
    """JSON value equality: 1 and 1.0 are the same number (openai turns ints into floats)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


# -- without openai -------------------------------------------------------------------------


def test_fixtures_found() -> None:
    assert len(RESPONSE_FILES) >= 5 and len(SSE_FILES) >= 5


def test_stream_union_has_every_event() -> None:
    tag, classes, fallback = union_classes("ResponseStreamEvent")
    assert tag == "type" and len(classes) == 59
    ref = Path(__file__).resolve().parents[3] / "shared" / "reference" / "responses-types.json"  # beside the checkout
    if ref.exists():
        expected = json.loads(ref.read_text())["_meta"]["stream_event_classes"]
        assert {k: v.__name__ for k, v in classes.items()} == expected


def test_package_exports() -> None:
    from rapidresponse.types.responses import (
        Response,
        ResponseInputParam,
        ResponseStreamEvent,
        ResponseTextDeltaEvent,
        ToolParam,
    )

    assert Response is class_for("Response")
    assert ResponseTextDeltaEvent.__module__ == "rapidresponse.types.responses.response_text_delta_event"
    assert ResponseTextDeltaEvent in ResponseStreamEvent.__args__  # type: ignore[attr-defined]
    assert len(ResponseStreamEvent.__args__) == 59  # type: ignore[attr-defined]
    assert ResponseInputParam is list and ToolParam is dict

    import rapidresponse.types as types
    import rapidresponse.types.chat as chat
    import rapidresponse.types.shared as shared

    assert types.Completion is class_for("Completion")
    assert types.Reasoning is shared.Reasoning
    assert chat.ChatCompletionMessageToolCall is chat.ChatCompletionMessageFunctionToolCall
    assert chat.ChatCompletionMessageParam is dict
    from rapidresponse.types.shared_params import Reasoning as ReasoningParam

    assert ReasoningParam is dict  # a request TypedDict, though a model shares its name
    assert "Response" in dir(types.responses)
    with pytest.raises(AttributeError):
        types.responses.NoSuchType  # noqa: B018


def test_deep_imports() -> None:
    from rapidresponse.types.chat.chat_completion_chunk import Choice
    from rapidresponse.types.responses import ResponseOutputMessage, ResponseStreamEvent
    from rapidresponse.types.responses.response_output_message import ResponseOutputMessage as deep
    from rapidresponse.types.responses.response_stream_event import ResponseStreamEvent as deep_union

    assert deep is ResponseOutputMessage
    assert deep_union == ResponseStreamEvent
    # Classes openai does not export keep openai's name and module.
    assert Choice.__name__ == "Choice" and Choice.__module__ == "rapidresponse.types.chat.chat_completion_chunk"
    assert Choice is not importlib.import_module("rapidresponse.types.chat.chat_completion").Choice
    # Request TypedDicts openai only defines in a module: plain dicts here.
    from rapidresponse.types.chat.completion_create_params import WebSearchOptions
    from rapidresponse.types.responses.response_input_param import Message, ResponseInputParam

    assert WebSearchOptions is dict and Message is dict and ResponseInputParam is list
    with pytest.raises(ImportError):
        importlib.import_module("rapidresponse.types.responses.no_such_module")


def test_import_builds_nothing() -> None:
    # In a fresh interpreter, and without the package's __init__ (the client's imports
    # are not what is measured here).
    code = f"""
import sys, types
sys.path[:0] = {[p for p in sys.path if p]!r}
package = types.ModuleType("rapidresponse")
package.__path__ = {list(sys.modules["rapidresponse"].__path__)!r}
sys.modules["rapidresponse"] = package
import rapidresponse.types.responses, rapidresponse._models as m
assert not m._CLASSES, m._CLASSES
assert "rapidresponse.types._schema" not in sys.modules
"""
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.stem)
def test_response_fixture(path: Path) -> None:
    body = json.loads(path.read_text())
    # The object's __dict__ is the body itself (converted in place): compare with a copy.
    resp = _new(class_for("Response"), json.loads(path.read_text()))
    assert resp.id == body["id"]
    for item, raw in zip(resp.output, body["output"]):
        assert type(item).__name__ != "dict"
        assert item.type == raw["type"]
    assert resp.to_dict() == body  # what the server sent, unchanged


def test_nested_classes_and_fields() -> None:
    from rapidresponse.types.responses import Response, ResponseOutputMessage, ResponseOutputText

    body = json.loads((FIXTURES / "responses" / "simple.json").read_text())
    body["brand_new_field"] = {"x": 1}
    body.pop("user", None)
    resp = _new(Response, body)
    assert isinstance(resp.output[0], ResponseOutputMessage)
    assert isinstance(resp.output[0].content[0], ResponseOutputText)
    assert resp.output[0] is resp.output[0]  # converted once
    assert resp.brand_new_field == {"x": 1}  # unknown members read as sent
    assert resp.user is None  # a known field not sent
    with pytest.raises(AttributeError):
        resp.no_such_field  # noqa: B018
    assert pickle.loads(pickle.dumps(resp)) == resp


def test_shared_tag_told_apart() -> None:
    """input_items.list: a "message" is a ResponseInputMessageItem or a
    ResponseOutputMessage depending on its role."""
    from rapidresponse.types.responses import ResponseInputMessageItem, ResponseItemList, ResponseOutputMessage

    page = _new(
        ResponseItemList,
        {
            "object": "list",
            "data": [
                {"id": "msg_1", "type": "message", "role": "user", "status": "completed",
                 "content": [{"type": "input_text", "text": "hi"}]},
                {"id": "msg_2", "type": "message", "role": "assistant", "status": "completed",
                 "content": [{"type": "output_text", "text": "hello", "annotations": []}]},
            ],
            "first_id": "msg_1", "last_id": "msg_2", "has_more": False,
        },
    )
    assert isinstance(page.data[0], ResponseInputMessageItem)
    assert isinstance(page.data[1], ResponseOutputMessage)


def test_subclass_isinstance() -> None:
    from rapidresponse.types.responses import ResponseFunctionToolCall, ResponseFunctionToolCallItem

    assert issubclass(ResponseFunctionToolCallItem, ResponseFunctionToolCall)


def test_aliased_field() -> None:
    from rapidresponse.types.responses import FunctionTool, ResponseFormatTextJSONSchemaConfig

    fmt = _new(ResponseFormatTextJSONSchemaConfig, {"type": "json_schema", "name": "x", "schema": {"a": 1}})
    assert fmt.schema_ == {"a": 1}
    assert fmt.model_dump()["schema_"] == {"a": 1} and fmt.to_dict()["schema"] == {"a": 1}
    assert _new(FunctionTool, {"type": "function", "name": "f"}).async_ is None


@pytest.mark.parametrize("name, event", all_events(), ids=lambda v: v if isinstance(v, str) else "")
def test_stream_event(name: str, event: Dict[str, Any]) -> None:
    obj = our_event(json.loads(json.dumps(event)))
    obj.model_dump()  # converts every nested field
    assert obj.to_dict() == event
    if event.get("type") == "response.output_text.delta":
        from rapidresponse.types.responses import ResponseTextDeltaEvent

        assert isinstance(obj, ResponseTextDeltaEvent) and obj.delta == event["delta"]


# -- against openai-python --------------------------------------------------------------------


def openai_dumps(model: Any) -> Tuple[Any, Any]:
    return (
        canon(model.model_dump(warnings=False)),
        canon(model.model_dump(exclude_unset=True, warnings=False)),
    )


def our_dumps(model: Any) -> Tuple[Any, Any]:
    return canon(model.model_dump()), canon(model.model_dump(exclude_unset=True))


@pytest.mark.parametrize("path", RESPONSE_FILES, ids=lambda p: p.stem)
def test_response_like_openai(path: Path) -> None:
    responses = pytest.importorskip("openai.types.responses")
    body = json.loads(path.read_text())
    theirs = responses.Response.construct(**json.loads(path.read_text()))
    ours = _new(class_for("Response"), body)
    assert our_dumps(ours) == openai_dumps(theirs)
    assert canon(ours.to_dict()) == canon(theirs.to_dict(warnings=False))
    for a, b in zip(ours.output, theirs.output):
        assert type(a).__name__ == type(b).__name__
        assert type(a).__module__.split(".")[2:] == type(b).__module__.split(".")[2:]
    if hasattr(type(ours), "output_text"):  # hand-written (a mixin), when the client is installed
        assert ours.output_text == theirs.output_text


CHAT_BODIES = {
    "ChatCompletion": {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1767247200, "model": "gpt-4.1",
        "choices": [{
            "index": 0, "finish_reason": "tool_calls", "logprobs": None,
            "message": {
                "role": "assistant", "content": None, "refusal": None,
                "annotations": [{"type": "url_citation", "url_citation": {
                    "url": "https://example.com", "title": "x", "start_index": 0, "end_index": 1}}],
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "call_2", "type": "custom", "custom": {"name": "g", "input": "x"}},
                ],
            },
        }],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
                  "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}},
        "service_tier": "default", "system_fingerprint": None, "a_new_field": [1, 2],
    },
    "ChatCompletionChunk": {
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1767247200, "model": "gpt-4.1",
        "choices": [{"index": 0, "finish_reason": None, "delta": {
            "role": "assistant",
            "tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}}],
        }}],
    },
    "Completion": {
        "id": "cmpl-1", "object": "text_completion", "created": 1767247200, "model": "gpt-3.5-turbo-instruct",
        "choices": [{"index": 0, "text": "hi", "finish_reason": "stop",
                     "logprobs": {"tokens": ["hi"], "token_logprobs": [-0.1], "top_logprobs": [{"hi": -0.1}], "text_offset": [0]}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    },
}


@pytest.mark.parametrize("name", sorted(CHAT_BODIES))
def test_chat_and_completions_like_openai(name: str) -> None:
    types = pytest.importorskip("openai.types")
    theirs_cls = getattr(types.chat if name.startswith("Chat") else types, name)
    theirs = theirs_cls.construct(**json.loads(json.dumps(CHAT_BODIES[name])))
    ours = _new(class_for(name), json.loads(json.dumps(CHAT_BODIES[name])))
    assert our_dumps(ours) == openai_dumps(theirs)
    assert type(ours.choices[0]).__name__ == type(theirs.choices[0]).__name__
    if name == "ChatCompletion":
        calls = ours.choices[0].message.tool_calls
        assert [type(c).__name__ for c in calls] == [type(c).__name__ for c in theirs.choices[0].message.tool_calls]


def test_stream_events_like_openai() -> None:
    pytest.importorskip("openai")
    from openai._models import construct_type
    from openai.types.responses import ResponseStreamEvent

    events = all_events()
    assert len(events) > 100
    for name, event in events:
        theirs = construct_type(value=json.loads(json.dumps(event)), type_=ResponseStreamEvent)
        ours = our_event(event)
        assert type(ours).__name__ == type(theirs).__name__, name
        assert our_dumps(ours) == openai_dumps(theirs), name


def test_table_matches_openai() -> None:
    """Every class of the table has openai's fields, in openai's order, and its module."""
    pytest.importorskip("openai")
    import openai.types

    schema = importlib.import_module("rapidresponse.types._schema")
    for key, entry in schema.CLASSES.items():
        module = importlib.import_module("openai.types." + entry[0])
        theirs = getattr(module, key.rpartition(".")[2])
        assert tuple(theirs.model_fields) == entry[1], key
    for pkg, names in schema.EXPORTS.items():
        module = importlib.import_module("openai.types" + ("." + pkg if pkg else ""))
        for name in names:
            assert hasattr(module, name), (pkg, name)
    assert openai.types  # imported for its side effect only
