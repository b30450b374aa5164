// The npm package in Node against the Rust mock over HTTP: every call of
// the Responses API, chat and legacy completions, streams cut into small
// pieces, pagination, the raw-response helpers and the function-calling loop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { APIPromise, AzureOpenAI, CursorPage, Stream } from 'rapidresponse';
import { masked, startMock } from '../mock.mjs';

let mock;
let client;
before(async () => {
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-test-node', baseURL: mock.url });
});
after(() => mock.stop());

const fault = (spec) => ({ headers: { 'x-mock-fault': spec } });
const textOf = (events) =>
  events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');

describe('responses', () => {
  test('create gives a Response with output_text, usage and _request_id', async () => {
    const promise = client.responses.create({ model: 'gpt-4.1', input: 'Say hi' });
    assert.ok(promise instanceof APIPromise);
    const r = await promise;
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.equal(r.output_text, 'Mock answer to: Say hi.');
    assert.match(r._request_id, /^req_/);
    assert.ok(!Object.keys(r).includes('_request_id'), '_request_id is not enumerable');
    assert.ok(r.usage.total_tokens > 0);
    const sent = (await mock.requests()).at(-1);
    assert.equal(sent.method, 'POST');
    assert.equal(sent.headers.authorization, masked('Bearer sk-test-node'));
  });

  test('a stream is async-iterable and its text matches the final response', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'Stream me', stream: true });
    assert.ok(stream instanceof Stream);
    assert.ok(stream.controller instanceof AbortController);
    const events = [];
    for await (const e of stream) events.push(e);
    assert.equal(events[0].type, 'response.created');
    const last = events.at(-1);
    assert.equal(last.type, 'response.completed');
    assert.equal(textOf(events), 'Mock answer to: Stream me.');
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
  });

  test('a stream cut into 7-byte pieces, CRLF, a BOM and keep-alives gives the same events', async () => {
    const plain = [];
    for await (const e of await client.responses.create({ model: 'gpt-4.1', input: 'Piece by piece', stream: true }, fault('deltas=40'))) plain.push(e);
    const cut = [];
    const stream = await client.responses.create(
      { model: 'gpt-4.1', input: 'Piece by piece', stream: true },
      fault('deltas=40;slow=7,0;crlf;bom;keepalive'),
    );
    for await (const e of stream) cut.push(e);
    const strip = (es) => es.map(({ response, ...rest }) => ({ ...rest, id: response?.id === undefined ? undefined : 'x' }));
    assert.equal(cut.length, plain.length);
    assert.equal(textOf(cut), textOf(plain));
    assert.deepEqual(cut.map((e) => e.type), plain.map((e) => e.type));
    assert.ok(strip(cut).length > 40);
  });

  test('responses.stream: on(delta) with snapshots, on(event), finalResponse', async () => {
    const deltas = [];
    const types = [];
    const stream = client.responses
      .stream({ model: 'gpt-4.1', input: 'Snapshots please' })
      .on('response.output_text.delta', (e) => deltas.push([e.delta, e.snapshot]))
      .on('event', (e) => types.push(e.type));
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'Mock answer to: Snapshots please.');
    let acc = '';
    for (const [delta, snapshot] of deltas) {
      acc += delta;
      assert.equal(snapshot, acc);
    }
    assert.equal(acc, final.output_text);
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.ok(stream.ended);
  });

  test('responses.stream is async-iterable and abort() ends it with an abort', async () => {
    const stream = client.responses.stream({ model: 'gpt-4.1', input: 'iterate' });
    const types = [];
    for await (const e of stream) types.push(e.type);
    assert.equal(types.at(-1), 'response.completed');

    // Events 0-4 arrive (the first delta is event 4), then the server stalls.
    const aborting = client.responses.stream({ model: 'gpt-4.1', input: 'stop me' }, fault('stall-after=5'));
    let aborted = false;
    aborting.on('abort', () => (aborted = true));
    aborting.on('response.output_text.delta', () => aborting.abort());
    const before = await mock.streamsAbandoned();
    await assert.rejects(aborting.done(), OpenAI.APIUserAbortError);
    assert.ok(aborted && aborting.aborted);
    assert.ok(await mock.waitForAbandoned(before + 1), 'the server saw the client leave');
  });

  test('retrieve, retrieve as a stream from starting_after, cancel, delete', async () => {
    const created = await client.responses.create({ model: 'gpt-4.1', input: 'Keep me' });
    const got = await client.responses.retrieve(created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.output_text, created.output_text);

    const background = await client.responses.create({ model: 'gpt-4.1', input: 'In the background', background: true });
    assert.ok(['queued', 'in_progress'].includes(background.status));
    const all = [];
    for await (const e of await client.responses.retrieve(background.id, { stream: true })) all.push(e);
    assert.equal(all.at(-1).type, 'response.completed');
    const rest = [];
    for await (const e of await client.responses.retrieve(background.id, { stream: true, starting_after: 3 })) rest.push(e);
    assert.deepEqual(rest.map((e) => e.sequence_number), all.slice(4).map((e) => e.sequence_number));

    const resumed = client.responses.stream({ response_id: background.id, starting_after: 3 });
    const seen = [];
    resumed.on('event', (e) => seen.push(e.sequence_number));
    assert.equal((await resumed.finalResponse()).output_text, 'Mock answer to: In the background.');
    assert.equal(seen[0], 4);

    const slow = await client.responses.create({ model: 'gpt-4.1', input: 'cancel me', background: true });
    const cancelled = await client.responses.cancel(slow.id);
    assert.equal(cancelled.status, 'cancelled');

    await client.responses.delete(created.id);
    await assert.rejects(client.responses.retrieve(created.id), OpenAI.NotFoundError);
    const sent = (await mock.requests()).filter((r) => r.method === 'DELETE').at(-1);
    assert.equal(sent.headers.accept, '*/*');
  });

  test('inputItems.list pages with after, and for-await walks every item', async () => {
    const input = Array.from({ length: 5 }, (_, i) => ({ role: 'user', content: `message ${i}` }));
    const created = await client.responses.create({ model: 'gpt-4.1', input });
    const page = await client.responses.inputItems.list(created.id, { limit: 2, order: 'asc' });
    assert.ok(page instanceof CursorPage);
    assert.equal(page.data.length, 2);
    assert.ok(page.hasNextPage());
    const second = await page.getNextPage();
    assert.equal(second.data.length, 2);
    assert.notEqual(second.data[0].id, page.data[0].id);
    const ids = [];
    for await (const item of client.responses.inputItems.list(created.id, { limit: 2, order: 'asc' })) ids.push(item.id);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
    const afters = (await mock.requests())
      .filter((r) => r.path.endsWith('/input_items'))
      .map((r) => new URLSearchParams(r.query ?? '').get('after'));
    assert.ok(afters.some((a) => a), 'later pages were asked with after=');
  });

  test('inputTokens.count and compact', async () => {
    const count = await client.responses.inputTokens.count({ model: 'gpt-4.1', input: 'count these tokens' });
    assert.ok(count.input_tokens > 0);
    const compacted = await client.responses.compact({ model: 'gpt-4.1', input: 'compact this' });
    assert.ok(Array.isArray(compacted.output));
  });

  test('withResponse and asResponse', async () => {
    const { data, response, request_id } = await client.responses
      .create({ model: 'gpt-4.1', input: 'raw' })
      .withResponse();
    assert.equal(data.output_text, 'Mock answer to: raw.');
    assert.ok(response instanceof Response);
    assert.equal(response.status, 200);
    assert.equal(request_id, response.headers.get('x-request-id'));
    const raw = await client.responses.create({ model: 'gpt-4.1', input: 'raw body' }).asResponse();
    const json = await raw.json();
    assert.equal(json.object, 'response');

    const streamed = await client.responses.create({ model: 'gpt-4.1', input: 'raw stream', stream: true }).asResponse();
    const text = await streamed.text();
    assert.match(text, /^data: \{"type":"response.created"/);
    assert.match(text, /response.completed/);
  });

  test('tee gives two full copies; toReadableStream round-trips', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'tee', stream: true });
    const [left, right] = stream.tee();
    const a = [];
    const b = [];
    for await (const e of left) a.push(e);
    for await (const e of right) b.push(e);
    assert.deepEqual(a, b);
    assert.equal(textOf(a), 'Mock answer to: tee.');

    const relay = (await client.responses.create({ model: 'gpt-4.1', input: 'relay', stream: true })).toReadableStream();
    const back = Stream.fromReadableStream(relay, new AbortController());
    const c = [];
    for await (const e of back) c.push(e);
    assert.equal(textOf(c), 'Mock answer to: relay.');
    assert.equal(c.at(-1).type, 'response.completed');
  });

  test('the function-calling loop sends response.output back unchanged', async () => {
    const tools = [
      {
        type: 'function',
        name: 'get_weather',
        description: 'Weather of a city',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' }, days: { type: 'integer' } },
          required: ['city', 'days'],
          additionalProperties: false,
        },
        strict: true,
      },
    ];
    const input = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await client.responses.create({ model: 'o4-mini', input, tools, reasoning: { effort: 'high', summary: 'auto' } });
    assert.equal(first.output[0].type, 'reasoning');
    const call = first.output.find((i) => i.type === 'function_call');
    const args = JSON.parse(call.arguments);
    assert.equal(typeof args.city, 'string');
    const context = [...input, ...first.output, { type: 'function_call_output', call_id: call.call_id, output: '{"temp": 21}' }];
    const answer = await client.responses.create({ model: 'o4-mini', input: context, tools });
    assert.match(answer.output_text, /21/);
    const sent = (await mock.requests()).at(-1).body;
    assert.deepEqual(sent.input.slice(1, 1 + first.output.length), first.output);
  });

  test('streamed function-call arguments arrive with snapshots', async () => {
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
    const stream = client.responses.stream({ model: 'gpt-4.1', input: 'Weather in Oslo?', tools, tool_choice: 'required' });
    const snaps = [];
    stream.on('response.function_call_arguments.delta', (e) => snaps.push(e.snapshot));
    const final = await stream.finalResponse();
    const call = final.output.find((i) => i.type === 'function_call');
    assert.ok(snaps.length > 0);
    assert.equal(snaps.at(-1), call.arguments);
  });
});

