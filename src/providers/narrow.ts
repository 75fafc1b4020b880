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
 * regex per entry: the usual form is read digit by digit (`rfc3339Seconds`), anything else that
 * starts `YYYY-` goes to `Date.parse`, which takes any fraction length and any offset.
 */
export function unixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value) : undefined;
  if (typeof value !== 'string' || value.length < 10 || value.charCodeAt(4) !== DASH) return undefined;
  const seconds = rfc3339Seconds(value);
  if (seconds !== undefined) return seconds;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form Anthropic, Ollama and OpenAI-compatible
 * servers send, as Unix seconds (the fraction dropped, as `Math.floor(Date.parse(…) / 1000)` drops
 * it), without `Date.parse`, which costs several times more per entry. Undefined for any other form
 * or an impossible date: `Date.parse` decides those.
 */
export function rfc3339Seconds(text: string): number | undefined {
  if (text.length < 20 || text.charCodeAt(7) !== DASH || text.charCodeAt(10) !== UPPER_T || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  let at = 19;
  if (text.charCodeAt(at) === DOT) {
    const start = ++at;
    while (at < text.length && isDigit(text.charCodeAt(at))) at++;
    if (at === start) return undefined;
  }
  let offset = 0;
  const sign = text.charCodeAt(at);
  if (sign === UPPER_Z && at === text.length - 1) {
    offset = 0;
  } else if ((sign === PLUS || sign === DASH) && at === text.length - 6 && text.charCodeAt(at + 3) === COLON) {
    const hours = digits(text, at + 1, 2);
    const minutes = digits(text, at + 4, 2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
    offset = (sign === PLUS ? 1 : -1) * (hours * 3600 + minutes * 60);
  } else {
    return undefined;
  }
  return daysSinceEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
}

/** The decimal number in `text` at `start`, `length` digits long, or -1 when one is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - ZERO);
  }
  return value;
}

const isDigit = (code: number) => code >= ZERO && code <= ZERO + 9;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DASH = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
