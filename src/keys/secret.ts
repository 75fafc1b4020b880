/**
 * @module `CLIENT_KEY_SECRET` (and `CLIENT_KEY_SECRET_PREVIOUS` during a rotation) as HMAC keys,
 * imported once per isolate. Without it no key can be minted or checked: the key routes answer 503
 * and every presented key is refused, never accepted unchecked.
 */
import { secretProblem } from '../auth/admin-rules.ts';
import { ConfigError } from '../config.ts';
import type { Env } from '../env.ts';

/** Current secret first: it signs new keys; both verify. Empty when none is configured. */
export type KeySecrets = readonly CryptoKey[];

const imported = new WeakMap<Env, Promise<KeySecrets>>();

export function keySecrets(env: Env): Promise<KeySecrets> {
  let secrets = imported.get(env);
  if (secrets === undefined) {
    secrets = importAll(env);
    imported.set(env, secrets);
  }
  return secrets;
}

async function importAll(env: Env): Promise<KeySecrets> {
  const named = [
    ['CLIENT_KEY_SECRET', env.CLIENT_KEY_SECRET],
    ['CLIENT_KEY_SECRET_PREVIOUS', env.CLIENT_KEY_SECRET_PREVIOUS],
  ] as const;
  if (!env.CLIENT_KEY_SECRET) {
    if (env.CLIENT_KEY_SECRET_PREVIOUS) throw new ConfigError('CLIENT_KEY_SECRET', 'is not set but CLIENT_KEY_SECRET_PREVIOUS is: set the new secret too');
    return [];
  }
  const secrets: CryptoKey[] = [];
  for (const [field, value] of named) {
    if (!value) continue;
    // Shorter than HMAC-SHA256's output (RFC 2104 §3), or published in this repository (the
    // .dev.vars.example placeholder): refused alike, by the same rule as the admin secret.
    const problem = secretProblem(value);
    if (problem !== undefined) throw new ConfigError(field, `${problem}; make one with \`openssl rand -base64 48\`, then \`wrangler secret put ${field}\``);
    const bytes = new TextEncoder().encode(value);
    secrets.push(await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
  }
  return secrets;
}
