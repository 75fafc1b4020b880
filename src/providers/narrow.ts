/** @module Small guards for narrowing upstream JSON (`unknown`) without `any`. */
import type { UpstreamModel } from '../model.ts';
import { ShapeError, type Page } from './types.ts';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** One shared empty object: no allocation per entry for a nested field that is absent. */
const EMPTY: Json = Object.freeze({});

/** A nested object field, or an empty one: `nested(entry, 'top_provider').max_completion_tokens`. */
export function nested(entry: Json, field: string): Json {
  const value = entry[field];
  return isObject(value) ? value : EMPTY;
}

/** An array field of a page object, or a `ShapeError` naming what was missing. */
export function arrayField(page: unknown, field: string): unknown[] {
  if (!isObject(page)) throw new ShapeError(`expected a JSON object with "${field}", got ${describe(page)}`);
  const value = page[field];
  if (!Array.isArray(value)) throw new ShapeError(`expected "${field}" to be an array, got ${describe(value)}`);
  return value;
}

/** What `toModel` answers for an entry it cannot list: why, in our words. */
export type Skip = string;

/**
 * Maps every entry with `toModel`. An entry that is not an object, or that `toModel` skips, is
 * counted (with the first reason) and the others are kept: one odd entry never costs the whole list.
 * A plain loop, not `map`/spread: a page may hold hundreds of thousands of entries.
 */
export function listEntries(entries: unknown[], toModel: (entry: Json) => UpstreamModel | Skip): Page {
  const models: UpstreamModel[] = [];
  let skipped = 0;
  let skippedExample: string | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const model = isObject(entry) ? toModel(entry) : `an entry that is ${describe(entry)}, not an object`;
    if (typeof model === 'string') {
      skipped++;
      skippedExample ??= model;
    } else {
      models.push(model);
    }
  }
  return skippedExample === undefined ? { models, skipped } : { models, skipped, skippedExample };
}

/** Why an entry without an id is skipped: it cannot be listed. */
export const noId = (field: string): Skip => `an entry without a string "${field}"`;

/**
 * Unix seconds from a number of seconds or an RFC 3339 / ISO-8601 date string, if it is one. No
 * regex per entry: a cheap look at `YYYY-` first, then `Date.parse`, which takes any fraction length
 * (Ollama sends nanoseconds) and any offset.
 */
export function unixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value) : undefined;
  if (typeof value !== 'string' || value.length < 10 || value.charCodeAt(4) !== DASH) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

const DASH = 0x2d;

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
