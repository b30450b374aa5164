/**
 * Folds Responses stream events into the response so far, as openai-node's
 * ResponseStream does: the snapshot behind `.on('...delta', e => e.snapshot)`,
 * `finalResponse()`, and the `partialResponse` of a stream cut off part way.
 * Events are not mutated: items are copied before text is appended to them.
 */
import type { Response, ResponseStreamEvent } from './types.js';

const copy = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/** Appends made to each snapshot string since it was last flattened. */
const appends = new WeakMap<object, number>();

/** `target[field] += delta`, flattening the string every 4,096 appends: V8
 * builds a rope of every piece otherwise, which holds memory in proportion
 * to the number of events instead of the text (ToNumber flattens it). */
function append(target: any, field: string, delta: string): void {
  const text = (target[field] ?? '') + delta;
  target[field] = text;
  const n = (appends.get(target) ?? 0) + 1;
  if (n >= 4096) {
    void (Number(text) | 0);
    appends.set(target, 0);
  } else {
    appends.set(target, n);
  }
}

/** The snapshot after `event` (the same object, changed in place, or a new one). */
export function accumulate(snapshot: Response | undefined, event: ResponseStreamEvent): Response | undefined {
  const e = event as any;
  switch (e.type) {
    case 'response.created':
    case 'response.queued':
    case 'response.in_progress':
      return e.response ? { ...copy(e.response), output: copy(e.response.output ?? []) } : snapshot;
    case 'response.completed':
    case 'response.failed':
    case 'response.incomplete':
      return e.response ?? snapshot;
  }
  if (!snapshot) return snapshot;
  const output = snapshot.output as any[];
  const item = output?.[e.output_index];
  switch (e.type) {
    case 'response.output_item.added':
      output[e.output_index] = copy(e.item);
      break;
    case 'response.output_item.done':
      output[e.output_index] = copy(e.item);
      break;
    case 'response.content_part.added':
      if (item) (item.content ??= [])[e.content_index] = copy(e.part);
      break;
    case 'response.content_part.done':
      if (item) (item.content ??= [])[e.content_index] = copy(e.part);
      break;
    case 'response.output_text.delta':
    case 'response.reasoning_text.delta': {
      const part = item?.content?.[e.content_index];
      if (part) append(part, 'text', e.delta);
      break;
    }
    case 'response.output_text.done':
    case 'response.reasoning_text.done': {
      const part = item?.content?.[e.content_index];
      if (part) part.text = e.text;
      break;
    }
    case 'response.output_text.annotation.added': {
      const part = item?.content?.[e.content_index];
      if (part) (part.annotations ??= [])[e.annotation_index] = copy(e.annotation);
      break;
    }
    case 'response.refusal.delta': {
      const part = item?.content?.[e.content_index];
      if (part) append(part, 'refusal', e.delta);
      break;
    }
    case 'response.function_call_arguments.delta':
    case 'response.custom_tool_call_input.delta':
    case 'response.mcp_call_arguments.delta':
      if (item) {
        append(item, e.type === 'response.custom_tool_call_input.delta' ? 'input' : 'arguments', e.delta);
      }
      break;
    case 'response.function_call_arguments.done':
      if (item) item.arguments = e.arguments;
      break;
    case 'response.reasoning_summary_part.added':
      if (item) (item.summary ??= [])[e.summary_index] = copy(e.part);
      break;
    case 'response.reasoning_summary_text.delta': {
      const part = item?.summary?.[e.summary_index];
      if (part) append(part, 'text', e.delta);
      break;
    }
    case 'response.reasoning_summary_text.done': {
      const part = item?.summary?.[e.summary_index];
      if (part) part.text = e.text;
      break;
    }
  }
  return snapshot;
}

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

export function isTerminal(type: string): boolean {
  return type === 'response.completed' || type === 'response.failed' || type === 'response.incomplete';
}
