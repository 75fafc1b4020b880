import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureDemoSecret, readDemoSecret } from '../../scripts/lib/demo-secret.ts';
import { startDevWorker, type DevWorker } from '../../scripts/lib/dev-worker.ts';
import { readDevVars, ROOT } from '../../scripts/lib/local-config.ts';

const SECRET = 'token-test-secret-of-at-least-32-bytes!';
const NODE = join(ROOT, 'node_modules/.bin/node');
/** One compact JWS and its newline: nothing else may reach stdout. */
const JWT_LINE = /^[\w-]+\.[\w-]+\.[\w-]+\n$/;

/**
 * Runs the real `scripts/token.ts` with exactly `env` (plus PATH); `MODELS_EDGE_DEMO=1` keeps a
 * developer's `.dev.vars` out of it.
 */
function token(args: string[], env: Record<string, string>) {
  return run(NODE, [join(ROOT, 'scripts/token.ts'), ...args], env);
}

async function run(command: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MODELS_EDGE_DEMO: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run token', () => {
  let worker: DevWorker;
  const purge = (jwt: string) => fetch(`${worker.url}/admin/cache/purge`, { method: 'POST', headers: { Authorization: `Bearer ${jwt}` } });

  beforeAll(async () => {
    worker = await startDevWorker({ vars: { PROVIDERS: JSON.stringify([{ id: 'static', type: 'openai', models: ['a'] }]), ADMIN_JWT_SECRET: SECRET } });
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('prints only a JWT, which the worker accepts on POST /admin/cache/purge', async () => {
    const { code, stdout } = await token(['--sub', 'ci'], { ADMIN_JWT_SECRET: SECRET });
    expect(code).toBe(0);
    expect(stdout).toMatch(JWT_LINE);
    const res = await purge(stdout.trim());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ purged: true });
    // wrangler prints the worker's log line a moment after the response.
    await vi.waitFor(() => expect(worker.output()).toContain('"action":"POST /admin/cache/purge","sub":"ci","outcome":"ok"'));
  });

  it('works as $(npm run -s token): npm adds nothing to stdout', async () => {
    const { code, stdout } = await run('npm', ['run', '-s', 'token', '--', '--sub', 'ci'], { ADMIN_JWT_SECRET: SECRET });
    expect(code).toBe(0);
    expect(stdout).toMatch(JWT_LINE);
    expect((await purge(stdout.trim())).status).toBe(200);
  });

  it('signs HS256 with role admin, the given sub, iat and a 15 minute exp by default', async () => {
    const jwt = (await token(['--sub', 'ci'], { ADMIN_JWT_SECRET: SECRET })).stdout.trim();
    const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ role: 'admin', sub: 'ci' });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(15 * 60);
    expect(payload.iss).toBeUndefined();
    expect(payload.aud).toBeUndefined();
  });

  it('takes --ttl, --role and the sub from $USER', async () => {
    const jwt = (await token(['--ttl', '2h', '--role', 'auditor'], { ADMIN_JWT_SECRET: SECRET, USER: 'dana' })).stdout.trim();
    const payload = decodeJwt(jwt);
    expect(payload).toMatchObject({ role: 'auditor', sub: 'dana' });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(2 * 3600);
  });

  it('adds iss and aud when ADMIN_JWT_ISSUER and ADMIN_JWT_AUDIENCE are set', async () => {
    const env = { ADMIN_JWT_SECRET: SECRET, ADMIN_JWT_ISSUER: 'models-edge', ADMIN_JWT_AUDIENCE: 'models-edge-admin' };
    const payload = decodeJwt((await token([], env)).stdout.trim());
    expect(payload).toMatchObject({ iss: 'models-edge', aud: 'models-edge-admin' });
  });

  it('mints a token the worker answers with 403 for --role user', async () => {
    const { stdout } = await token(['--role', 'user'], { ADMIN_JWT_SECRET: SECRET });
    expect((await purge(stdout.trim())).status).toBe(403);
  });

  it('mints up to a day by default, which the worker accepts', async () => {
    const { code, stdout } = await token(['--ttl', '1d'], { ADMIN_JWT_SECRET: SECRET });
    expect(code).toBe(0);
    expect((await purge(stdout.trim())).status).toBe(200);
  });

  it('refuses a --ttl above ADMIN_JWT_MAX_AGE: exit 1, a message naming it, nothing on stdout', async () => {
    const { code, stdout, stderr } = await token(['--ttl', '2d'], { ADMIN_JWT_SECRET: SECRET });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--ttl 2d is 172800 s, above ADMIN_JWT_MAX_AGE \(86400 s\)/);
  });

  it('mints longer tokens when ADMIN_JWT_MAX_AGE allows them, and refuses a bad ADMIN_JWT_MAX_AGE', async () => {
    const week = await token(['--ttl', '7d'], { ADMIN_JWT_SECRET: SECRET, ADMIN_JWT_MAX_AGE: '604800' });
    expect(week.code).toBe(0);
    const payload = decodeJwt(week.stdout.trim());
    expect(Number(payload.exp) - Number(payload.iat)).toBe(604800);
    const bad = await token([], { ADMIN_JWT_SECRET: SECRET, ADMIN_JWT_MAX_AGE: '1d' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ADMIN_JWT_MAX_AGE must be a whole number of seconds/);
  });

  it('refuses the published .dev.vars.example secret', async () => {
    const example = readDevVars(join(ROOT, '.dev.vars.example')).ADMIN_JWT_SECRET ?? '';
    expect(example.length).toBeGreaterThanOrEqual(32);
    const { code, stdout, stderr } = await token([], { ADMIN_JWT_SECRET: example });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/ADMIN_JWT_SECRET is a value published in this repository/);
    expect(stderr).toContain('openssl rand -base64 48');
  });

  it('never signs with ADMIN_JWT_SECRET_PREVIOUS', async () => {
    const previous = 'the-secret-before-the-rotation-0123456789';
    const jwt = (await token([], { ADMIN_JWT_SECRET: SECRET, ADMIN_JWT_SECRET_PREVIOUS: previous })).stdout.trim();
    await expect(jwtVerify(jwt, new TextEncoder().encode(SECRET))).resolves.toBeDefined();
    const alone = await token([], { ADMIN_JWT_SECRET_PREVIOUS: previous, MODELS_EDGE_STATE_DIR: join(tmpdir(), 'models-edge-no-such-state') });
    expect(alone.code).toBe(1);
  });

  it('refuses a secret shorter than 32 bytes: exit 1, a message on stderr, nothing on stdout', async () => {
    const { code, stdout, stderr } = await token([], { ADMIN_JWT_SECRET: 'too-short' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/ADMIN_JWT_SECRET is 9 bytes; it must be at least 32/);
  });

  it('refuses an unknown option or a ttl that is not a time span with exit 1', async () => {
    const unknown = await token(['--admin'], { ADMIN_JWT_SECRET: SECRET });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/usage: npm run -s token/);
    const badTtl = await token(['--ttl', 'soon'], { ADMIN_JWT_SECRET: SECRET });
    expect(badTtl.code).toBe(1);
    expect(badTtl.stderr).toMatch(/--ttl "soon" is not a time span/);
  });
});

