// A broken or hostile server against the npm package in Node (the mock's
// `hostile=` attacks, FAULTS.md): each ends as documented, nothing leaks
// into Object.prototype, the next call on the same client works, no key
// reaches a second origin, and the example server never hands out a key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'rapidresponse';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMock } from '../mock.mjs';
import { serveExample } from '../../examples/serve.mjs';

const TEXT = 'Hello from a hostile server';
let mock;
let client;
before(async () => {
  mock = await startMock();
  client = new OpenAI({ apiKey: 'sk-test-node-hostile', baseURL: mock.url, maxRetries: 0 });
});
after(() => mock.stop());

const attack = (name) => ({ headers: { 'x-mock-fault': `hostile=${name}` } });
const stillWorks = async (c = client) => {
  const r = await c.responses.create({ model: 'gpt-4.1', input: 'still there?' });
  assert.equal(r.status, 'completed');
};
const clean = () => {
  const probe = {};
  for (const key of ['arguments', 'content', 'text', 'delta', 'output', 'polluted']) {
    assert.equal(probe[key], undefined, `Object.prototype.${key}`);
  }
};

describe('hostile streams and bodies', () => {
  for (const name of ['amplified-id', 'prototype-keys', 'non-ascii-model', 'absurd-numbers', 'empty-events']) {
    test(`${name}: the answer still arrives, nothing is polluted`, async () => {
      const events = [];
      const stream = await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true }, attack(name));
      for await (const e of stream) events.push(e);
      assert.equal(events.at(-1).type, 'response.completed');
      assert.equal(events.at(-1).response.output_text ?? events.at(-1).response.output[0].content[0].text, TEXT);
      const helper = client.responses.stream({ model: 'gpt-4.1', input: 'x' }, attack(name));
      const final = await helper.finalResponse();
      assert.equal(final.output_text, TEXT);
      const whole = await client.responses.create({ model: 'gpt-4.1', input: 'x' }, attack(name));
      assert.equal(whole.output_text, TEXT);
      clean();
      await stillWorks();
    });
  }

  test('amplified id: peak memory stays near a normal stream (each in a child process)', async () => {
    const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      const { default: OpenAI } = await import(${JSON.stringify('file://' + index)});
      const [url, fault] = process.argv.slice(-2);
      const client = new OpenAI({ apiKey: 'k', baseURL: url, maxRetries: 0 });
      const headers = fault === 'none' ? {} : { 'x-mock-fault': fault };
      let events = 0;
      for await (const _ of await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true }, { headers })) events++;
      console.log(JSON.stringify({ events, peakKiB: process.resourceUsage().maxRSS }));`;
    const peak = (fault) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, mock.url, fault], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`))));
      });
    const normal = await peak('none');
    const amplified = await peak('hostile=amplified-id');
    assert.ok(amplified.events > 20_000, JSON.stringify(amplified));
    assert.ok(amplified.peakKiB < 3 * normal.peakKiB, JSON.stringify({ normal, amplified }));
  });

  test('absurd numbers: token totals saturate, no exception', async () => {
    const c = new OpenAI({ apiKey: 'k', baseURL: mock.url, maxRetries: 0 });
    for (let i = 0; i < 2; i++) await c.responses.create({ model: 'gpt-4.1', input: 'x' }, attack('absurd-numbers'));
    assert.ok(c.usage().tokens.input_tokens >= 2 ** 63, JSON.stringify(c.usage()));
    await stillWorks(c);
  });

  test('deeply nested JSON: JSON.parse has no depth limit in V8, so the answer arrives', async () => {
    const events = [];
    for await (const e of await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true }, attack('nested-json'))) {
      events.push(e);
    }
    assert.equal(events.at(-1).type, 'response.completed');
    const whole = await client.responses.create({ model: 'gpt-4.1', input: 'x' }, attack('nested-json'));
    assert.equal(whole.output_text, TEXT);
    await stillWorks();
  });

  test('a megabyte header: a connection error', async () => {
    await assert.rejects(client.responses.create({ model: 'gpt-4.1', input: 'x' }, attack('big-header')), OpenAI.APIConnectionError);
    await stillWorks();
  });

  test('an endless body stops at maxBodyBytes, not retried', async () => {
    const c = new OpenAI({ apiKey: 'k', baseURL: mock.url, maxRetries: 2, maxBodyBytes: 4 << 20 });
    const before = (await mock.requests()).length;
    const error = await c.responses.create({ model: 'gpt-4.1', input: 'x' }, attack('endless-body')).catch((e) => e);
    assert.ok(error instanceof OpenAI.APIConnectionError, String(error));
    assert.match(String(error.cause?.message), /limit of 4194304 bytes/);
    assert.equal((await mock.requests()).length - before, 1);
    await stillWorks(c);
  });

  test('a body announced over the default limit is refused from its header', async () => {
    const error = await client.responses.create({ model: 'gpt-4.1', input: 'x' }, attack('oversized-body')).catch((e) => e);
    assert.ok(error instanceof OpenAI.APIConnectionError, String(error));
    assert.match(String(error.cause?.message), /limit of 268435456 bytes/);
    await stillWorks();
  });

  test('paging that never ends stops and says why', async () => {
    const before = (await mock.requests()).length;
    const empty = [];
    for await (const item of client.responses.inputItems.list('resp_any', {}, attack('empty-pages'))) empty.push(item);
    assert.deepEqual(empty, []);
    await assert.rejects(async () => {
      for await (const _ of client.responses.inputItems.list('resp_any', {}, attack('stuck-cursor')));
    }, /repeated the cursor/);
    assert.ok((await mock.requests()).length - before <= 4);
  });
});

