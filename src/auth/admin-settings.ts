/**
 * @module The admin auth settings (`ADMIN_JWT_*`, `ADMIN_JWKS_URL`), checked once per env object:
 * a mistake is a `ConfigError` naming the variable and the fix, logged once as a `config_error` line.
 */
import { ConfigError } from '../config.ts';
import type { Env } from '../env.ts';
import { logEvent } from '../log.ts';
import { parseMaxAge, SECRET_FIX, secretProblem } from './admin-rules.ts';

export interface AdminSettings {
  /** HS256 keys: `ADMIN_JWT_SECRET` first, then `ADMIN_JWT_SECRET_PREVIOUS` (verification only). */
  secrets: Uint8Array[];
  jwksUrl: URL | undefined;
  /** The longest `exp − iat` a token may carry. */
  maxAgeSeconds: number;
  issuer: string | undefined;
  audience: string | undefined;
}

/** Hosts a JWKS may be fetched from over plain http: the developer's own machine. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const parsed = new WeakMap<Env, AdminSettings | ConfigError>();

/** The checked settings, or a thrown `ConfigError`. */
export function adminSettings(env: Env): AdminSettings {
  let result = parsed.get(env);
  if (result === undefined) {
    result = parseOrError(env);
    if (result instanceof ConfigError) logEvent('config_error', { field: result.field, message: result.message });
    parsed.set(env, result);
  }
  if (result instanceof ConfigError) throw result;
  return result;
}

function parseOrError(env: Env): AdminSettings | ConfigError {
  try {
    return parseSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** The checks alone, without the per-isolate memo and log line (`npm run check-config`). */
export function parseSettings(env: Env): AdminSettings {
  const current = secret(env.ADMIN_JWT_SECRET, 'ADMIN_JWT_SECRET', SECRET_FIX);
  const previous = secret(
    env.ADMIN_JWT_SECRET_PREVIOUS,
    'ADMIN_JWT_SECRET_PREVIOUS',
    'delete it with `wrangler secret delete ADMIN_JWT_SECRET_PREVIOUS`, since tokens it signed must not work',
  );
  if (previous !== undefined && current === undefined) {
    throw new ConfigError('ADMIN_JWT_SECRET_PREVIOUS', 'only verifies tokens during a rotation; set ADMIN_JWT_SECRET too');
  }
  const maxAge = parseMaxAge(env.ADMIN_JWT_MAX_AGE);
  if (!maxAge.ok) throw new ConfigError('ADMIN_JWT_MAX_AGE', maxAge.problem);
  const jwksUrl = env.ADMIN_JWKS_URL ? jwks(env.ADMIN_JWKS_URL) : undefined;
  const audience = env.ADMIN_JWT_AUDIENCE || undefined;
  if (jwksUrl !== undefined && audience === undefined) {
    // Without an audience any token the team's keys ever signed, for any application, would pass.
    throw new ConfigError('ADMIN_JWT_AUDIENCE', 'is required when ADMIN_JWKS_URL is set');
  }
  return {
    secrets: [current, previous].filter((key) => key !== undefined),
    jwksUrl,
    maxAgeSeconds: maxAge.seconds,
    issuer: env.ADMIN_JWT_ISSUER || undefined,
    audience,
  };
}

function secret(value: unknown, name: string, fix: string): Uint8Array | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(name, `must be a string; ${fix}`);
  const problem = secretProblem(value);
  if (problem !== undefined) throw new ConfigError(name, `${problem}; ${fix}`);
  return new TextEncoder().encode(value);
}

/** Keys fetched over plain http could be swapped on the way: https only, but for a local key server. */
function jwks(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const local = url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url === undefined || (url.protocol !== 'https:' && !local)) {
    throw new ConfigError(
      'ADMIN_JWKS_URL',
      'must be an https: URL, e.g. https://<team>.cloudflareaccess.com/cdn-cgi/access/certs (http: only on 127.0.0.1, localhost or [::1])',
    );
  }
  return url;
}
