/**
 * @module The secrets of the zero-configuration demo (`npm start` without `.dev.vars`): the admin
 * secret and the client key secret, each random, made on the first start with a state directory and
 * kept in that directory, so later starts (and `npm run token`, and the client keys already made)
 * keep working. No fixed secret is in the source: a published one would open every demo worker that
 * someone exposed beyond their own machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The admin secret's file inside the state directory; readable by its owner only. */
export const DEMO_SECRET_FILE = 'admin-jwt-secret';
/** The client key secret's file beside it: keys made in the demo stay valid across restarts. */
export const DEMO_CLIENT_KEY_SECRET_FILE = 'client-key-secret';
/** As `openssl rand -base64 48` would give: far above the worker's 32-byte minimum. */
const SECRET_BYTES = 48;

export const demoSecretPath = (stateDir: string, file = DEMO_SECRET_FILE) => join(stateDir, file);

/** The state directory's secret, or `undefined` when no demo has started with it yet. */
export function readDemoSecret(stateDir: string, file = DEMO_SECRET_FILE): string | undefined {
  try {
    return readFileSync(demoSecretPath(stateDir, file), 'utf8').trim() || undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The state directory's secret, made (and written, mode 0600) if it has none. */
export function ensureDemoSecret(stateDir: string, file = DEMO_SECRET_FILE): string {
  const existing = readDemoSecret(stateDir, file);
  if (existing !== undefined) return existing;
  mkdirSync(stateDir, { recursive: true });
  const secret = randomBytes(SECRET_BYTES).toString('base64');
  writeFileSync(demoSecretPath(stateDir, file), `${secret}\n`, { mode: 0o600 });
  return secret;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
