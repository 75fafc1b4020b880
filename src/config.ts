/** @module Reads and checks the worker's configuration once per isolate; every error names its field. */
import type { Env } from './env.ts';
import { isObject } from './providers/narrow.ts';
import { isProviderType, providers, type ProviderType } from './providers/registry.ts';
import { KV_MIN_TTL_SECONDS } from './cache/kv.ts';
import { logEvent } from './log.ts';

/** Contract defaults. */
const DEFAULT_CACHE_TTL_SECONDS = 3600;
const DEFAULT_STALE_TTL_SECONDS = 86400;
const DEFAULT_TIMEOUT_MS = 5000;
/** Provider ids end up in URLs (`?provider=`) and logs: keep them plain. */
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export interface ProviderEntry {
  id: string;
  type: ProviderType;
  baseUrl: string;
  /** The key read from the secret named by `apiKeySecret`; never logged or answered. */
  apiKey?: string;
  prefix: string;
  include: RegExp[];
  exclude: RegExp[];
  timeoutMs: number;
  headers: Record<string, string>;
  /** A fixed list: the provider is not called. */
  models?: string[];
}

export interface Config {
  providers: ProviderEntry[];
  cacheTtlSeconds: number;
  staleTtlSeconds: number;
}

/** A configuration mistake; `field` names what to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
  }
}

/** Parsed once per `env` object (one per isolate in production): the hot path pays a map lookup. */
const parsed = new WeakMap<Env, Config | ConfigError>();

/** The checked configuration, or a thrown `ConfigError` (logged once per isolate). */
export function loadConfig(env: Env): Config {
  let result = parsed.get(env);
  if (result === undefined) {
    result = parseOrError(env);
    if (result instanceof ConfigError) logEvent('config_error', { field: result.field, message: result.message });
    parsed.set(env, result);
  }
  if (result instanceof ConfigError) throw result;
  return result;
}

function parseOrError(env: Env): Config | ConfigError {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

export function parseConfig(env: Env): Config {
  const cacheTtlSeconds = seconds(env.CACHE_TTL_SECONDS, 'CACHE_TTL_SECONDS', DEFAULT_CACHE_TTL_SECONDS);
  const staleTtlSeconds = seconds(env.STALE_TTL_SECONDS, 'STALE_TTL_SECONDS', DEFAULT_STALE_TTL_SECONDS);
  if (cacheTtlSeconds < 1) throw new ConfigError('CACHE_TTL_SECONDS', 'must be at least 1');
  if (cacheTtlSeconds + staleTtlSeconds < KV_MIN_TTL_SECONDS) {
    throw new ConfigError(
      'CACHE_TTL_SECONDS',
      `CACHE_TTL_SECONDS + STALE_TTL_SECONDS is ${cacheTtlSeconds + staleTtlSeconds}, below KV's minimum expirationTtl of ${KV_MIN_TTL_SECONDS} s`,
    );
  }
  const entries = providerArray(env.PROVIDERS);
  const seen = new Set<string>();
  const list = entries.map((entry, index) => {
    const provider = parseEntry(entry, `PROVIDERS[${index}]`, env);
    if (seen.has(provider.id)) throw new ConfigError(`PROVIDERS[${index}].id`, `duplicate id "${provider.id}"`);
    seen.add(provider.id);
    return provider;
  });
  return { providers: list, cacheTtlSeconds, staleTtlSeconds };
}

function providerArray(raw: unknown): unknown[] {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError('PROVIDERS', 'is not valid JSON (expected a JSON array of provider entries)');
    }
  }
  if (value === undefined) value = [];
  if (!Array.isArray(value)) throw new ConfigError('PROVIDERS', 'must be a JSON array of provider entries');
  if (value.length === 0) throw new ConfigError('PROVIDERS', 'is empty: configure at least one provider');
  return value;
}

function parseEntry(entry: unknown, at: string, env: Env): ProviderEntry {
  if (!isObject(entry)) throw new ConfigError(at, 'must be an object');
  const id = entry.id;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new ConfigError(`${at}.id`, 'is required and must match [a-z0-9][a-z0-9-]*');
  }
  const type = entry.type;
  if (!isProviderType(type)) {
    throw new ConfigError(`${at}.type`, `unknown type ${JSON.stringify(type)}; one of: ${Object.keys(providers).join(', ')}`);
  }
  return {
    id,
    type,
    baseUrl: baseUrl(entry.baseUrl ?? providers[type].defaultBaseUrl, `${at}.baseUrl`),
    apiKey: apiKey(entry.apiKeySecret, `${at}.apiKeySecret`, env),
    prefix: optional(entry.prefix, `${at}.prefix`, isString, 'a string') ?? '',
    include: (optional(entry.include, `${at}.include`, isStringArray, 'an array of strings') ?? []).map(glob),
    exclude: (optional(entry.exclude, `${at}.exclude`, isStringArray, 'an array of strings') ?? []).map(glob),
    timeoutMs: optional(entry.timeoutMs, `${at}.timeoutMs`, isPositiveInteger, 'a positive whole number') ?? DEFAULT_TIMEOUT_MS,
    headers: optional(entry.headers, `${at}.headers`, isStringRecord, 'an object of string values') ?? {},
    models: optional(entry.models, `${at}.models`, isStringArray, 'an array of strings'),
  };
}

function baseUrl(value: unknown, at: string): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(at, 'must be an http(s) URL');
  }
  return value.replace(/\/+$/, '');
}

function apiKey(secretName: unknown, at: string, env: Env): string | undefined {
  if (secretName === undefined) return undefined;
  if (typeof secretName !== 'string' || secretName === '') throw new ConfigError(at, 'must be the name of a secret');
  const key = env[secretName];
  if (typeof key !== 'string' || key === '') {
    throw new ConfigError(at, `secret ${secretName} is not set (wrangler secret put ${secretName}, or .dev.vars locally)`);
  }
  return key;
}

function seconds(value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'string' ? Number(value) : value;
  if (!isNonNegativeInteger(number)) throw new ConfigError(field, 'must be a whole number of seconds');
  return number;
}

function optional<T>(value: unknown, at: string, check: (v: unknown) => v is T, what: string): T | undefined {
  if (value === undefined) return undefined;
  if (!check(value)) throw new ConfigError(at, `must be ${what}`);
  return value;
}

/** `*` matches any run of characters, `/` included; everything else is literal. */
function glob(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isStringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isString);
const isNonNegativeInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isPositiveInteger = (v: unknown): v is number => isNonNegativeInteger(v) && v > 0;
