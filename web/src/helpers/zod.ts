/**
 * `rapidresponse/helpers/zod`, openai-node's zod helpers for the Responses
 * API: `zodTextFormat(schema, name)` for `text.format` and
 * `zodResponsesFunction({ name, parameters })` for a strict function tool.
 * The JSON Schema is zod's own (`toJSONSchema`, draft-7), made strict as
 * the API requires: every property required (an optional one must also be
 * nullable, else this throws, as openai-node does) and no additional
 * properties. What the model writes is parsed back with the zod schema.
 * zod (>= 3.25, which ships `zod/v4`) is an optional peer dependency.
 * zod v3 schemas (`import { z } from 'zod'` in zod 3, or `zod/v3`) are
 * converted here, type by type, as openai-node's strict conversion gives
 * them (nullable primitives as `nullable: true`, other nullables as
 * `anyOf` with null, checks as bounds); refinements and transforms, whose
 * meaning JSON Schema cannot hold, are refused.
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

const DRAFT_7 = 'http://json-schema.org/draft-07/schema#';

function strictJsonSchema(schema: unknown, name: string): Schema {
  if (schema && typeof schema === 'object' && '_zod' in schema) {
    const json = z.toJSONSchema(schema as z.ZodType, { target: 'draft-7' }) as Schema;
    makeStrict(json, []);
    return json;
  }
  if (schema && typeof schema === 'object' && '_def' in schema) {
    return { ...v3Schema(schema as V3, ['#', 'definitions', name]), $schema: DRAFT_7 };
  }
  throw new Error('rapidresponse/helpers/zod takes zod schemas (zod v4, or zod v3 from zod >= 3.25)');
}

type V3 = { _def: Record<string, any>; description?: string };

/** A zod v3 schema as strict JSON Schema; `path` names it in errors. */
function v3Schema(schema: V3, path: string[]): Schema {
  const def = schema._def;
  const out = v3Body(schema, path);
  const description = def['description'] ?? schema.description;
  if (description !== undefined && out['description'] === undefined) out['description'] = description;
  return out;
}

const PRIMITIVES: Record<string, string> = { ZodString: 'string', ZodNumber: 'number', ZodBoolean: 'boolean', ZodNull: 'null' };

/** Whether a schema is a plain primitive (no checks): nullable ones become `nullable: true`. */
function isPlainPrimitive(schema: V3): boolean {
  const def = schema._def;
  return def['typeName'] in PRIMITIVES && !(def['checks']?.length > 0);
}

function v3Body(schema: V3, path: string[]): Schema {
  const def = schema._def;
  switch (def['typeName']) {
    case 'ZodString': {
      const out: Schema = { type: 'string' };
      for (const check of def['checks'] ?? []) {
        if (check.kind === 'min') out['minLength'] = check.value;
        else if (check.kind === 'max') out['maxLength'] = check.value;
        else if (check.kind === 'length') out['minLength'] = out['maxLength'] = check.value;
        else unsupported(`string check ${check.kind}`, path);
      }
      return out;
    }
    case 'ZodNumber': {
      const out: Schema = { type: 'number' };
      for (const check of def['checks'] ?? []) {
        if (check.kind === 'int') out['type'] = 'integer';
        else if (check.kind === 'min') out[check.inclusive ? 'minimum' : 'exclusiveMinimum'] = check.value;
        else if (check.kind === 'max') out[check.inclusive ? 'maximum' : 'exclusiveMaximum'] = check.value;
        else unsupported(`number check ${check.kind}`, path);
      }
      return out;
    }
    case 'ZodBoolean':
      return { type: 'boolean' };
    case 'ZodNull':
      return { type: 'null' };
    case 'ZodLiteral':
      return { type: typeof def['value'], const: def['value'] };
    case 'ZodEnum':
      return { type: 'string', enum: [...def['values']] };
    case 'ZodArray': {
      const out: Schema = { type: 'array', items: v3Schema(def['type'], [...path, 'items']) };
      if (def['minLength']) out['minItems'] = def['minLength'].value;
      if (def['maxLength']) out['maxItems'] = def['maxLength'].value;
      return out;
    }
    case 'ZodObject': {
      const shape = typeof def['shape'] === 'function' ? def['shape']() : def['shape'];
      const properties: Schema = {};
      for (const [key, field] of Object.entries(shape) as [string, V3][]) {
        properties[key] = v3Field(field, [...path, 'properties', key]);
      }
      return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
    }
    case 'ZodNullable': {
      const inner: V3 = def['innerType'];
      if (isPlainPrimitive(inner)) return { ...v3Schema(inner, path), nullable: true };
      return { anyOf: [v3Schema(inner, path), { type: 'null' }] };
    }
    case 'ZodOptional':
      // Optional alone cannot be strict (v3Field refuses it in objects).
      return v3Schema(def['innerType'], path);
    case 'ZodDefault':
      return { ...v3Schema(def['innerType'], path), default: def['defaultValue']() };
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion': {
      const options: V3[] = [...(def['options'] instanceof Map ? def['options'].values() : def['options'])];
      if (options.every(isPlainPrimitive)) {
        return { type: [...new Set(options.map((o) => PRIMITIVES[o._def['typeName']]))] };
      }
      if (options.every((o) => o._def['typeName'] === 'ZodLiteral' && typeof o._def['value'] === 'string')) {
        return { type: 'string', enum: options.map((o) => o._def['value']) };
      }
      return { anyOf: options.map((o, i) => v3Schema(o, [...path, 'anyOf', String(i)])) };
    }
    default:
      return unsupported(def['typeName'], path);
  }
}

/** An object field: an optional one must also be nullable. */
function v3Field(field: V3, path: string[]): Schema {
  const type = field._def['typeName'];
  if (type === 'ZodOptional') {
    const inner: V3 = field._def['innerType'];
    if (inner._def['typeName'] !== 'ZodNullable') {
      throw new Error(
        `Zod field at \`${path.join('/')}\` uses \`.optional()\` without \`.nullable()\` which is not supported by the API. See: ${ALL_FIELDS_REQUIRED}`,
      );
    }
    return v3Schema(inner, path);
  }
  return v3Schema(field, path);
}

function unsupported(what: string, path: string[]): never {
  throw new Error(`Zod field at \`${path.join('/')}\` uses ${what}, which rapidresponse/helpers/zod cannot convert to strict JSON Schema`);
}

function parseWith<S extends z.ZodType>(schema: S, text: string): z.infer<S> {
  const value = JSON.parse(text);
  const v3 = schema as unknown as { parse?: (v: unknown) => unknown; _zod?: unknown };
  if (!v3._zod && typeof v3.parse === 'function') return v3.parse(value) as z.infer<S>;
  return z.parse(schema, value) as z.infer<S>;
}

/** A strict `json_schema` text format whose output `responses.parse()` reads into `z.infer<S>`. */
export function zodTextFormat<S extends z.ZodType>(
  schema: S,
  name: string,
  props?: { description?: string },
): AutoParseableTextFormat<z.infer<S>> {
  const format = { type: 'json_schema', ...props, name, strict: true, schema: strictJsonSchema(schema, name) };
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
    parameters: strictJsonSchema(options.parameters, options.name),
    strict: true,
  };
  if (options.description) tool['description'] = options.description;
  return makeParseableResponseTool<z.infer<P>, R>(tool, {
    callback: options.function,
    parser: (args) => parseWith(options.parameters, args),
  });
}
