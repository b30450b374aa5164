// The shared fixture corpus's expectations checked against openai-node
// itself: every stream of tests/fixtures/sse, served verbatim by the mock,
// must end in openai-node as its `.expect.json` says under the openai-node
// preset, or as its `sdk` entry says where rapidresponse deliberately
// differs. Usage: node stream_outcomes.mjs BASE_URL
import OpenAI from 'openai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRESET = 'openai-node';
const baseURL = process.argv[2];
const origin = new URL(baseURL).origin;
const client = new OpenAI({ baseURL, apiKey: 'sk-compat', maxRetries: 0, timeout: 20_000 });
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sse');
const version = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'node_modules/openai/package.json'), 'utf8')).version;
// openai-node logs the JSON it could not parse; the outcome is what counts here.
console.error = () => {};

const replay = (body) => fetch(`${origin}/__mock/replay?status=200&content_type=text%2Fevent-stream`, { method: 'POST', body });

function endOf(e) {
  if (e instanceof SyntaxError) return 'decode';
  if (e instanceof OpenAI.APIConnectionError) return 'connection';
  if (e instanceof OpenAI.APIError) return e.status === undefined ? 'stream_error' : 'api';
  throw e;
}

async function outcome(body) {
  await replay(body);
  let events = 0;
  let end = 'clean';
  try {
    for await (const _ of await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true })) events++;
  } catch (e) {
    end = endOf(e);
  }
  await replay(body);
  let final;
  try {
    final = (await client.responses.stream({ model: 'gpt-4.1', input: 'x' }).finalResponse()).status;
  } catch {
    final = 'error';
  }
  return { events, end, final };
}

let passed = 0;
let failed = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith('.sse')).sort()) {
  const expect = JSON.parse(readFileSync(join(dir, name.replace(/\.sse$/, '.expect.json')), 'utf8'));
  const { why, ...want } = expect.sdk?.[PRESET] ?? expect.outcomes[PRESET];
  const got = await outcome(readFileSync(join(dir, name)));
  if (JSON.stringify(got) === JSON.stringify(want)) passed++;
  else {
    failed++;
    console.log(`FAIL openai-node ${version}: ${name}: got ${JSON.stringify(got)}, the corpus says ${JSON.stringify(want)}`);
  }
}
console.log(`openai-node stream outcomes: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
