/**
 * Parsed responses as openai-node gives them: `responses.parse()` (and a
 * stream's `finalResponse()`) add `output_parsed` (the first `output_text`
 * part that parsed), each `output_text` part's `parsed`, and
 * `parsed_arguments` on the function calls of strict or auto-parseable
 * tools. A format or tool built by `rapidresponse/helpers/zod` carries its
 * parser (a non-enumerable `$parseRaw`); a plain `json_schema` format or a
 * `strict` tool is read with `JSON.parse`. An incomplete response, or a
 * message in a non-final phase, is not parsed. It sends nothing.
 */
import { addOutputText } from './output-text.js';
import type { Response } from './types.js';

const FORMAT_BRAND = 'auto-parseable-response-format';
const TOOL_BRAND = 'auto-parseable-tool';

/** A response with its parsed output. */
export type ParsedResponse<T = unknown> = Response & { output_parsed: T | null };

/** A `text.format` that parses what the model writes into a `T`. */
export type AutoParseableTextFormat<T> = {
  type: 'json_schema';
  name: string;
  strict: true;
  schema: Record<string, unknown>;
  description?: string;
  $brand: typeof FORMAT_BRAND;
  $parseRaw(content: string): T;
};

/** A function tool whose calls' arguments parse into a `T`. */
export type AutoParseableResponseTool<T, R = unknown> = {
  type: 'function';
  name: string;
  parameters: Record<string, unknown>;
  strict: true;
  description?: string;
  $brand: typeof TOOL_BRAND;
  $parseRaw(args: string): T;
  $callback: ((args: T) => R) | undefined;
};

/** Copies `format` with its parser attached (not sent: non-enumerable). */
export function makeParseableTextFormat<T>(
  format: Record<string, unknown>,
  parser: (content: string) => T,
): AutoParseableTextFormat<T> {
  const copy = { ...format, type: 'json_schema' };
  delete (copy as { toJSON?: unknown }).toJSON;
  Object.defineProperties(copy, {
    $brand: { value: FORMAT_BRAND, enumerable: false },
    $parseRaw: { value: parser, enumerable: false },
  });
  return copy as unknown as AutoParseableTextFormat<T>;
}

/** Copies `tool` with its parser and callback attached (not sent). */
export function makeParseableResponseTool<T, R = unknown>(
  tool: Record<string, unknown>,
  { parser, callback }: { parser: (args: string) => T; callback: ((args: T) => R) | undefined },
): AutoParseableResponseTool<T, R> {
  const copy = { ...tool };
  Object.defineProperties(copy, {
    $brand: { value: TOOL_BRAND, enumerable: false },
    $parseRaw: { value: parser, enumerable: false },
    $callback: { value: callback, enumerable: false },
  });
  return copy as unknown as AutoParseableResponseTool<T, R>;
}

type Loose = Record<string, any>;

function isParseableFormat(format: Loose | null | undefined): boolean {
  return format?.['$brand'] === FORMAT_BRAND || format?.['type'] === 'json_schema';
}

/** What the model wrote, parsed by the format's parser or as JSON. */
function parseContent(format: Loose | null | undefined, content: string): unknown {
  if (!isParseableFormat(format)) return null;
  if (typeof format?.['$parseRaw'] === 'function') return format['$parseRaw'](content);
  try {
    return JSON.parse(content);
  } catch (error) {
    if (error instanceof SyntaxError) throw new SyntaxError('Error reading response: invalid structured output JSON.');
    throw error;
  }
}

function toolNamed(params: Loose, name: string): Loose | undefined {
  return (params['tools'] ?? []).find((t: Loose) => t?.type === 'function' && t.name === name);
}

function hasParseableInput(params: Loose, format: Loose | null): boolean {
  if (isParseableFormat(format)) return true;
  return (params['tools'] ?? []).some(
    (t: Loose) => t?.['$brand'] === TOOL_BRAND || (t?.type === 'function' && t.strict === true),
  );
}

function parseArguments(params: Loose, call: Loose): unknown {
  const tool = toolNamed(params, call['name']);
  if (tool?.['$brand'] === TOOL_BRAND) return tool['$parseRaw'](call['arguments']);
  if (tool?.['strict']) return parseContent({ type: 'json_schema' }, call['arguments']);
  return null;
}

/** `response` with its parsed output, for the request `params`. */
export function parseResponse<T = unknown>(response: Response, params: Record<string, unknown> | null): ParsedResponse<T> {
  const format: Loose | null = ((params?.['text'] as Loose | undefined)?.['format'] as Loose | undefined) ?? null;
  const raw = response as unknown as Loose;
  if (!params || !hasParseableInput(params, format)) {
    const plain: Loose = {
      ...raw,
      output_parsed: null,
      output: (raw['output'] ?? []).map((item: Loose) =>
        item.type === 'function_call'
          ? { ...item, parsed_arguments: null }
          : item.type === 'message'
            ? { ...item, content: item.content.map((c: Loose) => ({ ...c, parsed: null })) }
            : item,
      ),
    };
    addOutputText(plain as Response);
    return plain as ParsedResponse<T>;
  }
  const complete = !raw['status'] || raw['status'] === 'completed';
  const output = (raw['output'] ?? []).map((item: Loose) => {
    if (item.type === 'function_call') return { ...item, parsed_arguments: complete ? parseArguments(params, item) : null };
    if (item.type !== 'message') return item;
    const final = item.phase == null || item.phase === 'final_answer';
    return {
      ...item,
      content: item.content.map((c: Loose) =>
        c.type === 'output_text' ? { ...c, parsed: complete && final ? parseContent(format, c.text) : null } : c,
      ),
    };
  });
  const parsed: Loose = { ...raw, output };
  addOutputText(parsed as Response);
  Object.defineProperty(parsed, 'output_parsed', {
    enumerable: true,
    get() {
      for (const item of parsed['output']) {
        if (item.type !== 'message') continue;
        for (const c of item.content) if (c.type === 'output_text' && c.parsed !== null) return c.parsed;
      }
      return null;
    },
  });
  return parsed as ParsedResponse<T>;
}
