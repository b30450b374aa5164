// The WebSocket mode in the npm package (`ResponsesWS`, openai-node's
// shape) over Node's platform WebSocket against the Rust mock: a chain of
// turns whose events equal openai-node's own ResponsesWS on the same mock
// and the same requests over HTTP streaming, an `error` event (the
// connection goes on), a drop mid-response (1006: an error carrying the
// partial response, then the close), and the close itself. Needs a global
// WebSocket: Node >= 22, or 20 with --experimental-websocket
// (scripts/ci/web sets it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import OpenAI, { APIConnectionError, ResponsesWS, WebSocketError } from 'rapidresponse';
import { ResponsesWS as FromSubpath } from 'rapidresponse/resources/responses/ws';
import { startMock } from '../mock.mjs';

const official = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'sdk-compat', 'node_modules', 'openai');

let mock;
let client;
before(async () => {
  assert.equal(typeof WebSocket, 'function', 'a global WebSocket: Node >= 22, or --experimental-websocket');
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-ws-node', baseURL: mock.url });
});
after(() => mock.stop());

/** Sends a create and collects its events until its terminal one (or an error). */
function turn(ws, params) {
  return new Promise((resolve, reject) => {
    const events = [];
    const onEvent = (e) => {
      events.push(e);
      if (e.type === 'response.completed' || e.type === 'response.failed' || e.type === 'response.incomplete') {
        ws.off('event', onEvent).off('error', onError);
        resolve(events);
      }
    };
    const onError = (e) => {
      ws.off('event', onEvent).off('error', onError);
      reject(Object.assign(e, { events }));
    };
    ws.on('event', onEvent).on('error', onError);
    ws.send({ type: 'response.create', ...params });
  });
}

