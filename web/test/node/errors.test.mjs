// Failures in Node, against the Rust mock: openai-node's error classes and
// fields, retries (429 with retry-after-ms, 5xx, resets), timeouts, aborts
// (the server sees the disconnect), cut-off streams with their partial
// response, error events, and a Rust panic that rejects only its call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RustPanicError,
  UnprocessableEntityError,
  _panicForTests,
} from 'rapidresponse';
import { startMock } from '../mock.mjs';

let mock;
let client;
before(async () => {
  mock = await startMock();
  // Retry delays scaled down so the suite stays fast; the shape is openai-node's.
  client = new OpenAI({ apiKey: 'sk-test-node', baseURL: mock.url, retryDelayScale: 0.01 });
});
after(() => mock.stop());

const fault = (spec, extra = {}) => ({ ...extra, headers: { 'x-mock-fault': spec } });
const posts = async () => (await mock.requests()).filter((r) => r.method === 'POST').length;
const create = (input, options) => client.responses.create({ model: 'gpt-4.1', input }, options);

describe('HTTP errors', () => {
  const cases = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
  ];
  for (const [status, Class] of cases) {
    test(`${status} is ${Class.name} with openai-node's fields`, async () => {
      const before = await posts();
      const error = await create('fail', fault(`status=${status}`, { maxRetries: 1 })).then(
        () => assert.fail('must reject'),
        (e) => e,
      );
      assert.ok(error instanceof Class);
      assert.ok(error instanceof APIError);
      assert.ok(error instanceof OpenAI.APIError, 'the classes are statics of the default export');
      assert.equal(error.status, status);
      assert.ok(error.headers instanceof Headers);
      assert.match(error.requestID, /^req_/);
      assert.equal(typeof error.error.message, 'string');
      assert.equal(error.message, `${status} ${error.error.message}`);
      assert.equal(error.code, error.error.code);
      assert.equal(error.type, error.error.type);
      const retried = [409, 429, 500, 503].includes(status);
      assert.equal((await posts()) - before, retried ? 2 : 1, 'retried once with maxRetries: 1');
    });
  }

  test('a 429 with retry-after-ms is retried after that delay, then succeeds', async () => {
    await mock.pushFault('status=429;retry-after-ms=150;times=2');
    const before = await posts();
    const started = performance.now();
    const r = await create('rate limited');
    const took = performance.now() - started;
    assert.equal(r.output_text, 'Mock answer to: rate limited.');
    assert.equal((await posts()) - before, 3);
    assert.ok(took >= 290, `two waits of 150 ms (took ${took.toFixed(0)} ms)`);
  });

  test('x-should-retry: false stops at once', async () => {
    const before = await posts();
    await assert.rejects(create('no retry', fault('status=503;should-retry=false')), InternalServerError);
    assert.equal((await posts()) - before, 1);
  });

  test('a non-JSON error body becomes the message', async () => {
    const c = new OpenAI({ apiKey: 'sk-test-node', baseURL: mock.url.replace('/v1', '/nowhere') });
    const e = await c.get('/x').then(() => assert.fail('must reject'), (x) => x);
    assert.ok(e instanceof NotFoundError);
  });
});

describe('connection errors and timeouts', () => {
  test('a refused connection is APIConnectionError after the retries', async () => {
    const c = new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 1, retryDelayScale: 0.01 });
    const e = await c.responses.create({ model: 'gpt-4.1', input: 'x' }).then(() => assert.fail('must reject'), (x) => x);
    assert.ok(e instanceof APIConnectionError);
    assert.equal(e.message, 'Connection error.');
    assert.ok(e.cause instanceof Error);
  });

  test('a reset is retried and then succeeds', async () => {
    await mock.pushFault('reset;times=2');
    const r = await create('after resets');
    assert.equal(r.output_text, 'Mock answer to: after resets.');
  });

  test('a hanging server runs into the timeout, retried maxRetries times', async () => {
    const before = await posts();
    const started = performance.now();
    const e = await create('hang', fault('hang', { timeout: 200, maxRetries: 1 })).then(() => assert.fail('must reject'), (x) => x);
    assert.ok(e instanceof APIConnectionTimeoutError);
    assert.ok(e instanceof APIConnectionError);
    assert.equal(e.message, 'Request timed out.');
    assert.equal((await posts()) - before, 2);
    assert.ok(performance.now() - started >= 390);
  });

  test('the timeout covers the wait for headers, not a long stream', async () => {
    // About 0.8 s of body, 60 ms between pieces, with a 300 ms timeout.
    const started = performance.now();
    const stream = await client.responses.create(
      { model: 'gpt-4.1', input: 'slow but steady', stream: true },
      fault('slow=400,60', { timeout: 300 }),
    );
    let text = '';
    for await (const e of stream) if (e.type === 'response.output_text.delta') text += e.delta;
    assert.equal(text, 'Mock answer to: slow but steady.');
    assert.ok(performance.now() - started > 300, 'the stream outlived the timeout');
    // A whole (non-stream) body arriving as slowly runs into it.
    await assert.rejects(
      create('slow whole body', fault('slow=100,60', { timeout: 300, maxRetries: 0 })),
      APIConnectionTimeoutError,
    );
  });
});

