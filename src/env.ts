/** @module The worker's bindings, vars and secrets, as wrangler hands them over. */
import type { CoordinatorApi } from './coordinator/api.ts';

export interface Env {
  MODELS_KV: KVNamespace;
  /** The coordinator (src/coordinator/); without it every isolate refreshes on its own and key changes answer 503. */
  COORDINATOR?: DurableObjectNamespace<CoordinatorApi>;
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
  /** Named views of the list (a TOML table or a JSON string of one). */
  VIEWS?: unknown;
  /** Other names for listed models: alias → model id (a TOML table or a JSON string of one). */
  ALIASES?: unknown;
  REQUIRE_CLIENT_KEY?: unknown;
  CORS_ORIGINS?: unknown;
  MAX_REQUEST_BYTES?: unknown;
  /** Where the change feed is POSTed: a JSON array of `{"url", "view"?, "secretName"}`. */
  WEBHOOKS?: unknown;
  /** HMAC key that signs every client key, so a made-up key is refused before any lookup. */
  CLIENT_KEY_SECRET?: string;
  /** The secret before a rotation: keys it signed keep working until they are re-issued. */
  CLIENT_KEY_SECRET_PREVIOUS?: string;
  /** Optional per-key limit: a `[[ratelimits]]` binding (docs/api.md, "Inference"). */
  CLIENT_RATE_LIMITER?: RateLimit;
  /** Provider keys, each under the name its entry gives in `apiKeySecret`. */
  [secret: string]: unknown;
}
