import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import devVarsExample from '../../.dev.vars.example?raw';
import type { Env } from '../../src/env.ts';
import { expectApiError } from './support/expect-error.ts';
import { adminClaims, bearer, nowSeconds, signToken } from './support/tokens.ts';
import { ADMIN_SECRET, call, coldCache, providersVar, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
});

const MINUTE = 60;
const DAY = 86_400;
const fixedProvider = providersVar([{ id: 'fixed', type: 'openai', models: ['m-1'] }]);
/** The secret a copied `.dev.vars.example` carries: published, so it must open nothing. */
const EXAMPLE_SECRET = /^ADMIN_JWT_SECRET=(.+)$/m.exec(devVarsExample)?.[1] ?? '';

/** A token issued at `iat` (default now) that lives `lifetime` seconds. */
function tokenLiving(lifetime: number, { iat = nowSeconds(), secret = ADMIN_SECRET } = {}): Promise<string> {
  return signToken(adminClaims({ iat, exp: iat + lifetime }), { secret });
}

const status = (env: Env, headers: Record<string, string>) => call(env, '/admin/cache/status', { headers });

/** Asserts the plain 401 every bad token gets, identical whichever check failed. */
async function expectRefused(response: Response): Promise<void> {
  expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer\b/);
  const message = await expectApiError(response, 401, 'invalid_token');
  expect(message).toBe('A valid admin token is required.');
}

function logLines(log: { mock: { calls: unknown[][] } }, event: string) {
  return log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.event === event);
}

describe('admin token lifetime', () => {
  it('accepts a 15-minute token', async () => {
    expect((await status(workerEnv(fixedProvider), bearer(await tokenLiving(15 * MINUTE)))).status).toBe(200);
  });

  it('refuses a ten-year token with 401', async () => {
    await expectRefused(await status(workerEnv(fixedProvider), bearer(await tokenLiving(10 * 365 * DAY))));
  });

  it('accepts exp − iat of exactly one day by default, and refuses one second more', async () => {
    const env = workerEnv(fixedProvider);
    expect((await status(env, bearer(await tokenLiving(DAY)))).status).toBe(200);
    await expectRefused(await status(env, bearer(await tokenLiving(DAY + 1))));
  });

  it('refuses a token without iat, however short its exp', async () => {
    const token = await signToken({ role: 'admin', sub: 'test-admin', exp: nowSeconds() + 5 * MINUTE });
    await expectRefused(await status(workerEnv(fixedProvider), bearer(token)));
  });

  it('refuses an iat more than 60 s in the future, and allows 30 s of clock skew', async () => {
    const env = workerEnv(fixedProvider);
    await expectRefused(await status(env, bearer(await tokenLiving(5 * MINUTE, { iat: nowSeconds() + 2 * MINUTE }))));
    expect((await status(env, bearer(await tokenLiving(5 * MINUTE, { iat: nowSeconds() + 30 })))).status).toBe(200);
  });

  it('raises the limit with ADMIN_JWT_MAX_AGE', async () => {
    const week = await tokenLiving(7 * DAY);
    await expectRefused(await status(workerEnv(fixedProvider), bearer(week)));
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_MAX_AGE: String(7 * DAY) });
    expect((await status(env, bearer(week))).status).toBe(200);
  });

  it('lowers the limit with ADMIN_JWT_MAX_AGE given as a TOML number', async () => {
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_MAX_AGE: 10 * MINUTE });
    expect((await status(env, bearer(await tokenLiving(10 * MINUTE)))).status).toBe(200);
    await expectRefused(await status(env, bearer(await tokenLiving(15 * MINUTE))));
  });

  it.each(['1d', '0', '-5', '90.5'])('answers 500 invalid_config naming ADMIN_JWT_MAX_AGE for %j', async (value) => {
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_MAX_AGE: value });
    const message = await expectApiError(await status(env, bearer(await tokenLiving(MINUTE))), 500, 'invalid_config');
    expect(message).toContain('ADMIN_JWT_MAX_AGE');
    expect(message).toContain('whole number of seconds');
  });

  it('names the lifetime in the audit line only, never in the answer', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const response = await status(workerEnv(fixedProvider), bearer(await tokenLiving(30 * DAY)));
    await expectRefused(response);
    expect(logLines(log, 'admin')).toEqual([expect.objectContaining({ status: 401, reason: expect.stringContaining('ADMIN_JWT_MAX_AGE') })]);
  });
});

describe('Cf-Access-Jwt-Assertion', () => {
  const AUD = 'access-application-aud-tag';
  const access = { ADMIN_JWKS_URL: 'https://example-team.cloudflareaccess.com/cdn-cgi/access/certs', ADMIN_JWT_AUDIENCE: AUD };

  it('is never verified with the HS256 secret: a token that passes as Bearer is 401 in the Access header', async () => {
    const env = workerEnv({ ...fixedProvider, ...access });
    const token = await signToken(adminClaims({ aud: AUD }));
    expect((await status(env, bearer(token))).status).toBe(200);
    await expectRefused(await status(env, { 'Cf-Access-Jwt-Assertion': token }));
  });
});