describe('aborts', () => {
  test('abort mid-stream ends the loop quietly and the server sees the disconnect', async () => {
    const before = await mock.streamsAbandoned();
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'abort me', stream: true }, fault('stall-after=5'));
    let seen = 0;
    setTimeout(() => stream.controller.abort(), 100);
    for await (const _ of stream) seen += 1;
    assert.equal(seen, 5);
    assert.ok(await mock.waitForAbandoned(before + 1), 'the server saw the client leave');
    const r = await create('after abort');
    assert.equal(r.output_text, 'Mock answer to: after abort.');
  });

  test('break in for-await aborts the request', async () => {
    const before = await mock.streamsAbandoned();
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'break me', stream: true }, fault('deltas=50;slow=64,5'));
    let seen = 0;
    for await (const _ of stream) {
      seen += 1;
      if (seen === 3) break;
    }
    assert.equal(seen, 3);
    assert.ok(stream.controller.signal.aborted);
    assert.ok(await mock.waitForAbandoned(before + 1), 'the server saw the client leave');
  });

  test('a signal aborts a waiting call with APIUserAbortError; an aborted one fails at once', async () => {
    const controller = new AbortController();
    const pending = create('hang on', fault('hang', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, APIUserAbortError);
    const before = await posts();
    await assert.rejects(create('never sent', { signal: AbortSignal.abort() }), APIUserAbortError);
    assert.equal(await posts(), before, 'an aborted signal sends nothing');
  });
});

describe('stream failures', () => {
  test('a cut-off stream throws APIConnectionError with the partial response', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'cut me off', stream: true }, fault('deltas=10;drop-after=8'));
    let text = '';
    const e = await (async () => {
      for await (const ev of stream) if (ev.type === 'response.output_text.delta') text += ev.delta;
    })().then(() => assert.fail('must throw'), (x) => x);
    assert.ok(e instanceof APIConnectionError);
    assert.ok(text.length > 0);
    assert.equal(e.partialResponse.output[0].content[0].text, text);
    assert.equal((await posts()) > 0, true);
  });

  test('an event with an error member, or one named `event: error`, throws APIError', async () => {
    const nested = await client.responses.create({ model: 'gpt-4.1', input: 'nested', stream: true }, fault('error-event=nested'));
    const e = await (async () => {
      for await (const _ of nested);
    })().then(() => assert.fail('must throw'), (x) => x);
    assert.ok(e instanceof APIError);
    assert.equal(e.message, 'Mock stream error');
    assert.equal(e.status, undefined);

    // The flat shape has no `error` member, but openai-node 7 throws on
    // the frame's `event: error` name (openai-python yields it).
    const flat = await client.responses.create({ model: 'gpt-4.1', input: 'flat', stream: true }, fault('error-event=flat'));
    const types = [];
    const f = await (async () => {
      for await (const ev of flat) types.push(ev.type);
    })().then(() => assert.fail('must throw'), (x) => x);
    assert.ok(f instanceof APIError);
    assert.equal(f.message, 'Mock stream error');
    assert.ok(!types.includes('error'));
    assert.equal(f.partialResponse.output[0].content[0].text.length > 0, true, 'the text before it');
  });

  test('malformed event JSON throws SyntaxError after the events before it', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'malformed', stream: true }, fault('malformed-at=3'));
    const seen = [];
    const e = await (async () => {
      for await (const ev of stream) seen.push(ev);
    })().then(() => assert.fail('must throw'), (x) => x);
    assert.ok(e instanceof SyntaxError);
    assert.equal(seen.length, 3);
  });

  test('responses.stream reports a cut-off through on("error") and done()', async () => {
    const stream = client.responses.stream({ model: 'gpt-4.1', input: 'helper cut' }, fault('drop-after=6'));
    let reported;
    stream.on('error', (e) => (reported = e));
    await assert.rejects(stream.done(), APIConnectionError);
    assert.ok(reported instanceof APIConnectionError);
    assert.ok(reported.partialResponse);
  });
});

describe('panics', () => {
  test('a panic rejects its call with RustPanicError; calls in flight and later calls work', async () => {
    const before = await create('before');
    await assert.rejects(_panicForTests(), (e) => e instanceof RustPanicError && e instanceof Error && /on purpose/.test(e.message));
    const again = await create('after the panic');
    assert.equal(again.output_text, 'Mock answer to: after the panic.');
    assert.equal(before.output_text, 'Mock answer to: before.');
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'stream after panic', stream: true });
    let text = '';
    for await (const e of stream) if (e.type === 'response.output_text.delta') text += e.delta;
    assert.equal(text, 'Mock answer to: stream after panic.');
  });

  test('a panic aborts the requests in flight, and their late callbacks are dropped', async () => {
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(String(e));
    process.on('unhandledRejection', onUnhandled);
    try {
      // One stream stalls (the server holds it open), one trickles in slowly:
      // both have a read pending in the module when it traps.
      const stalled = await client.responses.create({ model: 'gpt-4.1', input: 'stalled', stream: true }, fault('stall-after=2'));
      const slow = await client.responses.create({ model: 'gpt-4.1', input: 'slow', stream: true }, fault('slow=40,100'));
      await stalled[Symbol.asyncIterator]().next();
      await slow[Symbol.asyncIterator]().next();
      const abandoned = await mock.streamsAbandoned();
      await assert.rejects(_panicForTests(), RustPanicError);
      // The server sees both connections closed (before: they stayed open,
      // and the slow one's next chunk called into the new instance).
      assert.ok(await mock.waitForAbandoned(abandoned + 2), 'the server saw both disconnects');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(unhandled, []);
      const after = await create('after the trap');
      assert.equal(after.output_text, 'Mock answer to: after the trap.');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
