/**
 * @module Reads and checks the worker's configuration once per isolate; every error names its field.
 * The checks are one declarative table per object (config/entry.ts, config/views.ts) over the small
 * helpers of config/fields.ts, which also refuse unknown fields with the nearest known name. They find
 * every problem (`checkConfig`, for `npm run check-config`); the worker logs and answers the first.
 */
import { KV_MIN_TTL_SECONDS } from './cache/kv.ts';
import { parseAliases, type Aliases } from './config/aliases.ts';
import { parseEntry, validId, type ProviderEntry } from './config/entry.ts';
import { ConfigError, flag, jsonVar, Problems, wholeNumber } from './config/fields.ts';
import { parseViews, type View } from './config/views.ts';
import { parseWebhooks, type Webhook } from './config/webhooks.ts';
import type { Env } from './env.ts';
import { logEvent } from './log.ts';
import { entrySecrets } from './upstream/sanitise.ts';

export { ConfigError } from './config/fields.ts';
export type { Aliases } from './config/aliases.ts';
export type { ProviderEntry } from './config/entry.ts';
export type { View } from './config/views.ts';
export type { Webhook } from './config/webhooks.ts';

/** Contract defaults. */
const DEFAULT_CACHE_TTL_SECONDS = 3600;
const DEFAULT_STALE_TTL_SECONDS = 86400;
/**
 * Inference request bodies above this answer 413: room for long chats and a few inline images
 * (base64), far below what would strain a Worker that parses the body once.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export interface Config {
  providers: ProviderEntry[];
  cacheTtlSeconds: number;
  staleTtlSeconds: number;
  /** `VIEWS`, by name. */
  views: ReadonlyMap<string, View>;
  /** When true, the list and retrieve routes need a client key too (inference always does). */
  requireClientKey: boolean;
  /** `CORS_ORIGINS`: `*`, or the origins allowed to call `/v1/*` from a browser. */
  corsOrigins: '*' | string[];
  /** `MAX_REQUEST_BYTES`: the largest inference body accepted. */
  maxRequestBytes: number;
  /** `WEBHOOKS`: where the change feed is POSTed. */
  webhooks: Webhook[];
  /**
   * `ALIASES`: other names for listed models. Applied when the list is served (serve/catalog.ts),
   * never stored with it, so they are not part of `fingerprint`: changing them needs no refresh.
   */
  aliases: Aliases;
  /**
   * Changes whenever a stored list made under another configuration could differ from one made now
   * (providers, their filters, prefixes and caps, views). Stored with the list; short, so it fits metadata.
   */
  fingerprint: string;
  /** Every configured secret value (provider keys, header values): redacted wherever upstream text is repeated. */
  secretValues: string[];
}

/** Parsed once per `env` object (one per isolate in production): the hot path pays a map lookup. */
const parsed = new WeakMap<Env, Config | ConfigError>();

/** The checked configuration, or a thrown `ConfigError` (logged once per isolate). */
export function loadConfig(env: Env): Config {
  const result = configOrError(env);
  if (result instanceof ConfigError) throw result;
  return result;
}

/** Like `loadConfig`, but a configuration error is returned, for callers that can serve without one. */
export function configOrError(env: Env): Config | ConfigError {
  let result = parsed.get(env);
  if (result === undefined) {
    result = parseOrError(env);
    if (result instanceof ConfigError) logEvent('config_error', { field: result.field, message: result.message });
    parsed.set(env, result);
  }
  return result;
}

function parseOrError(env: Env): Config | ConfigError {
  const checked = checkConfig(env);
  return checked.ok ? checked.config : checked.problems[0];
}

/** The checked configuration, or a thrown `ConfigError`: the first problem `checkConfig` finds. */
export function parseConfig(env: Env): Config {
  const checked = checkConfig(env);
  if (!checked.ok) throw checked.problems[0];
  return checked.config;
}

/** The configuration, or every problem in it, in the order the checks meet them (`npm run check-config` prints them all). */
export type CheckedConfig = { ok: true; config: Config } | { ok: false; problems: [ConfigError, ...ConfigError[]] };

/**
 * Checks every var, entry and field that can be checked on its own. A field with a problem stands in
 * as its default, so the checks after it go on (the configuration is refused anyway).
 */
