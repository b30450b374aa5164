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
    assert.deepEqual(await closed, [1000, '']);

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
    assert.deepEqual(await closed, [1006, '']);
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
    assert.equal(seen[0], 'response.created');
    assert.deepEqual(seen.slice(-2), ['response.completed', 'close']);
  });
});
