// Conversations, models and webhooks in the npm package, against the Rust mock: a
// three-turn conversation through `conversation`, its items listed back in
// order (ConversationCursorPage), item and conversation deletion; webhook
// verdicts compared with openai-node's own `webhooks.unwrap` on the same
// inputs (valid, tampered, wrong secret, expired, future, missing headers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import OpenAI, { ConversationCursorPage, InvalidWebhookSignatureError, NotFoundError, Page, PermissionDeniedError } from 'rapidresponse';
import { startMock } from '../mock.mjs';

const official = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'sdk-compat', 'node_modules', 'openai', 'index.mjs');

let mock;
let client;
let Theirs;
before(async () => {
  assert.ok(existsSync(official), `openai-node is not installed: npm --prefix tests/sdk-compat install`);
  Theirs = await import(pathToFileURL(official).href);
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-test-node', baseURL: mock.url });
});
after(() => mock.stop());

const QUESTIONS = ['Name a prime', 'And another', 'Which is larger'];
const texts = (items) => items.map((i) => i.content[0].text);

describe('conversations', () => {
  test('three turns through `conversation`, items in order, then deleted', async () => {
    const conv = await client.conversations.create({ metadata: { job: 'review' } });
    assert.match(conv.id, /^conv_/);
    assert.equal(conv.object, 'conversation');
    assert.deepEqual(conv.metadata, { job: 'review' });
    const answers = [];
    for (const question of QUESTIONS) {
      const r = await client.responses.create({ model: 'gpt-4.1', input: question, conversation: conv.id });
      assert.deepEqual(r.conversation, { id: conv.id });
      answers.push(r.output_text);
    }
    assert.equal(answers[2], 'Mock answer to: Which is larger. (turn 3)');

    const page = await client.conversations.items.list(conv.id, { limit: 2 });
    assert.ok(page instanceof ConversationCursorPage);
    assert.equal(page.has_more, true);
    assert.equal(page.last_id, page.data.at(-1).id);
    const newest = [];
    for await (const item of client.conversations.items.list(conv.id, { limit: 2 })) newest.push(item);
    assert.deepEqual(texts(newest), [answers[2], QUESTIONS[2], answers[1], QUESTIONS[1], answers[0], QUESTIONS[0]]);
    const oldest = [];
    for await (const item of client.conversations.items.list(conv.id, { order: 'asc' })) oldest.push(item);
    assert.deepEqual(texts(oldest), [QUESTIONS[0], answers[0], QUESTIONS[1], answers[1], QUESTIONS[2], answers[2]]);
    assert.deepEqual(oldest.map((i) => i.role), ['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);

    const item = await client.conversations.items.retrieve(oldest[1].id, { conversation_id: conv.id });
    assert.equal(item.content[0].text, answers[0]);
    const afterDelete = await client.conversations.items.delete(oldest[1].id, { conversation_id: conv.id });
    assert.equal(afterDelete.id, conv.id);
    await assert.rejects(client.conversations.items.retrieve(oldest[1].id, { conversation_id: conv.id }), NotFoundError);
    const left = await client.conversations.items.list(conv.id, { limit: 100 });
    assert.equal(left.data.length, 5);

    const added = await client.conversations.items.create(conv.id, { items: [{ role: 'user', content: 'Added by hand' }] });
    assert.deepEqual(texts(added.data), ['Added by hand']);
    assert.deepEqual((await client.conversations.update(conv.id, { metadata: { job: 'done' } })).metadata, { job: 'done' });
    const deleted = await client.conversations.delete(conv.id);
    assert.deepEqual(deleted, { id: conv.id, object: 'conversation.deleted', deleted: true });
    await assert.rejects(client.conversations.retrieve(conv.id), NotFoundError);
  });

  test('openai-node reads the mock the same way', async () => {
    const theirs = new Theirs.default({ apiKey: 'sk-test-node', baseURL: mock.url });
    const conv = await theirs.conversations.create();
    await theirs.responses.create({ model: 'gpt-4.1', input: QUESTIONS[0], conversation: conv.id });
    const seen = [];
    for await (const item of theirs.conversations.items.list(conv.id, { order: 'asc', limit: 1 })) seen.push(item);
    const ours = [];
    for await (const item of client.conversations.items.list(conv.id, { order: 'asc', limit: 1 })) ours.push(item);
    assert.equal(seen.length, 2);
    assert.deepEqual(ours, seen);
  });
});

const SECRET = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const PAYLOAD = '{"id":"evt_1","object":"event","created_at":1750000000,"type":"response.completed","data":{"id":"resp_1"}}';

function sign(payload, id, timestamp, secret = SECRET) {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestamp}.${payload}`).digest('base64');
}

function cases() {
  const now = Math.floor(Date.now() / 1000);
  const ts = String(now);
  const good = { 'webhook-id': 'wh_1', 'webhook-timestamp': ts, 'webhook-signature': sign(PAYLOAD, 'wh_1', ts) };
  const old = String(now - 400);
  const future = String(now + 400);
  const without = (name) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== name));
  const other = PAYLOAD.replace('response.completed', 'something.new');
  return [
    ['valid', PAYLOAD, good, SECRET],
    ['valid, several signatures', PAYLOAD, { ...good, 'webhook-signature': 'v1,AAAA ' + good['webhook-signature'] }, SECRET],
    ['valid, a Headers object', PAYLOAD, new Headers(good), SECRET],
    ['valid, unpadded signature', PAYLOAD, { ...good, 'webhook-signature': good['webhook-signature'].replace(/=+$/, '') }, SECRET],
    ['tampered body', PAYLOAD.replace('resp_1', 'resp_2'), good, SECRET],
    ['wrong secret', PAYLOAD, good, 'whsec_' + Buffer.from('x'.repeat(32)).toString('base64')],
    ['plain secret', PAYLOAD, { ...good, 'webhook-signature': sign(PAYLOAD, 'wh_1', ts, 'plain') }, 'plain'],
    ['expired', PAYLOAD, { ...good, 'webhook-timestamp': old, 'webhook-signature': sign(PAYLOAD, 'wh_1', old) }, SECRET],
    ['future', PAYLOAD, { ...good, 'webhook-timestamp': future, 'webhook-signature': sign(PAYLOAD, 'wh_1', future) }, SECRET],
    ['bad timestamp', PAYLOAD, { ...good, 'webhook-timestamp': 'soon' }, SECRET],
    ['no signature header', PAYLOAD, without('webhook-signature'), SECRET],
    ['no id header', PAYLOAD, without('webhook-id'), SECRET],
    ['no secret', PAYLOAD, good, ''],
    ['unknown event type', other, { ...good, 'webhook-signature': sign(other, 'wh_1', ts) }, SECRET],
  ];
}

async function verdict(sdk, payload, headers, secret) {
  try {
    const event = await sdk.webhooks.unwrap(payload, headers, secret);
    return ['ok', event.type, event.data.id];
  } catch (e) {
    const signature = e.constructor.name === 'InvalidWebhookSignatureError';
    return [signature ? 'InvalidWebhookSignatureError' : 'Error', e.message];
  }
}

describe('webhooks', () => {
  for (const [name, payload, headers, secret] of cases()) {
    test(`${name}: the same verdict as openai-node`, async () => {
      const ours = new OpenAI({ apiKey: 'k', baseURL: mock.url });
      const theirs = new Theirs.default({ apiKey: 'k', baseURL: mock.url });
      assert.deepEqual(await verdict(ours, payload, headers, secret), await verdict(theirs, payload, headers, secret));
    });
  }

  test('the client secret, from the option or OPENAI_WEBHOOK_SECRET', async () => {
    const [, payload, headers] = cases()[0];
    const fromOption = new OpenAI({ apiKey: 'k', baseURL: mock.url, webhookSecret: SECRET });
    assert.equal((await fromOption.webhooks.unwrap(payload, headers)).type, 'response.completed');
    process.env.OPENAI_WEBHOOK_SECRET = SECRET;
    try {
      const fromEnv = new OpenAI({ apiKey: 'k', baseURL: mock.url });
      assert.equal(fromEnv.webhookSecret, SECRET);
      await fromEnv.webhooks.verifySignature(payload, headers);
      await assert.rejects(fromEnv.webhooks.verifySignature(payload, headers, SECRET, -1), InvalidWebhookSignatureError);
    } finally {
      delete process.env.OPENAI_WEBHOOK_SECRET;
    }
  });
});

describe('models', () => {
  test('list, retrieve and delete as openai-node reads them', async () => {
    const own = await startMock();
    try {
      const ours = new OpenAI({ apiKey: 'sk-models', baseURL: own.url });
      const theirs = new Theirs.default({ apiKey: 'sk-models', baseURL: own.url });
      const page = await ours.models.list();
      assert.ok(page instanceof Page);
      assert.equal(page.hasNextPage(), false);
      const theirPage = await theirs.models.list();
      assert.deepEqual(page.data, theirPage.data);
      assert.equal(page.object, 'list');
      const ids = [];
      for await (const m of ours.models.list()) ids.push(m.id);
      assert.deepEqual(ids, page.data.map((m) => m.id));
      assert.deepEqual(await ours.models.retrieve('gpt-5'), await theirs.models.retrieve('gpt-5'));
      await assert.rejects(ours.models.retrieve('no-such-model'), (e) => e instanceof NotFoundError && e.code === 'model_not_found');
      await assert.rejects(ours.models.delete('gpt-4.1'), PermissionDeniedError);
      const tuned = ids.find((id) => id.startsWith('ft:'));
      const deleted = await ours.models.delete(tuned);
      assert.deepEqual(deleted, { id: tuned, object: 'model', deleted: true });
      const after = (await theirs.models.list()).data.map((m) => m.id);
      assert.deepEqual(after, ids.filter((id) => id !== tuned));
    } finally {
      own.stop();
    }
  });
});
