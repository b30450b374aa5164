// Benchmark driver for a Node client with openai-node's API.
//
// usage: node node_client.mjs --module openai|rapidresponse SCENARIO BASE_URL
//
// Prints one JSON line (see bench/harness.py). S4 times the import and the
// client's construction; the others time the scenario alone.
import { readFileSync } from 'node:fs';

const started = performance.now();
const MODEL = 'gpt-4.1';
const INPUT = 'Say hello';
const args = process.argv.slice(2);
const moduleName = args[0] === '--module' ? args[1] : 'openai';
const [scenario, baseURL] = args[0] === '--module' ? args.slice(2) : args;
const size = (name, dflt) => Number(process.env[name] ?? dflt);
const report = (t, fields) => console.log(JSON.stringify({ ...fields, secs: (performance.now() - t) / 1000 }));

const mod = await import(moduleName);
const OpenAI = mod.default ?? mod.OpenAI;
const client = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0 });

function version() {
  try {
    const pkg = new URL(import.meta.resolve(`${moduleName}/package.json`));
    return JSON.parse(readFileSync(pkg, 'utf8')).version;
  } catch {
    return '?';
  }
}

const t = performance.now();
if (scenario === 's4') {
  report(started, { version: version() });
} else if (scenario === 's1') {
  // Joined in blocks: neither an array per event nor a rope of 1M pieces.
  let events = 0;
  let text = '';
  let parts = [];
  for await (const event of await client.responses.create({ model: MODEL, input: INPUT, stream: true })) {
    events += 1;
    if (event.type === 'response.output_text.delta') {
      parts.push(event.delta);
      if (parts.length === 1024) {
        text += parts.join('');
        parts = [];
      }
    }
  }
  text += parts.join('');
  report(t, { events, text_len: text.length });
} else if (scenario === 's2') {
  const n = size('BENCH_REPEAT', 30);
  const lens = [];
  for (let i = 0; i < n; i++) lens.push((await client.responses.create({ model: MODEL, input: INPUT })).output_text.length);
  report(t, { responses: n, text_len: lens.every((l) => l === lens[0]) ? lens[0] : -1 });
} else if (scenario === 's3') {
  const n = size('BENCH_REQUESTS', 2000);
  const inFlight = size('BENCH_CONCURRENCY', 64);
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < n) {
      next += 1;
      const r = await client.responses.create({ model: MODEL, input: INPUT });
      if (r.status === 'completed' && r.output_text) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  report(t, { requests: n, ok });
} else if (scenario === 's5' || scenario === 's5ws') {
  // S5: BENCH_TURNS turns of a function-calling loop, each after the
  // previous one, over HTTP streaming or one WebSocket (openai-node's ResponsesWS).
  const turns = size('BENCH_TURNS', 20);
  const model = `mock-fault:think-ms=${size('BENCH_THINK_MS', 20)}`;
  const tools = [{ type: 'function', name: 'get_weather', description: 'Weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
  let ws;
  let waiting;
  if (scenario === 's5ws') {
    const { ResponsesWS } = await import(`${moduleName}/resources/responses/ws`);
    ws = new ResponsesWS(client);
    ws.on('event', (e) => {
      if (e.type === 'response.completed') waiting?.resolve(e.response);
    });
    ws.on('error', (e) => waiting?.reject(e));
  }
  let previous;
  let callID;
  let calls = 0;
  for (let turn = 0; turn < turns; turn++) {
    const params = { model, tools, input: turn % 2 === 0 ? 'What is the weather in Paris?'
      : [{ type: 'function_call_output', call_id: callID, output: '18 C' }] };
    if (previous) params.previous_response_id = previous;
    let done;
    if (ws) {
      done = await new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        ws.send({ type: 'response.create', ...params });
      });
    } else {
      for await (const event of await client.responses.create({ ...params, stream: true })) {
        if (event.type === 'response.completed') done = event.response;
      }
    }
    previous = done.id;
    const call = done.output.find((i) => i.type === 'function_call');
    if (call) {
      callID = call.call_id;
      calls += 1;
    }
  }
  ws?.close();
  report(t, { turns, tool_calls: calls });
} else {
  throw new Error(`unknown scenario ${scenario}`);
}
