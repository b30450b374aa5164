/**
 * openai-node's `output_text` convenience property: the text of the
 * `output_text` parts of a response's message items, joined. A view of a
 * response, not accumulation (the response so far is the wasm module's).
 */

/** openai-node's `output_text`: the `output_text` parts of message items, joined. */
export function outputText(response: { output?: unknown }): string {
  const texts: string[] = [];
  for (const item of (response.output as any[]) ?? []) {
    if (item?.type !== 'message') continue;
    for (const part of item.content ?? []) {
      if (part?.type === 'output_text') texts.push(part.text);
    }
  }
  return texts.join('');
}

/** Sets `output_text` on a response object, as openai-node does. */
export function addOutputText<T extends object>(response: T): T {
  (response as any).output_text = outputText(response);
  return response;
}
