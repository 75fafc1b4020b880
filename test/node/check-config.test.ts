/**
 * `npm run check-config`: the worker's own checks run over a wrangler.toml and .dev.vars on disk,
 * every problem printed with its fix, exit 1 on any.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/dev-worker.ts';

const run = promisify(execFile);
const NODE = join(ROOT, 'node_modules/.bin/node');
const GOOD_SECRET = 'check-config-test-secret-0123456789-abcdefgh';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'models-edge-check-'));
  await writeFile(join(dir, 'wrangler.toml'), await readFile(join(ROOT, 'wrangler.toml'), 'utf8'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function check(devVars: string, ...args: string[]): Promise<{ code: number; out: string }> {
  await writeFile(join(dir, '.dev.vars'), devVars);
  try {
    const { stdout } = await run(NODE, [join(ROOT, 'scripts/check-config.ts'), '--config', join(dir, 'wrangler.toml'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: failed.stdout };
  }
}

describe('npm run check-config', () => {
  it('passes a good configuration and says what it found', async () => {
    const { code, out } = await check(
      [`PROVIDERS='[{"id":"openai","type":"openai","apiKeySecret":"OPENAI_API_KEY"}]'`, 'OPENAI_API_KEY=sk-proj-real-looking-key', `ADMIN_JWT_SECRET=${GOOD_SECRET}`, `CLIENT_KEY_SECRET=${GOOD_SECRET}-keys`, `VIEWS='{"team":{"providers":["openai"]}}'`].join('\n'),
    );
    expect(out).toContain('✓ PROVIDERS: openai; VIEWS: team');
    expect(out).toContain('No problems found.');
    expect(code).toBe(0);
  });

  it('prints every problem with its fix and exits 1', async () => {
    const { code, out } = await check(
      [`PROVIDERS='[{"id":"openai","type":"openai","baseURL":"https://api.openai.com/v1"}]'`, 'ADMIN_JWT_SECRET=too-short', 'CLIENT_KEY_SECRET=also-short'].join('\n'),
    );
    expect(code).toBe(1);
    expect(out).toContain('✗ PROVIDERS[0].baseURL: unknown field; did you mean baseUrl?');
    expect(out).toMatch(/✗ ADMIN_JWT_SECRET: is 9 bytes; .*openssl rand -base64 48/);
    expect(out).toMatch(/✗ CLIENT_KEY_SECRET: is 10 bytes; it must be at least 32; .*wrangler secret put CLIENT_KEY_SECRET/);
    expect(out).toContain('3 problems');
    expect(out).not.toContain('too-short');
  });

  it('lists every problem of every entry in one run, not one per run', async () => {
    const providers = [
      { id: 'openai', type: 'openai', apiKeySecret: 'OPENAI_API_KEY', timeoutMs: '5s' },
      { id: 'anthropic', type: 'anthropic', apiKeySecret: 'ANTHROPIC_API_KEY', baseURL: 'https://api.anthropic.com' },
    ];
    const { code, out } = await check(
      [`PROVIDERS='${JSON.stringify(providers)}'`, 'OPENAI_API_KEY=sk-...', 'ANTHROPIC_API_KEY=sk-ant-real-looking-key', `ADMIN_JWT_SECRET=${GOOD_SECRET}`, `CLIENT_KEY_SECRET=${GOOD_SECRET}-keys`].join('\n'),
    );
    expect(out).toContain('✗ PROVIDERS[0].apiKeySecret: secret OPENAI_API_KEY still holds the example placeholder');
    expect(out).toContain('✗ PROVIDERS[0].timeoutMs: must be a positive whole number');
    expect(out).toContain('✗ PROVIDERS[1].baseURL: unknown field; did you mean baseUrl?');
    expect(out).toContain('3 problems');
    expect(code).toBe(1);
  });

  it('checks a deployment whose secrets live in Cloudflare with --assume-secrets', async () => {
    const vars = `PROVIDERS='[{"id":"anthropic","type":"anthropic","apiKeySecret":"ANTHROPIC_API_KEY"}]'`;
    expect((await check(vars)).out).toContain('✗ PROVIDERS[0].apiKeySecret: secret ANTHROPIC_API_KEY is not set');
    const assumed = await check(vars, '--assume-secrets');
    expect(assumed.out).toContain('No problems found.');
    expect(assumed.code).toBe(0);
  });
});
