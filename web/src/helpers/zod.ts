/**
 * `rapidresponse/helpers/zod`, openai-node's zod helpers for the Responses
 * API: `zodTextFormat(schema, name)` for `text.format` and
 * `zodResponsesFunction({ name, parameters })` for a strict function tool.
 * The JSON Schema is zod's own (`toJSONSchema`, draft-7), made strict as
 * the API requires: every property required (an optional one must also be
 * nullable, else this throws, as openai-node does) and no additional
 * properties. What the model writes is parsed back with the zod schema.
 * zod (>= 3.25, which ships `zod/v4`) is an optional peer dependency;
 * zod v3 schemas are refused with an error saying so.
 */
import * as z from 'zod/v4';
import {
  makeParseableResponseTool,
  makeParseableTextFormat,
  type AutoParseableResponseTool,
  type AutoParseableTextFormat,
} from '../parse.js';

type Schema = Record<string, any>;

const ALL_FIELDS_REQUIRED =
  'https://platform.openai.com/docs/guides/structured-outputs?api-mode=responses#all-fields-must-be-required';

function isNullable(schema: Schema | undefined): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const type = schema['type'];
  if (type === 'null' || (Array.isArray(type) && type.includes('null'))) return true;
  for (const key of ['anyOf', 'oneOf']) {
    if (Array.isArray(schema[key]) && schema[key].some((s: Schema) => isNullable(s))) return true;
  }
  return false;
}

/** Makes `schema` strict in place: objects close and require every property. */
function makeStrict(schema: Schema, path: string[]): void {
  if (!schema || typeof schema !== 'object') return;
  const properties = schema['properties'];
  if (properties && typeof properties === 'object') {
    const required = new Set<string>(schema['required'] ?? []);
    for (const key of Object.keys(properties)) {
      if (!required.has(key) && !isNullable(properties[key])) {
        throw new Error(
          `Schema field at \`${[...path, 'properties', key].join('/')}\` uses \`.optional()\` without \`.nullable()\` which is not supported by the API. See: ${ALL_FIELDS_REQUIRED}`,
        );
      }
      makeStrict(properties[key], [...path, 'properties', key]);
    }
    schema['required'] = Object.keys(properties);
    if (schema['additionalProperties'] === undefined) schema['additionalProperties'] = false;
  }
  if (schema['items'] && typeof schema['items'] === 'object') makeStrict(schema['items'], [...path, 'items']);
  for (const key of ['anyOf', 'allOf', 'oneOf']) {
    if (Array.isArray(schema[key])) schema[key].forEach((s: Schema, i: number) => makeStrict(s, [...path, key, String(i)]));
  }
  for (const key of ['definitions', '$defs']) {
    const defs = schema[key];
    if (defs && typeof defs === 'object') for (const name of Object.keys(defs)) makeStrict(defs[name], [...path, key, name]);
  }
}

function strictJsonSchema(schema: unknown): Schema {
  if (!schema || typeof schema !== 'object' || !('_zod' in schema)) {
    throw new Error('rapidresponse/helpers/zod takes zod v4 schemas (zod >= 3.25: import { z } from "zod/v4", or zod 4)');
  }
  const json = z.toJSONSchema(schema as z.ZodType, { target: 'draft-7' }) as Schema;
  makeStrict(json, []);
  return json;
}

function parseWith<S extends z.ZodType>(schema: S, text: string): z.infer<S> {
  return z.parse(schema, JSON.parse(text)) as z.infer<S>;
}

/** A strict `json_schema` text format whose output `responses.parse()` reads into `z.infer<S>`. */
export function zodTextFormat<S extends z.ZodType>(
  schema: S,
  name: string,
  props?: { description?: string },
): AutoParseableTextFormat<z.infer<S>> {
  const format = { type: 'json_schema', ...props, name, strict: true, schema: strictJsonSchema(schema) };
  return makeParseableTextFormat<z.infer<S>>(format, (content) => parseWith(schema, content));
}

/** A strict function tool whose calls get `parsed_arguments` of type `z.infer<P>`. */
export function zodResponsesFunction<P extends z.ZodType, R = unknown>(options: {
  name: string;
  parameters: P;
  function?: ((args: z.infer<P>) => R) | undefined;
  description?: string | undefined;
}): AutoParseableResponseTool<z.infer<P>, R> {
  const tool: Record<string, unknown> = {
    type: 'function',
    name: options.name,
    parameters: strictJsonSchema(options.parameters),
    strict: true,
  };
  if (options.description) tool['description'] = options.description;
  return makeParseableResponseTool<z.infer<P>, R>(tool, {
    callback: options.function,
    parser: (args) => parseWith(options.parameters, args),
  });
}
