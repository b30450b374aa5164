// Structured outputs in the npm package, beside openai-node on the same
// mock: `rapidresponse/helpers/zod` builds the same strict JSON Schemas as
// `openai/helpers/zod` (and refuses the same optional-but-not-nullable
// field), `responses.parse()` gives the same `output_parsed` and
// `parsed_arguments`, a stream's `finalResponse()` is parsed too, and an
// incomplete response is not parsed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import OpenAI from 'rapidresponse';
import { zodResponsesFunction, zodTextFormat } from 'rapidresponse/helpers/zod';
import * as ourZod from 'zod/v4';
import { startMock } from '../mock.mjs';

const compat = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'sdk-compat', 'node_modules');
const load = (path) => import(pathToFileURL(join(compat, path)).href);

let mock;
let ours;
let theirs;
let their; // openai-node's helpers and their zod
before(async () => {
  assert.ok(existsSync(join(compat, 'openai')) && existsSync(join(compat, 'zod')), 'npm --prefix tests/sdk-compat ci');
  const [{ default: TheirClient }, helpers, theirZod] = await Promise.all([
    load('openai/index.mjs'),
    load('openai/helpers/zod.mjs'),
    load('zod/v4/index.js'),
  ]);
  their = { ...helpers, z: theirZod.z ?? theirZod };
  mock = await startMock();
  ours = new OpenAI({ apiKey: 'sk-parse', baseURL: mock.url });
  theirs = new TheirClient({ apiKey: 'sk-parse', baseURL: mock.url });
});
after(() => mock.stop());

// Each schema is built once with each package's own zod.
const SCHEMAS = {
  review: (z) =>
    z.object({
      verdict: z.enum(['approve', 'request_changes']).describe('the decision'),
      score: z.number().int(),
      issues: z.array(z.object({ line: z.number(), message: z.string() })),
      note: z.string().optional().nullable(),
      reviewer: z.object({ name: z.string(), bot: z.boolean() }).nullable(),
    }),
  unions: (z) => z.object({ value: z.union([z.string(), z.number()]), kind: z.literal('x'), flags: z.array(z.boolean()) }),
  nested: (z) => z.object({ a: z.object({ b: z.object({ c: z.array(z.string()) }) }) }),
};

describe('helpers/zod', () => {
  test('the same strict schemas as openai-node', () => {
    for (const [name, make] of Object.entries(SCHEMAS)) {
      const mine = zodTextFormat(make(ourZod.z ?? ourZod), name);
      const official = their.zodTextFormat(make(their.z), name);
      assert.deepEqual(JSON.parse(JSON.stringify(mine)), JSON.parse(JSON.stringify(official)), name);
      assert.equal(typeof mine.$parseRaw, 'function');
      assert.ok(!Object.keys(mine).includes('$parseRaw'), 'the parser is not sent');
    }
    const tool = zodResponsesFunction({
      name: 'get_weather',
      parameters: (ourZod.z ?? ourZod).object({ city: (ourZod.z ?? ourZod).string() }),
      description: 'Weather',
    });
    const theirTool = their.zodResponsesFunction({ name: 'get_weather', parameters: their.z.object({ city: their.z.string() }), description: 'Weather' });
    assert.deepEqual(JSON.parse(JSON.stringify(tool)), JSON.parse(JSON.stringify(theirTool)));
  });

  test('zod v3 schemas (zod/v3) convert as openai-node converts them', async () => {
    const [ourV3, theirV3] = await Promise.all([import('zod/v3'), load('zod/v3/index.js')]);
    const V3 = {
      ...SCHEMAS,
      primitives: (z) =>
        z.object({
          a: z.string().nullable(),
          b: z.number().int().nullable(),
          c: z.boolean().nullable(),
          d: z.string().min(1).max(5),
          e: z.number().gt(1).lt(5),
          f: z.array(z.string()).min(1).max(3),
          g: z.union([z.string(), z.null()]),
          h: z.union([z.literal('x'), z.literal('y')]),
          i: z.string().default('x'),
          j: z.string().nullable().optional(),
          k: z.literal(3),
        }),
      objects: (z) =>
        z
          .object({
            u: z.discriminatedUnion('k', [z.object({ k: z.literal('a') }), z.object({ k: z.literal('b'), n: z.number() })]),
            o: z.object({ b: z.string() }).describe('inner').optional().nullable(),
          })
          .describe('top'),
    };
    for (const [name, make] of Object.entries(V3)) {
      const mine = zodTextFormat(make(ourV3.z), name);
      const official = their.zodTextFormat(make(theirV3.z), name);
      assert.deepEqual(JSON.parse(JSON.stringify(mine)), JSON.parse(JSON.stringify(official)), name);
    }
    const make = (z) => z.object({ a: z.object({ note: z.string().optional() }) });
    let theirMessage;
    try {
      their.zodTextFormat(make(theirV3.z), 'n');
    } catch (e) {
      theirMessage = e.message;
    }
    assert.throws(() => zodTextFormat(make(ourV3.z), 'n'), { message: theirMessage });
    const parsed = zodTextFormat(V3.primitives(ourV3.z), 'p').$parseRaw(
      '{"a":null,"b":2,"c":true,"d":"abc","e":2,"f":["x"],"g":null,"h":"y","i":"z","j":null,"k":3}',
    );
    assert.equal(parsed.h, 'y');
  });

  test('an optional field that is not nullable is refused as openai-node refuses it', () => {
    const make = (z) => z.object({ note: z.string().optional() });
    let theirMessage;
    try {
      their.zodTextFormat(make(their.z), 'n');
    } catch (e) {
      theirMessage = e.message;
    }
    assert.ok(theirMessage, 'openai-node refuses it');
    assert.throws(() => zodTextFormat(make(ourZod.z ?? ourZod), 'n'), { message: theirMessage });
  });
});