describe('redirects and keys', () => {
  test('no credential follows a redirect to another origin (manual redirects in Node)', async () => {
    const elsewhere = await startMock();
    const keyed = await startMock({ apiKey: 'sk-test-node-redirect' });
    try {
      const c = new OpenAI({
        apiKey: 'sk-test-node-redirect',
        baseURL: keyed.url,
        maxRetries: 0,
        defaultHeaders: { 'x-api-key': 'gateway-secret', 'api-key': 'azure-secret' },
      });
      await keyed.pushFault(`redirect=307;redirect-host=127.0.0.1:${new URL(elsewhere.url).port}`);
      const r = await c.responses.create({ model: 'gpt-4.1', input: 'x' });
      assert.equal(r.status, 'completed');
      const [arrived] = await elsewhere.requests();
      for (const name of ['authorization', 'api-key', 'x-api-key']) assert.equal(arrived.headers[name], undefined, name);
      assert.equal(arrived.method, 'POST');
      assert.equal(arrived.body.input, 'x');
    } finally {
      elsewhere.stop();
      keyed.stop();
    }
  });

  test('too many redirects: not retried', async () => {
    const c = new OpenAI({ apiKey: 'k', baseURL: mock.url, maxRetries: 2 });
    const before = (await mock.requests()).length;
    await assert.rejects(
      c.responses.create({ model: 'gpt-4.1', input: 'x' }, { headers: { 'x-mock-fault': 'redirect=307' } }),
      OpenAI.APIConnectionError,
    );
    assert.equal((await mock.requests()).length - before, 11);
  });

  test('a key with a line break inside is refused without quoting it', async () => {
    // fetch trims a trailing newline (Fetch's header normalisation, as in
    // openai-node); one inside the value makes it throw a TypeError that
    // quotes the value: the message names the header only.
    const c = new OpenAI({ apiKey: 'sk-test-newline\ncanary', baseURL: mock.url, maxRetries: 0 });
    const error = await c.responses.create({ model: 'gpt-4.1', input: 'x' }).catch((e) => e);
    assert.ok(error instanceof OpenAI.APIConnectionError, String(error));
    const shown = `${error} ${error.message} ${error.cause ?? ''} ${JSON.stringify(error)}`;
    assert.ok(!shown.includes('canary'), shown);
    const trailing = new OpenAI({ apiKey: 'sk-test-trailing\n', baseURL: mock.url, maxRetries: 0 });
    assert.equal((await trailing.responses.create({ model: 'gpt-4.1', input: 'x' })).status, 'completed');
  });
});

describe('the example server', () => {
  test('keeps a real key server-side and answers loopback hosts only', async () => {
    const upstream = await startMock({ apiKey: 'sk-test-real-upstream-key' });
    const site = await serveExample({ upstream: { baseURL: upstream.url, apiKey: 'sk-test-real-upstream-key' } });
    try {
      const origin = new URL(site.url).origin;
      const config = await (await fetch(`${origin}/config.json`)).json();
      assert.ok(!JSON.stringify(config).includes('real-upstream'), JSON.stringify(config));
      assert.equal(config.baseURL, `${origin}/api/v1`);
      // The page's client, through the proxy, with the placeholder key.
      const c = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, maxRetries: 0 });
      const r = await c.responses.create({ model: 'gpt-4.1', input: 'through the proxy' });
      assert.equal(r.output_text, 'Mock answer to: through the proxy.');
      const events = [];
      for await (const e of await c.responses.create({ model: 'gpt-4.1', input: 'streamed', stream: true })) events.push(e.type);
      assert.equal(events.at(-1), 'response.completed');
      // DNS rebinding: another name for 127.0.0.1 is refused.
      const { request } = await import('node:http');
      const status = await new Promise((resolve, reject) => {
        const req = request(`${origin}/config.json`, { headers: { host: 'evil.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 403);
    } finally {
      site.stop();
      upstream.stop();
    }
  });
});
