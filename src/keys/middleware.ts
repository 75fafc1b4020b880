/**
 * @module The client key check for the OpenAI-compatible routes. A key in `Authorization: Bearer`
 * is always checked, needed or not (a bad one is never silently ignored); `need` says whether a
 * request without one may pass. The key's record (its view) is set for the route.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { ConfigError, configOrError } from '../config.ts';
import type { Env } from '../env.ts';
import { apiError } from '../errors.ts';
import { KEY_LENGTH } from './format.ts';
import { keySecrets } from './secret.ts';
import type { KeyRecord } from './store.ts';
import { verifyKey } from './verify.ts';

export type KeyVariables = { clientKey: KeyRecord | null };

/** `always`: inference. `if-configured`: the list, which needs a key only under `REQUIRE_CLIENT_KEY`. */
export const clientKey = (need: 'always' | 'if-configured') =>
  createMiddleware<AppEnv>(async function clientKey(c, next) {
    const presented = bearerToken(c.req.header('Authorization'));
    if (presented === undefined) {
      if (need === 'always' || keyRequired(c.env)) throw invalidKey('A client key is required: send it as Authorization: Bearer sk-me-….');
      c.set('clientKey', null);
      return next();
    }
    if (presented === null) throw invalidKey('The Authorization header holds no single Bearer key.');
    const record = presented.length === KEY_LENGTH ? await verifyKey(presented, c.env.MODELS_KV, await keySecrets(c.env)) : undefined;
    if (record === undefined) throw invalidKey('Invalid client key: unknown, revoked or expired.');
    c.set('clientKey', record);
    await next();
  });

/**
 * `REQUIRE_CLIENT_KEY`; under a configuration error the list is still served, so the raw var
 * decides, failing closed: anything but unset or false requires a key.
 */
function keyRequired(env: Env): boolean {
  const config = configOrError(env);
  if (!(config instanceof ConfigError)) return config.requireClientKey;
  const raw = env.REQUIRE_CLIENT_KEY;
  return !(raw === undefined || raw === '' || raw === false || raw === 'false');
}

/** undefined: no credentials at all; null: an `Authorization` header that is not one Bearer token. */
function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S*) *$/i.exec(header);
  if (match === null) return null;
  // `Bearer ` with nothing after it is what some clients send when no key is set.
  return match[1] === '' ? undefined : (match[1] ?? null);
}

function invalidKey(message: string) {
  // OpenAI answers a bad key as an `invalid_request_error`; clients switch on `code`.
  return apiError(401, 'invalid_api_key', message, { type: 'invalid_request_error', headers: { 'WWW-Authenticate': 'Bearer realm="models-edge"' } });
}
