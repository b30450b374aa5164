// Every operation sent by the npm package and by openai-node (installed in
// tests/sdk-compat by scripts/ci/sdk-compat, or here when missing) to the
// mock, compared as the server saw them: the method, the path, the query
// string and every header byte for byte, and the body as JSON. Left out:
// what the transport or the SDK's identity sets (host, connection,
// content-length, accept-encoding, user-agent, openai-node's x-stainless-*).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Ours, { AzureOpenAI as OurAzure } from 'rapidresponse';
import { startMock } from '../mock.mjs';

const official = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'sdk-compat', 'node_modules', 'openai', 'index.mjs');
const IGNORED = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'user-agent']);

let mock;
let Theirs;
before(async () => {
  assert.ok(existsSync(official), `openai-node is not installed: npm --prefix tests/sdk-compat install`);
  Theirs = await import(pathToFileURL(official).href);
  mock = await startMock();
});
after(() => mock.stop());

async function seen(from) {
  return (await mock.requests()).slice(from).map((r) => ({
    method: r.method,
    path: r.path,
    query: r.query,
    headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => !IGNORED.has(k) && !k.startsWith('x-stainless'))),
    body: r.body,
  }));
}

async function run(client, call) {
  const from = (await mock.requests()).length;
  try {
    const result = await call(client);
    if (result && typeof result[Symbol.asyncIterator] === 'function') for await (const _ of result);
  } catch (e) {
    if (!(e instanceof Error)) throw e; // a 404 from the mock is fine: the request is what is compared
  }
  return seen(from);
}

const ID = 'resp_does_not_exist';
const CONV = 'conv_does/not exist';
const calls = {
  'responses.create': (c) => c.responses.create({ model: 'gpt-4.1', input: 'hi', temperature: 0.2, store: true }),
  'responses.create stream': (c) => c.responses.create({ model: 'gpt-4.1', input: 'hi', stream: true }),
  'responses.retrieve': (c) => c.responses.retrieve(ID, { include: ['reasoning.encrypted_content', 'a b/c'] }),
  'responses.retrieve stream': (c) => c.responses.retrieve(ID, { stream: true, starting_after: 3, include_obfuscation: false }),
  'responses.delete': (c) => c.responses.delete(ID),
  'responses.cancel': (c) => c.responses.cancel(ID),
  'responses.compact': (c) => c.responses.compact({ model: 'gpt-4.1', input: 'long' }),
  'responses.inputTokens.count': (c) => c.responses.inputTokens.count({ model: 'gpt-4.1', input: 'one two' }),
  'responses.inputItems.list': (c) => c.responses.inputItems.list(ID, { limit: 2, order: 'asc', include: ['x y'], after: 'item 1' }),
  'chat.completions.create': (c) => c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  'chat.completions.create stream': (c) =>
    c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
  'completions.create': (c) => c.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' }),
  'conversations.create': (c) =>
    c.conversations.create({ items: [{ type: 'message', role: 'user', content: 'hi' }], metadata: { k: 'v' } }),
  'conversations.create empty': (c) => c.conversations.create(),
  'conversations.retrieve': (c) => c.conversations.retrieve(CONV),
  'conversations.update': (c) => c.conversations.update(CONV, { metadata: { k: 'v' } }),
  'conversations.delete': (c) => c.conversations.delete(CONV),
  'models.list': (c) => c.models.list(),
  'models.retrieve': (c) => c.models.retrieve('ft:gpt-4.1:org/x y'),
  'models.delete': (c) => c.models.delete('ft:gpt-4.1:org/x y'),
  'conversations.items.create': (c) =>
    c.conversations.items.create(CONV, { items: [{ role: 'user', content: 'more' }], include: ['message.output_text.logprobs'] }),
  'conversations.items.list': (c) => c.conversations.items.list(CONV, { limit: 5, order: 'asc', after: 'msg 1', include: ['a b'] }),
  'conversations.items.retrieve': (c) => c.conversations.items.retrieve('msg_1', { conversation_id: CONV, include: ['x'] }),
  'conversations.items.delete': (c) => c.conversations.items.delete('msg_1', { conversation_id: CONV }),
  'responses.create in a conversation': (c) => c.responses.create({ model: 'gpt-4.1', input: 'hi', conversation: { id: CONV } }),
  'query, headers and body options': (c) =>
    c.responses.retrieve(ID, {}, {
      query: { 'a b': 'c d&e', n: { x: [1, true, null] }, t: true },
      headers: { 'X-Extra': 'v', 'OpenAI-Project': null },
    }),
  'body option': (c) => c.responses.create({ model: 'gpt-4.1', input: 'x' }, { body: { model: 'gpt-4.1', input: 'x', custom: { k: [1] } } }),
  'raw get and post': async (c) => {
    await c.get('/models', { query: { limit: 5 } });
    await c.post('/embeddings', { body: { model: 'm', input: 'x' } });
  },
};

const options = () => ({
  apiKey: 'sk-compare',
  baseURL: mock.url,
  organization: 'org_1',
  project: 'proj_1',
  maxRetries: 0,
  defaultHeaders: { 'X-Default': 'd' },
  defaultQuery: { dq: '1' },
});

describe('requests as openai-node sends them', () => {
  for (const [name, call] of Object.entries(calls)) {
    test(name, async () => {
      const ours = await run(new Ours(options()), call);
      const theirs = await run(new Theirs.default(options()), call);
      assert.ok(ours.length > 0, 'the call reached the server');
      assert.deepEqual(ours, theirs);
    });
  }

  for (const deployment of [undefined, 'dep-1']) {
    test(`AzureOpenAI (deployment ${deployment})`, async () => {
      const make = (Cls) =>
        new Cls({ apiKey: 'az-key', apiVersion: '2025-04-01-preview', endpoint: mock.origin, deployment, maxRetries: 0 });
      const call = async (c) => {
        await c.responses.create({ model: 'gpt-4o', input: 'hi' });
        await c.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      };
      const ours = await run(make(OurAzure), call);
      const theirs = await run(make(Theirs.AzureOpenAI), call);
      assert.equal(ours.length, 2);
      assert.deepEqual(ours, theirs);
      assert.equal(make(OurAzure).baseURL, make(Theirs.AzureOpenAI).baseURL);
    });
  }
});
