// The example page: streams an answer into #answer with responses.stream,
// then shows token usage and the cost estimate in #usage.
import OpenAI from '../dist/index.js';

const config = await (await fetch('/config.json')).json();
const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, dangerouslyAllowBrowser: true });
const $ = (id) => document.getElementById(id);

let running;
$('stop').addEventListener('click', () => running?.abort());
$('ask').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('answer').textContent = '';
  $('usage').textContent = 'streaming…';
  $('send').disabled = true;
  $('stop').disabled = false;
  running = client.responses
    .stream({ model: config.model, input: $('prompt').value })
    .on('response.output_text.delta', (e) => {
      $('answer').textContent = e.snapshot;
    });
  try {
    const final = await running.finalResponse();
    const u = final.usage;
    const totals = client.usage();
    $('usage').textContent =
      `${u.input_tokens} input + ${u.output_tokens} output = ${u.total_tokens} tokens; ` +
      (totals.cost_usd === null ? `cost unknown (no price for ${totals.unpriced_models.join(', ')})` : `cost so far $${totals.cost_usd.toFixed(6)}`);
    $('usage').dataset.done = 'true';
  } catch (e) {
    $('usage').textContent = `${e.constructor.name}: ${e.message}`;
    $('usage').dataset.done = 'error';
  } finally {
    $('send').disabled = false;
    $('stop').disabled = true;
  }
});
document.body.dataset.ready = 'true';
