// Type-checked (not run) by `npm run typecheck`: openai-node-style code
// against the package's .d.ts, so a type that drifts from the calls fails CI.
import OpenAI, { AzureOpenAI, APIError, RateLimitError, type Response, type ResponseStreamEvent } from 'rapidresponse';
import { zodResponsesFunction, zodTextFormat } from 'rapidresponse/helpers/zod';
import { z } from 'zod/v4';

export async function typed(): Promise<string> {
  const client = new OpenAI({ apiKey: 'sk-example', maxRetries: 3, timeout: 20_000 });

  const response: Response = await client.responses.create({ model: 'gpt-4.1', input: 'Say hi' });
  const first: string = response.output_text;
  const requestID: string | null | undefined = (response as Response & { _request_id?: string | null })._request_id;

  const stream = await client.responses.create({ model: 'gpt-4.1', input: 'Stream', stream: true });
  let text = '';
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') text += event.delta;
    if (event.type === 'response.completed') text += event.response.output_text;
  }
  stream.controller.abort();

  const helper = client.responses
    .stream({ model: 'gpt-4.1', input: 'Helper' })
    .on('response.output_text.delta', (e) => {
      text += e.delta + e.snapshot;
    })
    .on('event', (e: ResponseStreamEvent) => void e.sequence_number);
  const final: Response = await helper.finalResponse();

  const { data, response: raw, request_id } = await client.responses
    .create({ model: 'gpt-4.1', input: 'raw' })
    .withResponse();
  const status: number = raw.status;

  for await (const item of client.responses.inputItems.list(final.id, { limit: 10 })) {
    text += item.id;
  }
  const page = await client.responses.inputItems.list(final.id);
  if (page.hasNextPage()) await page.getNextPage();

  const chat = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  text += chat.choices[0]?.message.content ?? '';
  const chunks = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
  for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
  const [left, right] = chunks.tee();
  void left.toReadableStream();
  void right;

  try {
    await client.responses.retrieve('resp_missing');
  } catch (e) {
    if (e instanceof RateLimitError) text += e.headers.get('retry-after') ?? '';
    else if (e instanceof APIError) text += `${e.status} ${e.code} ${e.requestID}`;
    if (e instanceof OpenAI.NotFoundError) text += e.status;
  }

  // Structured outputs and models, as openai-node types them.
  const Review = z.object({ verdict: z.enum(['approve', 'request_changes']), issues: z.array(z.string()) });
  const parsed = await client.responses.parse({ model: 'gpt-4.1', input: 'Review', text: { format: zodTextFormat(Review, 'review') } });
  const verdict: 'approve' | 'request_changes' | undefined = parsed.output_parsed?.verdict;
  text += verdict ?? '';
  const weather = zodResponsesFunction({ name: 'get_weather', parameters: z.object({ city: z.string() }) });
  const city: string = weather.$parseRaw('{"city":"Paris"}').city;
  text += city;
  for await (const model of client.models.list()) text += model.id;
  text += (await client.models.retrieve('gpt-4.1')).owned_by;

  const azure = new AzureOpenAI({ apiKey: 'k', endpoint: 'https://example.openai.azure.com', apiVersion: '2025-04-01-preview' });
  await azure.responses.delete('resp_1');
  const usage = client.usage();

  return [first, requestID, text, data.id, request_id, status, usage.cost_usd ?? 'unpriced'].join();
}
