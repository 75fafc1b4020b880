/** @module The Hono environment every route shares. */
import type { AdminVariables } from './auth/admin-jwt.ts';
import type { DialectVariables } from './dialects/select.ts';
import type { Env } from './env.ts';
import type { KeyVariables } from './keys/middleware.ts';

/** Set by a key route for its audit line: which key, never the key itself. */
export type AuditVariables = { auditKey?: { id: string; name: string } };

export type AppEnv = { Bindings: Env; Variables: AdminVariables & KeyVariables & AuditVariables & DialectVariables };
