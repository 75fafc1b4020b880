/** @module Small guards for narrowing upstream JSON (`unknown`) without `any`. */
import { ShapeError } from './types.ts';

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

/** An array field of a page object, or a `ShapeError` naming what was missing. */
export function arrayField(page: unknown, field: string): unknown[] {
  if (!isObject(page)) throw new ShapeError(`expected a JSON object with "${field}", got ${describe(page)}`);
  const value = page[field];
  if (!Array.isArray(value)) throw new ShapeError(`expected "${field}" to be an array, got ${describe(value)}`);
  return value;
}

/** The entry's `id`-like field, or a `ShapeError`: an entry without an id cannot be listed. */
export function requiredId(entry: unknown, field: string): string {
  const id = isObject(entry) ? optionalString(entry[field]) : undefined;
  if (id === undefined) throw new ShapeError(`expected every entry to have a string "${field}"`);
  return id;
}

/** Unix seconds from an RFC 3339 date (any fractional precision and offset), if it parses. */
export function unixSecondsFromDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  // Date.parse accepts at most millisecond fractions; Ollama sends nanoseconds.
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
