/**
 * @module Gemini's schemas as JSON Schema. A function's `parameters` (and `responseSchema`) is Google's
 * OpenAPI subset (https://ai.google.dev/api/caching#Schema): upper-case `type` names (`"OBJECT"`),
 * `nullable`, `propertyOrdering`. Gemini CLI even sends upper-case types inside `responseJsonSchema`. Every
 * other owner wants plain JSON Schema: types lower-cased, `nullable: true` made a type union with
 * `"null"`, Gemini-only keys dropped; keywords walked by their meaning, so a property named `type` stays.
 */
import { isObject, type Json } from '../../providers/narrow.ts';

/** Keys only Google's schema has: ordering hints for the model, no JSON Schema meaning. */
const GEMINI_ONLY = new Set(['propertyOrdering', 'nullable']);
/** Keywords whose value is one schema. */
const ONE_SCHEMA = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** A Gemini schema (OpenAPI subset or JSON Schema with upper-case types) as plain JSON Schema. */
export function toJsonSchema(schema: unknown): Json {
  return isObject(schema) ? convert(schema) : {};
}

function convert(schema: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (GEMINI_ONLY.has(key)) continue;
    if (key === 'type') {
      if (value !== 'TYPE_UNSPECIFIED') out.type = typeName(value);
    }
    else if (ONE_SCHEMA.has(key) && isObject(value)) out[key] = convert(value);
    else if (SCHEMA_LIST.has(key) && Array.isArray(value)) out[key] = value.map((item) => (isObject(item) ? convert(item) : item));
    else if (SCHEMA_MAP.has(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, item]) => [name, isObject(item) ? convert(item) : item]));
    else out[key] = value;
  }
  if (schema.nullable === true && typeof out.type === 'string' && out.type !== 'null') out.type = [out.type, 'null'];
  return out;
}

/** `"STRING"` → `"string"`; a list of types each lower-cased; anything else as it was. */
function typeName(value: unknown): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item.toLowerCase() : item));
  return value;
}
