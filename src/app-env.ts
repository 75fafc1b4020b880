/**
 * @module The Hono environment every route shares, with every request variable's type: declared here,
 * below the middleware that sets them and the routes that read them.
 */
import type { Dialect } from './dialects/types.ts';
import type { Env } from './env.ts';
import type { KeyRecord } from './keys/store.ts';

/** Set by the admin check (auth/admin-jwt.ts): the token's `sub`, for the audit line. */
export type AdminVariables = { adminSub: string | null };
/** Set by the client key check (keys/middleware.ts): the key's record, or null on a route that let a request without one pass. */
export type KeyVariables = { clientKey: KeyRecord | null };
/** Set by a key route for its audit line: which key, never the key itself. */
export type AuditVariables = { auditKey?: { id: string; name: string } };
/** The request's dialect, once decided (dialects/select.ts). */
export type DialectVariables = { dialect?: Dialect };

export type AppEnv = { Bindings: Env; Variables: AdminVariables & KeyVariables & AuditVariables & DialectVariables };
