/**
 * @module What an admin secret and an admin token's lifetime must satisfy. Pure, with no Workers
 * types, so the worker and `npm run token` (scripts/lib/admin-token.ts) apply the same rules.
 */

/** HS256 needs a key at least as long as its output (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/**
 * Secrets printed in this repository, so anyone can sign admin tokens with them. Refused like a
 * short secret wherever one is configured.
 */
export const PUBLISHED_SECRETS: readonly string[] = [
  // The ADMIN_JWT_SECRET placeholder in .dev.vars.example, which a copied file still holds.
  'change-me-to-at-least-32-random-bytes-of-secret',
  // The fixed demo secret `npm start` used before the demo made its own per state directory.
  'local-demo-secret-not-for-production-0000',
  // The CLIENT_KEY_SECRET placeholder in .dev.vars.example: anyone could mint client keys with it.
  'change-me-client-key-secret-to-48-random-bytes',
];

/** The longest `exp − iat` accepted unless `ADMIN_JWT_MAX_AGE` says otherwise: one day. */
export const DEFAULT_MAX_AGE_SECONDS = 86_400;

/** How to make and install a good secret. */
export const SECRET_FIX = 'make one with `openssl rand -base64 48`, then `wrangler secret put ADMIN_JWT_SECRET`';

/** Why `secret` must not sign or verify admin tokens (or client keys), or `undefined` when it may. Never repeats the secret. */
export function secretProblem(secret: string): string | undefined {
  if (PUBLISHED_SECRETS.includes(secret.trim())) return 'is a value published in this repository, so anyone could sign with it';
  const bytes = new TextEncoder().encode(secret).byteLength;
  if (bytes < MIN_SECRET_BYTES) return `is ${bytes} bytes; it must be at least ${MIN_SECRET_BYTES}`;
  return undefined;
}

export type MaxAge = { ok: true; seconds: number } | { ok: false; problem: string };

/** `ADMIN_JWT_MAX_AGE` as a TOML number or a string var; unset or empty means the default. */
export function parseMaxAge(raw: unknown): MaxAge {
  if (raw === undefined || raw === '') return { ok: true, seconds: DEFAULT_MAX_AGE_SECONDS };
  const seconds = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) {
    return { ok: false, problem: `must be a whole number of seconds, at least 1 (default ${DEFAULT_MAX_AGE_SECONDS}, one day)` };
  }
  return { ok: true, seconds };
}
