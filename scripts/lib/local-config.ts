/**
 * @module Which local configuration `npm start` and `npm run token` use: the developer's `.dev.vars`
 * (the file `wrangler dev` reads), or the offline demo. Demo mode: no `.dev.vars` and no `PROVIDERS`
 * in the environment, or `MODELS_EDGE_DEMO=1` (which also sets aside a `.dev.vars`, as the tests need).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { DEMO_ADMIN_JWT_SECRET } from './demo-secret.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEV_VARS_PATH = join(ROOT, '.dev.vars');

export type Environment = Record<string, string | undefined>;

export function isDemoMode(env: Environment = process.env): boolean {
  if (env.MODELS_EDGE_DEMO === '1') return true;
  return !existsSync(DEV_VARS_PATH) && !env.PROVIDERS;
}

/** `.dev.vars` parsed the dotenv way (quotes, comments), as wrangler does; empty when there is none. */
export function readDevVars(path: string = DEV_VARS_PATH): Environment {
  return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
}

export interface AdminJwtSettings {
  secret: string;
  issuer: string | undefined;
  audience: string | undefined;
  /** Where the secret came from, for messages (never the secret itself). */
  source: 'environment' | '.dev.vars' | 'demo';
}

/**
 * The admin settings the local worker runs with, so a token minted here is accepted there:
 * the environment first, then `.dev.vars` (not in demo mode, where the worker ignores it),
 * then the demo secret.
 */
export function adminJwtSettings(env: Environment = process.env): AdminJwtSettings {
  const file = isDemoMode(env) ? {} : readDevVars();
  const pick = (name: string) => env[name] || file[name] || undefined;
  const source = env.ADMIN_JWT_SECRET ? 'environment' : file.ADMIN_JWT_SECRET ? '.dev.vars' : 'demo';
  return {
    secret: pick('ADMIN_JWT_SECRET') ?? DEMO_ADMIN_JWT_SECRET,
    issuer: pick('ADMIN_JWT_ISSUER'),
    audience: pick('ADMIN_JWT_AUDIENCE'),
    source,
  };
}