describe('responses.parse', () => {
  test('output_parsed as openai-node gives it, from the mock', async () => {
    const z = ourZod.z ?? ourZod;
    const params = (format) => ({ model: 'gpt-4.1', input: 'Review this diff', text: { format } });
    const mine = await ours.responses.parse(params(zodTextFormat(SCHEMAS.review(z), 'review')));
    const official = await theirs.responses.parse(params(their.zodTextFormat(SCHEMAS.review(their.z), 'review')));
    assert.ok(mine.output_parsed && ['approve', 'request_changes'].includes(mine.output_parsed.verdict), JSON.stringify(mine.output_parsed));
    assert.deepEqual(mine.output_parsed, official.output_parsed);
    assert.deepEqual(mine.output[0].content[0].parsed, mine.output_parsed);
    assert.equal(mine.output_text, official.output_text);
    const sent = (await mock.requests()).at(-2).body.text.format;
    assert.equal(sent.strict, true);
    assert.equal(sent.$parseRaw, undefined);
  });

  test('function calls of zod and strict tools get parsed_arguments', async () => {
    const z = ourZod.z ?? ourZod;
    const body = (tool) => ({ model: 'gpt-4.1', input: 'What is the weather in Paris?', tools: [tool] });
    const mine = await ours.responses.parse(body(zodResponsesFunction({ name: 'get_weather', parameters: z.object({ city: z.string() }) })));
    const official = await theirs.responses.parse(
      body(their.zodResponsesFunction({ name: 'get_weather', parameters: their.z.object({ city: their.z.string() }) })),
    );
    const call = mine.output.find((i) => i.type === 'function_call');
    assert.equal(typeof call.parsed_arguments.city, 'string');
    assert.deepEqual(call.parsed_arguments, official.output.find((i) => i.type === 'function_call').parsed_arguments);
    assert.equal(mine.output_parsed, null);
    // A plain strict function tool: its arguments read as JSON.
    const strict = { type: 'function', name: 'get_weather', strict: true, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } };
    const plain = await ours.responses.parse(body(strict));
    assert.deepEqual(plain.output.find((i) => i.type === 'function_call').parsed_arguments, call.parsed_arguments);
    // No parseable input: every parsed field is null.
    const none = await ours.responses.parse({ model: 'gpt-4.1', input: 'hi' });
    assert.equal(none.output_parsed, null);
    assert.equal(none.output[0].content[0].parsed, null);
  });

  test('a stream is parsed at its end; an incomplete response is not parsed', async () => {
    const z = ourZod.z ?? ourZod;
    const format = zodTextFormat(SCHEMAS.nested(z), 'nested');
    const stream = ours.responses.stream({ model: 'gpt-4.1', input: 'Nest', text: { format } });
    const final = await stream.finalResponse();
    assert.ok(Array.isArray(final.output_parsed.a.b.c), JSON.stringify(final.output_parsed));
    const cut = await ours.responses.parse({ model: 'mock-fault:incomplete', input: 'Nest', text: { format } });
    assert.equal(cut.status, 'incomplete');
    assert.equal(cut.output_parsed, null);
  });
});