describe('chat and legacy completions', () => {
  test('chat.completions.create, whole and streamed', async () => {
    const c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello chat' }] });
    assert.equal(c.object, 'chat.completion');
    const text = c.choices[0].message.content;
    assert.ok(text.length > 0);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello chat' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = '';
    let usage;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(streamed, text);
    assert.ok(usage.total_tokens > 0);
  });

  test('completions.create, whole and streamed', async () => {
    const c = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon' });
    assert.equal(c.object, 'text_completion');
    let streamed = '';
    for await (const chunk of await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon', stream: true })) {
      streamed += chunk.choices[0]?.text ?? '';
    }
    assert.equal(streamed, c.choices[0].text);
  });

  test('usage() adds up created responses and completions, not retrieves', async () => {
    const fresh = new OpenAI({ apiKey: 'sk-test-node', baseURL: mock.url });
    const r = await fresh.responses.create({ model: 'gpt-4.1', input: 'count me' });
    await fresh.responses.retrieve(r.id);
    for await (const _ of await fresh.responses.create({ model: 'gpt-4.1', input: 'count me', stream: true }));
    const u = fresh.usage();
    assert.equal(u.responses, 2);
    assert.equal(u.tokens.total_tokens, 2 * r.usage.total_tokens);
    assert.ok(u.cost_usd > 0);

    const unpriced = new OpenAI({ apiKey: 'sk-test-node', baseURL: mock.url });
    await unpriced.responses.create({ model: 'my-fine-tune', input: 'no price' });
    assert.equal(unpriced.usage().cost_usd, null);
    assert.deepEqual(unpriced.usage().unpriced_models, ['my-fine-tune']);
    unpriced.setPrice('my-fine-tune', { input: 1, output: 2 });
    await unpriced.responses.create({ model: 'my-fine-tune', input: 'priced now' });
    assert.deepEqual(unpriced.usage().unpriced_models, ['my-fine-tune'], 'the earlier call stays unpriced');
  });
});

