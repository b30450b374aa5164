// The shared fixture corpus (tests/fixtures/sse), read as the Rust and
// Python suites read it: every stream, served by the mock, ends through the
// npm package as its `.expect.json` says under the openai-node preset: how
// many events iteration yields, how it ends, and what the
// `responses.stream()` helper's `finalResponse()` gives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI, { APIConnectionError, APIError, OpenAIError } from 'rapidresponse';
import { startMock } from '../mock.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'fixtures', 'sse');
const streams = readdirSync(dir).filter((f) => f.endsWith('.sse')).sort();

let mock;
let client;
before(async () => {
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-fixtures', baseURL: mock.url, maxRetries: 0 });
});
after(() => mock.stop());

/** The corpus's name for how a stream ended with this error. */
function endOf(e) {
  if (e instanceof SyntaxError) return 'decode';
  if (e instanceof APIConnectionError) return 'connection';
  if (e instanceof APIError) return e.status === undefined ? 'stream_error' : 'api';
  throw e;
}

async function outcome(body) {
  await mock.pushReplay(body);
  let events = 0;
  let end = 'clean';
  try {
    for await (const _ of await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true })) events++;
  } catch (e) {
    end = endOf(e);
  }
  await mock.pushReplay(body);
  let final;
  try {
    final = (await client.responses.stream({ model: 'gpt-4.1', input: 'x' }).finalResponse()).status;
  } catch (e) {
    if (!(e instanceof OpenAIError) && !(e instanceof SyntaxError)) throw e;
    final = 'error';
  }
  return { events, end, final };
}

describe('the shared fixture corpus', () => {
  test('is there', () => assert.ok(streams.length >= 30));
  for (const name of streams) {
    test(`${name} ends as the corpus says`, async () => {
      const expect = JSON.parse(readFileSync(join(dir, name.replace(/\.sse$/, '.expect.json')), 'utf8'));
      assert.deepEqual(await outcome(readFileSync(join(dir, name))), expect.outcomes['openai-node']);
    });
  }
});