describe('the demo admin secret', () => {
  const dirs: string[] = [];
  const freshDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'models-edge-demo-secret-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('differs between two fresh state directories, and stays the same for one', async () => {
    const [first, second] = [await freshDir(), await freshDir()];
    const secret = ensureDemoSecret(first);
    expect(new TextEncoder().encode(secret).byteLength).toBeGreaterThanOrEqual(48);
    expect(ensureDemoSecret(second)).not.toBe(secret);
    expect(ensureDemoSecret(first)).toBe(secret);
    expect(readDemoSecret(first)).toBe(secret);
  });

  it('is what npm run token signs with in demo mode', async () => {
    const dir = await freshDir();
    const secret = ensureDemoSecret(dir);
    const { code, stdout } = await token([], { MODELS_EDGE_STATE_DIR: dir });
    expect(code).toBe(0);
    expect(decodeProtectedHeader(stdout.trim()).alg).toBe('HS256');
    await expect(jwtVerify(stdout.trim(), new TextEncoder().encode(secret))).resolves.toBeDefined();
  });

  it('is not invented by npm run token: before the first npm start it says so, exit 1', async () => {
    const dir = await freshDir();
    const { code, stdout, stderr } = await token([], { MODELS_EDGE_STATE_DIR: dir });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`no demo admin secret in ${join(dir, 'admin-jwt-secret')} yet`);
    expect(stderr).toContain('npm start');
    expect(readDemoSecret(dir)).toBeUndefined();
  });
});

describe('.dev.vars reading', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'models-edge-dev-vars-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads KEY=value lines the dotenv way: quotes stripped, comments skipped', async () => {
    const path = join(dir, '.dev.vars');
    await writeFile(
      path,
      ['# admin', `ADMIN_JWT_SECRET="${SECRET}"`, "PROVIDERS='[{\"id\":\"a\",\"type\":\"openai\"}]'", 'ADMIN_JWT_ISSUER=models-edge # why', ''].join('\n'),
    );
    expect(readDevVars(path)).toEqual({
      ADMIN_JWT_SECRET: SECRET,
      PROVIDERS: '[{"id":"a","type":"openai"}]',
      ADMIN_JWT_ISSUER: 'models-edge',
    });
  });

  it('is empty when there is no file', () => {
    expect(readDevVars(join(dir, 'missing'))).toEqual({});
  });
});
