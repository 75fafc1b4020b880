/** @module The worker's bindings, vars and secrets, as wrangler hands them over. */

export interface Env {
  MODELS_KV: KVNamespace;
  /** A JSON array (TOML `[vars]`) or a JSON string of one (`.dev.vars`, `--var`). */
  PROVIDERS?: unknown;
  CACHE_TTL_SECONDS?: unknown;
  STALE_TTL_SECONDS?: unknown;
  ADMIN_JWT_SECRET?: string;
  /** The secret before a rotation: verifies tokens, never signs them. */
  ADMIN_JWT_SECRET_PREVIOUS?: string;
  /** The longest `exp − iat` of an admin token, in seconds (default 86400). */
  ADMIN_JWT_MAX_AGE?: unknown;
  ADMIN_JWT_ISSUER?: string;
  ADMIN_JWT_AUDIENCE?: string;
  ADMIN_JWKS_URL?: string;
  /** Provider keys, each under the name its entry gives in `apiKeySecret`. */
  [secret: string]: unknown;
}
