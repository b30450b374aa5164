// The example page in Debian's chromium, driven by playwright-core (no
// browser download): the built package is imported by the page, streams
// from the Rust mock across origins (CORS), and the answer and usage appear
// in the DOM. Saves a screenshot to test-results/example.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { serveExample } from '../../examples/serve.mjs';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
let site;
let browser;
before(async () => {
  assert.ok(existsSync(executablePath), `no chromium at ${executablePath} (apt-get install chromium)`);
  site = await serveExample();
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
after(async () => {
  await browser?.close();
  site?.stop();
});

test('the example page streams an answer and shows usage and cost', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.url);
  await page.waitForSelector('body[data-ready]');
  await page.fill('#prompt', 'Stream into the page');
  await page.click('#send');
  await page.waitForSelector('#usage[data-done]', { timeout: 20_000, state: 'attached' });
  assert.equal(await page.getAttribute('#usage', 'data-done'), 'true', await page.textContent('#usage'));
  assert.equal(await page.textContent('#answer'), 'Mock answer to: Stream into the page.');
  assert.match(await page.textContent('#usage'), /\d+ input \+ \d+ output = \d+ tokens; cost so far \$0\.\d+/);
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/example.png' });
  assert.deepEqual(errors, []);
});

test('in the page: the browser check, error classes, abort and a panic', async () => {
  const page = await browser.newPage();
  // The mock's control endpoints send no CORS headers (a page may not read
  // them): the test asks from Node.
  await page.exposeFunction('mockStreamsAbandoned', () => site.mock.streamsAbandoned());
  await page.goto(site.url);
  const result = await page.evaluate(async () => {
    const mod = await import('/dist/index.js');
    const OpenAI = mod.default;
    const config = await (await fetch('/config.json')).json();
    const out = {};
    try {
      new OpenAI({ apiKey: 'k', baseURL: config.baseURL });
    } catch (e) {
      out.browserCheck = e instanceof OpenAI.OpenAIError && /dangerouslyAllowBrowser/.test(e.message);
    }
    const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, dangerouslyAllowBrowser: true, maxRetries: 0 });
    try {
      await client.responses.create({ model: 'gpt-4.1', input: 'x' }, { headers: { 'x-mock-fault': 'status=429' } });
    } catch (e) {
      out.rateLimit = [e instanceof OpenAI.RateLimitError, e.status, e.code, typeof e.requestID];
    }
    const stream = await client.responses.create(
      { model: 'gpt-4.1', input: 'abort in the browser', stream: true },
      { headers: { 'x-mock-fault': 'stall-after=5' } },
    );
    const stats = () => window.mockStreamsAbandoned();
    const abandonedBefore = await stats();
    setTimeout(() => stream.controller.abort(), 100);
    let n = 0;
    for await (const _ of stream) n += 1;
    out.abortedAfter = n;
    for (let i = 0; i < 200 && (await stats()) === abandonedBefore; i++) await new Promise((r) => setTimeout(r, 10));
    out.serverSawAbort = (await stats()) === abandonedBefore + 1;
    try {
      await mod._panicForTests();
    } catch (e) {
      out.panic = e instanceof mod.RustPanicError;
    }
    out.after = (await client.responses.create({ model: 'gpt-4.1', input: 'still here' })).output_text;
    return out;
  });
  assert.deepEqual(result, {
    browserCheck: true,
    rateLimit: [true, 429, 'rate_limit_exceeded', 'string'],
    abortedAfter: 5,
    serverSawAbort: true,
    panic: true,
    after: 'Mock answer to: still here.',
  });
});

test('in the page: a hostile stream pollutes nothing and the answer arrives', async () => {
  const page = await browser.newPage();
  await page.goto(site.url);
  const result = await page.evaluate(async () => {
    const { default: OpenAI } = await import('/dist/index.js');
    const config = await (await fetch('/config.json')).json();
    const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, dangerouslyAllowBrowser: true, maxRetries: 0 });
    const out = {};
    for (const attack of ['prototype-keys', 'amplified-id', 'empty-events']) {
      const stream = await client.responses.create(
        { model: 'gpt-4.1', input: 'x', stream: true },
        { headers: { 'x-mock-fault': `hostile=${attack}` } },
      );
      let last;
      for await (const e of stream) last = e;
      out[attack] = last.response.output[0].content[0].text;
    }
    const probe = {};
    out.polluted = ['arguments', 'content', 'text', 'delta'].filter((k) => probe[k] !== undefined);
    // A browser hides redirects from code: refused, not followed blind.
    out.redirect = await client.responses
      .create({ model: 'gpt-4.1', input: 'x' }, { headers: { 'x-mock-fault': 'redirect=307' } })
      .then(() => 'followed', (e) => [e.constructor.name, /redirect/.test(String(e.cause?.message ?? e.cause ?? ''))]);
    return out;
  });
  const text = 'Hello from a hostile server';
  assert.deepEqual(result, {
    'prototype-keys': text,
    'amplified-id': text,
    'empty-events': text,
    polluted: [],
    redirect: ['APIConnectionError', true],
  });
});

test('in the page: the WebSocket mode over the browser\'s WebSocket', async () => {
  const page = await browser.newPage();
  await page.goto(site.url);
  const result = await page.evaluate(async () => {
    const { default: OpenAI, ResponsesWS } = await import('/dist/index.js');
    const config = await (await fetch('/config.json')).json();
    const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, dangerouslyAllowBrowser: true });
    const ws = new ResponsesWS(client);
    const types = [];
    const done = new Promise((resolve, reject) => {
      ws.on('event', (e) => {
        types.push(e.type);
        if (e.type === 'response.completed') resolve(e.response.output[0].content[0].text);
      });
      ws.on('error', reject);
    });
    ws.send({ type: 'response.create', model: 'gpt-4.1', input: 'Hello over a socket' });
    const text = await done;
    ws.close();
    return { first: types[0], text };
  });
  assert.deepEqual(result, { first: 'response.created', text: 'Mock answer to: Hello over a socket.' });
});

test('in a module Worker: fetch, the wasm module and a stream work there too', async () => {
  const page = await browser.newPage();
  await page.goto(site.url);
  const text = await page.evaluate(async () => {
    const config = await (await fetch('/config.json')).json();
    const source = `
      import OpenAI from '${location.origin}/dist/index.js';
      const data = ${JSON.stringify(config)};
      (async () => {
        try {
          const client = new OpenAI({ apiKey: data.apiKey, baseURL: data.baseURL });
          const stream = await client.responses.create({ model: 'gpt-4.1', input: 'from a worker', stream: true });
          let text = '';
          for await (const e of stream) if (e.type === 'response.output_text.delta') text += e.delta;
          self.postMessage(text);
        } catch (e) {
          self.postMessage('error: ' + e);
        }
      })();`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    return await new Promise((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => resolve('worker error: ' + e.message);
    });
  });
  assert.equal(text, 'Mock answer to: from a worker.');
});
