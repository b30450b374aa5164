"""Conversations, models and webhooks, as openai-python offers them: a three-turn
conversation through `conversation=`, its items listed back in order, item
and conversation deletion (sync and async, against the mock); webhook
verdicts compared with openai-python's own `webhooks.unwrap` on the same
inputs; `models.list/retrieve/delete` giving what openai-python gives from
the same mock."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from typing import Any, Dict, List, Optional

import openai
import pytest

import rapidresponse
from rapidresponse import AsyncOpenAI, InvalidWebhookSignatureError, NotFoundError, OpenAI
from rapidresponse.types.conversations import Conversation, ConversationDeletedResource, Message

QUESTIONS = ["Name a prime", "And another", "Which is larger"]


def _texts(items: Any) -> List[str]:
    return [item.content[0].text for item in items]


def test_a_three_turn_conversation_in_order_then_deleted(client: OpenAI) -> None:
    conv = client.conversations.create(metadata={"job": "review"})
    assert isinstance(conv, Conversation)
    assert conv.id.startswith("conv_") and conv.object == "conversation"
    assert conv.metadata == {"job": "review"}
    answers = []
    for question in QUESTIONS:
        r = client.responses.create(model="gpt-4.1", input=question, conversation=conv.id)
        assert r.conversation is not None and r.conversation.id == conv.id
        answers.append(r.output_text)
    assert answers[2] == "Mock answer to: Which is larger. (turn 3)"

    # Newest first by default; iterating walks every page (two per page).
    page = client.conversations.items.list(conv.id, limit=2)
    assert type(page).__name__ == "SyncConversationCursorPage"
    assert page.has_more is True and page.last_id == page.data[-1].id
    everything = list(page)
    assert _texts(everything) == [answers[2], QUESTIONS[2], answers[1], QUESTIONS[1], answers[0], QUESTIONS[0]]
    oldest_first = list(client.conversations.items.list(conv.id, order="asc"))
    assert _texts(oldest_first) == [QUESTIONS[0], answers[0], QUESTIONS[1], answers[1], QUESTIONS[2], answers[2]]
    assert all(isinstance(item, Message) for item in oldest_first)
    assert [item.role for item in oldest_first] == ["user", "assistant"] * 3

    item = client.conversations.items.retrieve(oldest_first[1].id, conversation_id=conv.id)
    assert isinstance(item, Message) and item.content[0].text == answers[0]
    after = client.conversations.items.delete(oldest_first[1].id, conversation_id=conv.id)
    assert isinstance(after, Conversation) and after.id == conv.id
    with pytest.raises(NotFoundError):
        client.conversations.items.retrieve(oldest_first[1].id, conversation_id=conv.id)
    assert len(list(client.conversations.items.list(conv.id))) == 5

    added = client.conversations.items.create(
        conv.id, items=[{"type": "message", "role": "user", "content": "Added by hand"}]
    )
    assert [i.content[0].text for i in added.data] == ["Added by hand"]
    assert client.conversations.update(conv.id, metadata={"job": "done"}).metadata == {"job": "done"}
    assert client.conversations.retrieve(conv.id).metadata == {"job": "done"}
    deleted = client.conversations.delete(conv.id)
    assert isinstance(deleted, ConversationDeletedResource)
    assert (deleted.id, deleted.object, deleted.deleted) == (conv.id, "conversation.deleted", True)
    with pytest.raises(NotFoundError):
        client.conversations.retrieve(conv.id)


def test_async_conversations(aclient: AsyncOpenAI) -> None:
    async def run() -> List[str]:
        conv = await aclient.conversations.create()
        for question in QUESTIONS[:2]:
            await aclient.responses.create(model="gpt-4.1", input=question, conversation={"id": conv.id})
        first = await aclient.conversations.items.list(conv.id, order="asc", limit=1)
        assert type(first).__name__ == "AsyncConversationCursorPage"
        texts = [item.content[0].text async for item in aclient.conversations.items.list(conv.id, order="asc", limit=1)]
        await aclient.conversations.delete(conv.id)
        return texts

    texts = asyncio.run(run())
    assert texts[0::2] == QUESTIONS[:2] and len(texts) == 4


# -- webhooks ---------------------------------------------------------------------------

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
PAYLOAD = (
    '{"id":"evt_1","object":"event","created_at":1750000000,"type":"response.completed",'
    '"data":{"id":"resp_1"}}'
)


def _sign(payload: str, webhook_id: str, timestamp: str, secret: str = SECRET) -> str:
    key = base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_") else secret.encode()
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.{payload}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _cases() -> List[Any]:
    now = int(time.time())
    ts = str(now)
    good = {"webhook-id": "wh_1", "webhook-timestamp": ts, "webhook-signature": _sign(PAYLOAD, "wh_1", ts)}
    old, new = str(now - 400), str(now + 400)
    return [
        ("valid", PAYLOAD, good, SECRET),
        ("valid, several signatures", PAYLOAD, {**good, "webhook-signature": "v1,AAAA " + good["webhook-signature"]}, SECRET),
        ("valid, bytes payload", PAYLOAD.encode(), good, SECRET),
        ("valid, header case", PAYLOAD, {k.upper(): v for k, v in good.items()}, SECRET),
        ("tampered body", PAYLOAD.replace("resp_1", "resp_2"), good, SECRET),
        ("wrong secret", PAYLOAD, good, "whsec_" + base64.b64encode(b"x" * 32).decode()),
        ("plain secret", PAYLOAD, {**good, "webhook-signature": _sign(PAYLOAD, "wh_1", ts, "plain")}, "plain"),
        ("expired", PAYLOAD, {**good, "webhook-timestamp": old, "webhook-signature": _sign(PAYLOAD, "wh_1", old)}, SECRET),
        ("future", PAYLOAD, {**good, "webhook-timestamp": new, "webhook-signature": _sign(PAYLOAD, "wh_1", new)}, SECRET),
        ("bad timestamp", PAYLOAD, {**good, "webhook-timestamp": "soon"}, SECRET),
        ("no signature header", PAYLOAD, {k: v for k, v in good.items() if k != "webhook-signature"}, SECRET),
        ("no id header", PAYLOAD, {k: v for k, v in good.items() if k != "webhook-id"}, SECRET),
        ("no secret", PAYLOAD, good, None),
        ("unknown event type", PAYLOAD.replace("response.completed", "something.new"),
         {**good, "webhook-signature": _sign(PAYLOAD.replace("response.completed", "something.new"), "wh_1", ts)}, SECRET),
    ]


def _verdict(sdk: Any, payload: Any, headers: Dict[str, str], secret: Optional[str]) -> Any:
    try:
        event = sdk.webhooks.unwrap(payload, headers, secret=secret)
    except Exception as e:  # the class name and message are the verdict
        kind = "InvalidWebhookSignatureError" if type(e).__name__ == "InvalidWebhookSignatureError" else type(e).__name__
        return (kind, str(e))
    return ("ok", type(event).__name__, event.type, event.data.id if hasattr(event.data, "id") else None)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c[0])
def test_webhook_verdicts_match_openai_python(case: Any, mock: Any) -> None:
    _, payload, headers, secret = case
    ours = OpenAI(api_key="k", base_url=mock.url)
    official = openai.OpenAI(api_key="k", base_url=mock.url)
    assert _verdict(ours, payload, headers, secret) == _verdict(official, payload, headers, secret)


def test_webhook_classes_and_the_client_secret(mock: Any, monkeypatch: Any) -> None:
    assert issubclass(InvalidWebhookSignatureError, ValueError)
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    client = OpenAI(api_key="k", base_url=mock.url)
    assert client.webhook_secret == SECRET
    _, payload, headers, _ = _cases()[0]
    event = client.webhooks.unwrap(payload, headers)
    assert type(event).__name__ == "ResponseCompletedWebhookEvent"
    assert isinstance(event, rapidresponse.types.webhooks.ResponseCompletedWebhookEvent)
    client.webhooks.verify_signature(payload, headers)
    with pytest.raises(InvalidWebhookSignatureError, match="too old"):
        client.webhooks.verify_signature(payload, headers, tolerance=-1)
    aclient = AsyncOpenAI(api_key="k", base_url=mock.url)
    assert aclient.webhooks.unwrap(payload, headers).type == "response.completed"


def test_models_read_as_openai_python_reads_them() -> None:
    from rapidresponse.pagination import AsyncPage, SyncPage
    from rapidresponse.testing import MockServer
    from rapidresponse.types import Model, ModelDeleted

    with MockServer() as mock:
        ours = OpenAI(api_key="k", base_url=mock.url)
        theirs = openai.OpenAI(api_key="k", base_url=mock.url)
        page, their_page = ours.models.list(), theirs.models.list()
        assert isinstance(page, SyncPage) and isinstance(page.data[0], Model)
        assert page.object == their_page.object == "list" and not page.has_next_page()
        assert [m.to_dict() for m in page] == [m.to_dict() for m in their_page]
        assert ours.models.retrieve("gpt-5").to_dict() == theirs.models.retrieve("gpt-5").to_dict()
        with pytest.raises(NotFoundError) as info:
            ours.models.retrieve("no-such-model")
        assert info.value.code == "model_not_found"
        with pytest.raises(rapidresponse.PermissionDeniedError):
            ours.models.delete("gpt-4.1")
        tuned = next(m.id for m in page if m.id.startswith("ft:"))
        deleted = ours.models.delete(tuned)
        assert isinstance(deleted, ModelDeleted) and deleted.deleted and deleted.id == tuned
        assert [m.id for m in theirs.models.list()] == [m.id for m in page if m.id != tuned]

        async def run() -> Any:
            aclient = AsyncOpenAI(api_key="k", base_url=mock.url)
            first = await aclient.models.list()
            ids = [m.id async for m in aclient.models.list()]
            return first, ids

        first, ids = asyncio.run(run())
        assert isinstance(first, AsyncPage) and ids == [m.id for m in first.data] and tuned not in ids
