/**
 * @module The configuration's field checks, its one error type and the list of problems one check
 * finds. Every check names the field it refuses, so an operator reads `PROVIDERS[0].baseURL: unknown
 * field; did you mean baseUrl?` and fixes it, instead of a typo falling back silently to a default.
 */
import { isObject, type Json } from '../providers/narrow.ts';

/** A configuration mistake; `field` names what to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}

/**
 * Every problem one check of the configuration finds, in the order the checks meet them: each field
 * that can be checked on its own is, so `npm run check-config` lists them all in one run, while the
 * worker answers with the first.
 */
export class Problems {
  readonly found: ConfigError[] = [];

  add(field: string, problem: string): void {
    this.found.push(new ConfigError(field, problem));
  }

  /** `check`'s value; if it throws a `ConfigError`, that is recorded and `fallback` answered, so the checks go on. */
  check<T, F>(check: () => T, fallback: F): T | F {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.found.push(error);
      return fallback;
    }
  }
}

export { isObject } from '../providers/narrow.ts';

/** Where a secret named in the configuration is read: the worker's env (a plain record here, so the checks need no bindings). */
export type Secrets = Readonly<Record<string, unknown>>;

/** Refuses every field not in `known`, each with the nearest known name. */
export function onlyKnownFields(value: Json, known: readonly string[], at: string, problems: Problems): void {
  for (const field of Object.keys(value)) {
    if (known.includes(field)) continue;
    const nearest = nearestName(field, known);
    problems.add(`${at}.${field}`, `unknown field${nearest === undefined ? `; known fields: ${known.join(', ')}` : `; did you mean ${nearest}?`}`);
  }
}

/** The known name closest to `name` (case-insensitive edit distance at most 3), if any. */
function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** `value` when it passes `check`, undefined when absent, else a `ConfigError` saying what it must be. */
export function optional<T>(value: unknown, at: string, check: (v: unknown) => v is T, what: string): T | undefined {
  if (value === undefined) return undefined;
  if (!check(value)) throw new ConfigError(at, `must be ${what}`);
  return value;
}

/** A var that is a TOML value in `[vars]` or a JSON string of it (`.dev.vars`, `--var`). */
export function jsonVar(raw: unknown, field: string, expected: string): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(field, `is not valid JSON (expected ${expected})`);
  }
}

/** A whole number, given as a number (TOML) or a string of one (`.dev.vars`). */
export function wholeNumber(value: unknown, field: string, fallback: number, { min = 0, unit = '' } = {}): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'string' ? Number(value) : value;
  if (!isWholeNumber(number) || number < min) {
    throw new ConfigError(field, `must be a whole number${unit ? ` of ${unit}` : ''}${min > 0 ? ` of at least ${min}` : ''}`);
  }
  return number;
}

/** `true`/`false` as TOML booleans or strings. */
export function flag(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(field, 'must be true or false');
}

/** `*` matches any run of characters, `/` included; everything else is literal. */
export function glob(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/** An http(s) URL without trailing slashes; a query string (Azure's `?api-version=`) is kept. */
export function httpUrl(value: unknown, at: string): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(at, 'must be an http(s) URL');
  }
  const query = value.indexOf('?');
  return query === -1 ? value.replace(/\/+$/, '') : value.slice(0, query).replace(/\/+$/, '') + value.slice(query);
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
export const isStringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isString);
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isWholeNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
export const isPositiveInteger = (v: unknown): v is number => isWholeNumber(v) && v > 0;
