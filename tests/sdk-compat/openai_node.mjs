// The official openai-node SDK against rapidresponse-mock: every answer the
// mock gives must be accepted. Usage: node openai_node.mjs BASE_URL
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'sk-compat', maxRetries: 0, timeout: 20000 });
const checks = [];
const check = (name, fn) => checks.push([name, fn]);
const assert = (cond, msg) => { if (!cond) throw new Error(msg ?? 'assertion failed'); };

check('create', async () => {
  const r = await client.responses.create({ model: 'gpt-4.1', input: 'Write FizzBuzz in Python', store: true });
  assert(r.status === 'completed' && r.output_text.includes('FizzBuzz'), JSON.stringify(r));
  assert(r._request_id.startsWith('req_'));
});

check('stream', async () => {
  const stream = await client.responses.create({ model: 'gpt-4.1', input: 'Tell me a story', stream: true });
  let text = '';
  let last;
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') text += event.delta;
    last = event;
  }
  // openai-node adds output_text to non-stream results only: join the parts.
  const final = last.response.output
    .filter((i) => i.type === 'message')
    .flatMap((m) => m.content.filter((c) => c.type === 'output_text').map((c) => c.text))
    .join('');
  assert(last.type === 'response.completed' && final === text, `${final} != ${text}`);
});

check('stream helper', async () => {
  const s = client.responses.stream({ model: 'gpt-4.1', input: 'hello' });
  let snapshot = '';
  s.on('response.output_text.delta', (e) => { snapshot = e.snapshot; });
  const final = await s.finalResponse();
  assert(final.output_text === snapshot && snapshot.length > 0);
});

check('retrieve, input items, delete', async () => {
  const r = await client.responses.create({ model: 'gpt-4.1', input: 'keep me' });
  const got = await client.responses.retrieve(r.id);
  assert(got.id === r.id);
  const page = await client.responses.inputItems.list(r.id);
  assert(page.data.length >= 1);
  await client.responses.delete(r.id);
  try {
    await client.responses.retrieve(r.id);
    throw new Error('a deleted response is gone');
  } catch (e) {
    assert(e instanceof OpenAI.NotFoundError, String(e));
  }
});

check('errors', async () => {
  try {
    await client.responses.create({ model: 'gpt-4.1', input: 'x', temperature: 5 });
    throw new Error('expected a 400');
  } catch (e) {
    assert(e instanceof OpenAI.BadRequestError && e.param === 'temperature', String(e));
  }
});

check('chat', async () => {
  const c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  assert(c.choices[0].message.content.length > 0);
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert(text === c.choices[0].message.content);
});

check('conversations and their items', async () => {
  const conv = await client.conversations.create({ items: [{ type: 'message', role: 'user', content: 'I am Ada.' }] });
  assert(conv.id.startsWith('conv_') && conv.object === 'conversation');
  const r = await client.responses.create({ model: 'gpt-4.1', input: 'What is my name?', conversation: conv.id });
  assert(r.conversation?.id === conv.id);
  const items = [];
  for await (const item of client.conversations.items.list(conv.id, { order: 'asc', limit: 2 })) items.push(item);
  assert(items.length === 3 && items[2].role === 'assistant' && items[2].content[0].text === r.output_text);
  const added = await client.conversations.items.create(conv.id, { items: [{ type: 'message', role: 'user', content: 'x' }] });
  const got = await client.conversations.items.retrieve(added.data[0].id, { conversation_id: conv.id });
  assert(got.id === added.data[0].id);
  assert((await client.conversations.items.delete(got.id, { conversation_id: conv.id })).id === conv.id);
  assert((await client.conversations.update(conv.id, { metadata: { job: 'done' } })).metadata.job === 'done');
  const deleted = await client.conversations.delete(conv.id);
  assert(deleted.deleted === true && deleted.object === 'conversation.deleted');
  try {
    await client.conversations.retrieve(conv.id);
    assert(false);
  } catch (e) {
    assert(e instanceof OpenAI.NotFoundError, e);
  }
});

check('models', async () => {
  const page = await client.models.list();
  assert(page.data.length > 0 && page.data.every((m) => m.object === 'model' && m.id));
  const one = await client.models.retrieve(page.data[0].id);
  assert(one.id === page.data[0].id && one.owned_by === page.data[0].owned_by);
  try {
    await client.models.retrieve('no-such-model');
    assert(false);
  } catch (e) {
    assert(e instanceof OpenAI.NotFoundError && e.code === 'model_not_found', e);
  }
  try {
    await client.models.delete('gpt-4.1');
    assert(false);
  } catch (e) {
    assert(e instanceof OpenAI.PermissionDeniedError, e);
  }
});

check('WebSocket mode (ResponsesWS): a turn, then an error event', async () => {
  const { ResponsesWS } = await import('openai/resources/responses/ws');
  const rws = new ResponsesWS(client);
  const seen = [];
  const turn = new Promise((resolve, reject) => {
    rws.on('event', (e) => {
      seen.push(e.type);
      if (e.type === 'response.completed') resolve(e);
    });
    rws.on('error', reject);
  });
  rws.send({ type: 'response.create', model: 'gpt-4.1', input: 'Hi' });
  const completed = await turn;
  assert(seen[0] === 'response.created', seen.join());
  assert(completed.response.output[0].content[0].text === 'Mock answer to: Hi.');
  const failed = new Promise((resolve) => rws.on('error', resolve));
  rws.send({ type: 'response.create', model: 'gpt-4.1', input: 'x', temperature: 9 });
  const error = await failed;
  assert(error.error?.status === 400 || /temperature/.test(String(error.message)), String(error));
  rws.close();
});

let passed = 0;
let failed = 0;
for (const [name, fn] of checks) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   openai-node: ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL openai-node: ${name}: ${e?.stack ?? e}`);
  }
}
console.log(`openai-node: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