describe('ADMIN_JWKS_URL', () => {
  it.each([
    ['an http: URL', 'http://example-team.cloudflareaccess.com/cdn-cgi/access/certs'],
    ['http: on a host merely named like loopback', 'http://127.0.0.1.example.com/certs'],
    ['not a URL', 'example-team.cloudflareaccess.com/cdn-cgi/access/certs'],
  ])('answers 500 invalid_config naming ADMIN_JWKS_URL and https for %s', async (_, url) => {
    const env = workerEnv({ ...fixedProvider, ADMIN_JWKS_URL: url, ADMIN_JWT_AUDIENCE: 'aud' });
    const message = await expectApiError(await status(env, bearer(await signToken(adminClaims({ aud: 'aud' })))), 500, 'invalid_config');
    expect(message).toContain('ADMIN_JWKS_URL');
    expect(message).toContain('https:');
  });

  it.each(['http://127.0.0.1:9/certs', 'http://localhost:9/certs', 'http://[::1]:9/certs', 'https://example-team.cloudflareaccess.com/cdn-cgi/access/certs'])(
    'accepts %s',
    async (url) => {
      const env = workerEnv({ ...fixedProvider, ADMIN_JWKS_URL: url, ADMIN_JWT_AUDIENCE: 'aud' });
      expect((await status(env, bearer(await signToken(adminClaims({ aud: 'aud' }))))).status).toBe(200);
    },
  );
});

describe('ADMIN_JWT_SECRET', () => {
  const OLD_DEMO_SECRET = 'local-demo-secret-not-for-production-0000';

  it.each([
    ['the .dev.vars.example value', EXAMPLE_SECRET],
    ["the demo's old fixed secret", OLD_DEMO_SECRET],
    ['a secret shorter than 32 bytes', 'only-31-bytes-long-secret-value'],
  ])('refuses %s: 500 invalid_config naming ADMIN_JWT_SECRET and the fix, and one config_error line', async (_, secret) => {
    expect(secret.length).toBeGreaterThan(0);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_SECRET: secret });
    const token = bearer(await signToken(adminClaims(), { secret }));
    const message = await expectApiError(await status(env, token), 500, 'invalid_config');
    await expectApiError(await call(env, '/admin/cache/purge', { method: 'POST', headers: token }), 500, 'invalid_config');
    expect(message).toMatch(/^Configuration error: ADMIN_JWT_SECRET: /);
    expect(message).toContain('openssl rand -base64 48');
    expect(message).toContain('wrangler secret put ADMIN_JWT_SECRET');
    expect(message).not.toContain(secret);
    expect(logLines(log, 'config_error')).toEqual([expect.objectContaining({ field: 'ADMIN_JWT_SECRET' })]);
  });
});

describe('ADMIN_JWT_SECRET_PREVIOUS', () => {
  const PREVIOUS = 'the-secret-before-the-rotation-0123456789';

  it('verifies tokens signed with it, beside those signed with ADMIN_JWT_SECRET', async () => {
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_SECRET_PREVIOUS: PREVIOUS });
    expect((await status(env, bearer(await tokenLiving(5 * MINUTE, { secret: PREVIOUS })))).status).toBe(200);
    expect((await status(env, bearer(await tokenLiving(5 * MINUTE)))).status).toBe(200);
    await expectRefused(await status(env, bearer(await tokenLiving(5 * MINUTE, { secret: 'yet-another-secret-of-32-bytes-or-more' }))));
  });

  it('verifies nothing once removed', async () => {
    await expectRefused(await status(workerEnv(fixedProvider), bearer(await tokenLiving(5 * MINUTE, { secret: PREVIOUS }))));
  });

  it('applies the same lifetime rules', async () => {
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_SECRET_PREVIOUS: PREVIOUS });
    expect((await status(env, bearer(await tokenLiving(DAY, { secret: PREVIOUS })))).status).toBe(200);
    await expectRefused(await status(env, bearer(await tokenLiving(10 * 365 * DAY, { secret: PREVIOUS }))));
  });

  it.each([
    ['published', EXAMPLE_SECRET],
    ['short', 'short-previous-secret'],
  ])('is refused when %s: 500 invalid_config naming ADMIN_JWT_SECRET_PREVIOUS', async (_, previous) => {
    expect(previous.length).toBeGreaterThan(0);
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_SECRET_PREVIOUS: previous });
    const message = await expectApiError(await status(env, bearer(await tokenLiving(5 * MINUTE))), 500, 'invalid_config');
    expect(message).toMatch(/^Configuration error: ADMIN_JWT_SECRET_PREVIOUS: /);
    expect(message).not.toContain(previous);
  });
});
