/**
 * @module Which local configuration `npm start` and `npm run token` use: the developer's `.dev.vars`
 * (the file `wrangler dev` reads), or the offline demo. Demo mode: no `.dev.vars` and no `PROVIDERS`
 * in the environment, or `MODELS_EDGE_DEMO=1` (which also sets aside a `.dev.vars`, as the tests need).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { demoSecretPath, readDemoSecret } from './demo-secret.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEV_VARS_PATH = join(ROOT, '.dev.vars');

export type Environment = Record<string, string | undefined>;

export function isDemoMode(env: Environment = process.env): boolean {
  if (env.MODELS_EDGE_DEMO === '1') return true;
  return !existsSync(DEV_VARS_PATH) && !env.PROVIDERS;
}

/** Where local KV (and the demo's admin secret) lives: `MODELS_EDGE_STATE_DIR`, else one per mode. */
export function stateDir(env: Environment = process.env): string {
  return env.MODELS_EDGE_STATE_DIR || join(ROOT, isDemoMode(env) ? '.wrangler/demo-state' : '.wrangler/state');
}

/** `.dev.vars` parsed the dotenv way (quotes, comments), as wrangler does; empty when there is none. */
export function readDevVars(path: string = DEV_VARS_PATH): Environment {
  return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
}

export interface AdminJwtSettings {
  /** `undefined` only in demo mode before the demo's first start made its secret. */
  secret: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
  /** `ADMIN_JWT_MAX_AGE` as configured, unchecked. */
  maxAge: string | undefined;
  /** Where the secret comes from (or would, in demo mode), for messages; never the secret itself. */
  source: 'environment' | '.dev.vars' | { demo: string } | 'nowhere';
}

/**
 * The admin settings the local worker runs with, so a token minted here is accepted there:
 * the environment first, then `.dev.vars` (not in demo mode, where the worker ignores it),
 * then the demo's secret in its state directory.
 */
export function adminJwtSettings(env: Environment = process.env): AdminJwtSettings {
  const demo = isDemoMode(env);
  const file = demo ? {} : readDevVars();
  const pick = (name: string) => env[name] || file[name] || undefined;
  const configured = pick('ADMIN_JWT_SECRET');
  const demoDir = stateDir(env);
  return {
    secret: configured ?? (demo ? readDemoSecret(demoDir) : undefined),
    issuer: pick('ADMIN_JWT_ISSUER'),
    audience: pick('ADMIN_JWT_AUDIENCE'),
    maxAge: pick('ADMIN_JWT_MAX_AGE'),
    source: env.ADMIN_JWT_SECRET ? 'environment' : file.ADMIN_JWT_SECRET ? '.dev.vars' : demo ? { demo: demoSecretPath(demoDir) } : 'nowhere',
  };
}