export function checkConfig(env: Env): CheckedConfig {
  const problems = new Problems();
  const cacheTtlSeconds = problems.check(() => wholeNumber(env.CACHE_TTL_SECONDS, 'CACHE_TTL_SECONDS', DEFAULT_CACHE_TTL_SECONDS, { unit: 'seconds' }), DEFAULT_CACHE_TTL_SECONDS);
  const staleTtlSeconds = problems.check(() => wholeNumber(env.STALE_TTL_SECONDS, 'STALE_TTL_SECONDS', DEFAULT_STALE_TTL_SECONDS, { unit: 'seconds' }), DEFAULT_STALE_TTL_SECONDS);
  if (cacheTtlSeconds < 1) problems.add('CACHE_TTL_SECONDS', 'must be at least 1');
  else if (cacheTtlSeconds + staleTtlSeconds < KV_MIN_TTL_SECONDS) {
    problems.add('CACHE_TTL_SECONDS', `CACHE_TTL_SECONDS + STALE_TTL_SECONDS is ${cacheTtlSeconds + staleTtlSeconds}, below KV's minimum expirationTtl of ${KV_MIN_TTL_SECONDS} s`);
  }
  const ids = new Set<string>();
  const providers: ProviderEntry[] = [];
  providerArray(env.PROVIDERS, problems).forEach((entry, index) => {
    const provider = parseEntry(entry, `PROVIDERS[${index}]`, env, problems);
    // An entry with other problems still has its id: a duplicate of it, or a view naming it, is judged by it.
    const id = validId(entry);
    if (id !== undefined && ids.has(id)) problems.add(`PROVIDERS[${index}].id`, `duplicate id "${id}"`);
    if (id !== undefined) ids.add(id);
    if (provider !== undefined) providers.push(provider);
  });
  const views = parseViews(env.VIEWS, ids, problems);
  const webhooks = parseWebhooks(env.WEBHOOKS, views, env, problems);
  const config: Config = {
    providers,
    cacheTtlSeconds,
    staleTtlSeconds,
    views,
    requireClientKey: problems.check(() => flag(env.REQUIRE_CLIENT_KEY, 'REQUIRE_CLIENT_KEY', false), false),
    corsOrigins: problems.check(() => corsOrigins(env.CORS_ORIGINS), '*'),
    maxRequestBytes: problems.check(() => wholeNumber(env.MAX_REQUEST_BYTES, 'MAX_REQUEST_BYTES', DEFAULT_MAX_REQUEST_BYTES, { min: 1024 }), DEFAULT_MAX_REQUEST_BYTES),
    webhooks,
    aliases: parseAliases(env.ALIASES, providers, (text) => hash53(text).toString(36), problems),
    fingerprint: fingerprintOf(providers, views),
    secretValues: [...providers.flatMap(entrySecrets), ...webhooks.map((hook) => hook.secret)],
  };
  const [first, ...rest] = problems.found;
  return first === undefined ? { ok: true, config } : { ok: false, problems: [first, ...rest] };
}

/** The entries, or none (with the problem recorded) when `PROVIDERS` is not an array. */
function providerArray(raw: unknown, problems: Problems): unknown[] {
  const value = problems.check(() => jsonVar(raw, 'PROVIDERS', 'a JSON array of provider entries') ?? [], undefined);
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add('PROVIDERS', 'must be a JSON array of provider entries');
    return [];
  }
  if (value.length === 0) problems.add('PROVIDERS', 'is empty: configure at least one provider');
  return value;
}

/** `*` (the default), or origins as a TOML array, a JSON array string or a comma-separated string. */
function corsOrigins(raw: unknown): '*' | string[] {
  if (raw === undefined || raw === '' || raw === '*') return '*';
  const value = typeof raw === 'string' && !raw.trim().startsWith('[') ? raw.split(',').map((s) => s.trim()).filter(Boolean) : jsonVar(raw, 'CORS_ORIGINS', 'origins');
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError('CORS_ORIGINS', 'must be * or a list of origins like https://chat.example.com');
  return value.map((origin, index) => {
    if (origin === '*' && value.length === 1) return '*';
    if (typeof origin !== 'string' || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS[${index}]`, `${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path)`);
    }
    return origin;
  });
}

/** A short, stable hash of what decides a stored list's contents and how it is filtered. */
function fingerprintOf(providers: ProviderEntry[], views: ReadonlyMap<string, View>): string {
  const source = JSON.stringify([
    providers.map((p) => [p.id, p.type, p.baseUrl, p.prefix, p.include.map(String), p.exclude.map(String), p.models ?? null, p.maxModels]),
    [...views.values()].map((v) => [v.name, v.providers === undefined ? null : [...v.providers], v.include.map(String), v.exclude.map(String)]),
  ]);
  return hash53(source).toString(36);
}

/** cyrb53: a fast 53-bit string hash. Not for secrets; only to notice a configuration change. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
