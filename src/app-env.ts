/** @module The Hono environment every route shares. */
import type { AdminVariables } from './auth/admin-jwt.ts';
import type { Env } from './env.ts';

export type AppEnv = { Bindings: Env; Variables: AdminVariables };
