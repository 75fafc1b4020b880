/**
 * @module The client key check for every client-facing route. The key is read where the request's
 * dialect puts it (src/dialects/); a key that is presented is always checked, needed or not (a bad
 * one is never silently ignored); `need` says whether a request without one may pass. The key's
 * record (its view) is set for the route.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { ConfigError, configOrError } from '../config.ts';
import { invalidKey } from '../dialects/credentials.ts';
import { dialectFor } from '../dialects/select.ts';
import type { Env } from '../env.ts';
import { KEY_LENGTH } from './format.ts';
import { keySecrets } from './secret.ts';
import { verifyKey } from './verify.ts';

/**
 * `always`: every call. `if-configured`: the list, which needs a key only under `REQUIRE_CLIENT_KEY`
 * when it is asked for in OpenAI's shape; in another dialect's shape it always does, as the native APIs do.
 */
export const clientKey = (need: 'always' | 'if-configured') =>
  createMiddleware<AppEnv>(async function clientKey(c, next) {
    const dialect = dialectFor(c);
    const presented = dialect.presentedKey(c.req.raw);
    if (presented === undefined) {
      if (need === 'always' || dialect.name !== 'openai' || keyRequired(c.env)) throw invalidKey(`A client key is required: ${dialect.keyHint}.`);
      c.set('clientKey', null);
      return next();
    }
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