describe('ResponsesWS', () => {
  test('a chain of turns, as openai-node and HTTP streaming give it', async () => {
    assert.equal(FromSubpath, ResponsesWS);
    const ws = new ResponsesWS(client);
    const first = await turn(ws, { model: 'gpt-4.1', input: 'My name is Ada.' });
    const id = first.at(-1).response.id;
    const second = await turn(ws, { model: 'gpt-4.1', input: 'What is my name?', previous_response_id: id });
    assert.match(second.at(-1).response.output[0].content[0].text, /\(turn 2\)$/);
    const closed = ws.emitted('close');
    ws.close();
    assert.deepEqual(await closed, [1000, '', []]);

    const upgrade = (await mock.requests()).findLast((r) => r.method === 'GET' && r.path === '/v1/responses');
    assert.ok(upgrade.headers.authorization, 'the key went with the upgrade');

    const http = [];
    for await (const e of await client.responses.create({ model: 'gpt-4.1', input: 'My name is Ada.', stream: true })) http.push(e.type);
    assert.deepEqual(first.map((e) => e.type), http);

    assert.ok(existsSync(official), 'openai-node is installed in tests/sdk-compat');
    const { ResponsesWS: Theirs } = await import(pathToFileURL(join(official, 'resources', 'responses', 'ws.mjs')).href);
    const { default: TheirClient } = await import(pathToFileURL(join(official, 'index.mjs')).href);
    const theirs = new Theirs(new TheirClient({ apiKey: 'sk-ws-node', baseURL: mock.url }));
    const theirFirst = await turn(theirs, { model: 'gpt-4.1', input: 'My name is Ada.' });
    theirs.close();
    assert.deepEqual(first.map((e) => e.type), theirFirst.map((e) => e.type));
  });

  test('an error event is an error for its response; the connection goes on', async () => {
    const ws = new ResponsesWS(client);
    const failed = await turn(ws, { model: 'gpt-4.1', input: 'x', temperature: 9 }).then(
      () => assert.fail('an error was expected'),
      (e) => e,
    );
    assert.ok(failed instanceof WebSocketError, String(failed));
    assert.equal(failed.error.status, 400);
    assert.equal(failed.error.error.param, 'temperature');
    const next = await turn(ws, { model: 'gpt-4.1', input: 'hi' });
    assert.equal(next.at(-1).response.output[0].content[0].text, 'Mock answer to: hi.');
    ws.close();
  });

  test('a drop mid-response: the events before it, an error with the partial response, the close', async () => {
    const ws = new ResponsesWS(client, { headers: { 'x-mock-fault': 'drop-after=3' } });
    const closed = ws.emitted('close');
    const error = await turn(ws, { model: 'gpt-4.1', input: 'Tell a story' }).then(
      () => assert.fail('an error was expected'),
      (e) => e,
    );
    assert.ok(error instanceof APIConnectionError, String(error));
    assert.equal(error.events.length, 3);
    assert.match(error.partialResponse.id, /^resp_/);
    assert.deepEqual(await closed, [1006, '', []]);
    assert.throws(() => ws.send({ type: 'response.create', model: 'gpt-4.1', input: 'again' }), /closed/);
    const sent = (await mock.requests()).filter((r) => r.method === 'WS' && r.body?.input === 'again');
    assert.equal(sent.length, 0, 'nothing sent after the drop');
  });

  test('stream() gives the events and the close as messages', async () => {
    const ws = new ResponsesWS(client);
    const seen = [];
    const done = (async () => {
      for await (const m of ws.stream()) {
        seen.push(m.type === 'message' ? m.message.type : m.type);
        if (m.type === 'message' && m.message.type === 'response.completed') ws.close();
      }
    })();
    ws.send({ type: 'response.create', model: 'gpt-4.1', input: 'hi' });
    await done;
    assert.deepEqual(seen.slice(0, 3), ['connecting', 'open', 'response.created']);
    assert.deepEqual(seen.slice(-2), ['response.completed', 'close']);
  });

  test('lanes run side by side: each event carries its stream_id', async () => {
    const ws = new ResponsesWS(client);
    const done = [];
    const both = new Promise((resolve) => {
      ws.on('response.completed', (e) => {
        done.push([e.stream_id, e.response.output[0].content[0].text]);
        if (done.length === 2) resolve();
      });
    });
    ws.send({ type: 'response.create', model: 'mock-fault:think-ms=300', input: 'Slow question', stream_id: 'slow' });
    ws.send({ type: 'response.create', model: 'gpt-4.1', input: 'Fast question', stream_id: 'fast' });
    await both;
    ws.close();
    assert.deepEqual(done, [
      ['fast', 'Mock answer to: Fast question.'],
      ['slow', 'Mock answer to: Slow question.'],
    ]);
  });

  test('reconnect: a recoverable drop opens again with the new parameters; nothing is re-sent', async () => {
    const asked = [];
    const ws = new ResponsesWS(client, {
      query: { session: '1' },
      reconnect: {
        onReconnecting: (event) => {
          asked.push(event);
          return { parameters: { session: '2' } };
        },
        initialDelay: 20,
        maxDelay: 50,
      },
    });
    const reconnecting = ws.emitted('reconnecting');
    const reconnected = ws.emitted('reconnected');
    const error = await turn(ws, { model: 'mock-fault:drop-after=2', input: 'A story to reconnect after' }).then(
      () => assert.fail('an error was expected'),
      (e) => e,
    );
    assert.ok(error instanceof APIConnectionError, String(error));
    assert.equal(error.events.length, 2);
    assert.ok(error.partialResponse);
    const next = await turn(ws, { model: 'gpt-4.1', input: 'hi' });
    assert.equal(next.at(-1).response.output[0].content[0].text, 'Mock answer to: hi.');
    assert.deepEqual((await reconnecting).parameters, { session: '2' });
    await reconnected;
    ws.close();
    assert.equal(asked.length, 1);
    assert.deepEqual([asked[0].attempt, asked[0].maxAttempts, asked[0].closeCode], [1, 5, 1006]);
    assert.ok(asked[0].delay >= 15 && asked[0].delay <= 20, String(asked[0].delay));
    assert.deepEqual(asked[0].parameters, { session: '1' });
    const requests = await mock.requests();
    const upgrades = requests.filter((r) => r.method === 'GET' && r.path === '/v1/responses');
    assert.equal(upgrades.at(-1).query, 'session=2');
    assert.equal(upgrades.at(-2).query, 'session=1');
    const stories = requests.filter((r) => r.method === 'WS' && r.body?.input === 'A story to reconnect after');
    assert.equal(stories.length, 1, 'the story went out once');
  });

  test('an aborted reconnect closes with the unsent messages', async () => {
    const ws = new ResponsesWS(client, { reconnect: { onReconnecting: () => ({ abort: true }) } });
    const error = await turn(ws, { model: 'mock-fault:drop-after=1', input: 'Tell a story' }).then(
      () => assert.fail('an error was expected'),
      (e) => e,
    );
    assert.ok(error instanceof APIConnectionError);
    const closed = ws.emitted('close');
    ws.on('error', () => {});
    ws.sendRaw(new TextEncoder().encode(JSON.stringify({ type: 'response.create', model: 'gpt-4.1', input: 'queued' })));
    const [code, , unsent] = await closed;
    assert.equal(code, 1006);
    assert.deepEqual(unsent.map((m) => m.message.input), ['queued']);
  });

  test('closed before it opened: nothing is sent and the close carries what was queued', async () => {
    const ws = new ResponsesWS(client);
    const closed = ws.emitted('close');
    ws.send({ type: 'response.create', model: 'gpt-4.1', input: 'never sent' });
    ws.close();
    const [code, , unsent] = await closed;
    assert.equal(code, 1000);
    assert.deepEqual(unsent.map((m) => m.message.input), ['never sent']);
    const sent = (await mock.requests()).filter((r) => r.method === 'WS' && r.body?.input === 'never sent');
    assert.equal(sent.length, 0);
  });
});