describe('client options', () => {
  test('defaultHeaders, defaultQuery, organization, project and per-call headers reach the server', async () => {
    const c = new OpenAI({
      apiKey: 'sk-test-node',
      baseURL: mock.url,
      organization: 'org-1',
      project: 'proj-1',
      defaultHeaders: { 'x-default': 'a' },
      defaultQuery: { tag: 'q' },
    });
    await c.responses.create({ model: 'gpt-4.1', input: 'headers' }, { headers: { 'x-call': 'b' }, query: { extra: '1' } });
    const sent = (await mock.requests()).at(-1);
    assert.equal(sent.headers['openai-organization'], 'org-1');
    assert.equal(sent.headers['openai-project'], 'proj-1');
    assert.equal(sent.headers['x-default'], 'a');
    assert.equal(sent.headers['x-call'], 'b');
    assert.match(sent.query, /tag=q/);
    assert.match(sent.query, /extra=1/);
  });

  test('the key and base URL come from the environment; a missing key throws', () => {
    const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
    try {
      process.env.OPENAI_API_KEY = 'sk-from-env';
      process.env.OPENAI_BASE_URL = mock.url;
      const c = new OpenAI();
      assert.equal(c.apiKey, 'sk-from-env');
      assert.equal(c.baseURL, mock.url);
      delete process.env.OPENAI_API_KEY;
      assert.throws(() => new OpenAI(), OpenAI.OpenAIError);
    } finally {
      if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved.key;
      if (saved.url === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved.url;
    }
  });

  test('a browser-like global needs dangerouslyAllowBrowser', () => {
    globalThis.window = { document: {} };
    const hadNavigator = 'navigator' in globalThis;
    if (!hadNavigator) globalThis.navigator = {};
    try {
      assert.throws(() => new OpenAI({ apiKey: 'k', baseURL: mock.url }), /dangerouslyAllowBrowser/);
      assert.ok(new OpenAI({ apiKey: 'k', baseURL: mock.url, dangerouslyAllowBrowser: true }));
    } finally {
      delete globalThis.window;
      if (!hadNavigator) delete globalThis.navigator;
    }
  });

  test('withOptions makes a changed copy', async () => {
    const c = client.withOptions({ maxRetries: 0, timeout: 1234 });
    assert.equal(c.maxRetries, 0);
    assert.equal(c.timeout, 1234);
    assert.equal(c.baseURL, client.baseURL);
    assert.equal((await c.responses.create({ model: 'gpt-4.1', input: 'copy' })).output_text, 'Mock answer to: copy.');
  });

  test('AzureOpenAI sends the api-key header, api-version and the deployment path', async () => {
    const c = new AzureOpenAI({ apiKey: 'azure-key', endpoint: mock.origin, apiVersion: '2025-04-01-preview', deployment: 'my-dep' });
    await c.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi azure' }] });
    const sent = (await mock.requests()).at(-1);
    assert.equal(sent.headers['api-key'], masked('azure-key'));
    assert.equal(sent.headers.authorization, undefined);
    assert.match(sent.path, /\/openai\/deployments\/my-dep\/chat\/completions$/);
    assert.match(sent.query, /api-version=2025-04-01-preview/);
  });
});
