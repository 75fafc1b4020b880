import type { JWTPayload } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIST_KEY } from '../../src/cache/kv.ts';
import type { Env } from '../../src/env.ts';
import { expectApiError } from './support/expect-error.ts';
import { storedKeys } from './support/kv.ts';
import { adminToken, bearer, nowSeconds, signToken, unsignedToken } from './support/tokens.ts';
import { fakeUpstreams, totalHits } from './support/upstreams.ts';
import { ADMIN_SECRET, call, coldCache, providersVar, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
});

const fixedProvider = providersVar([{ id: 'fixed', type: 'openai', models: ['m-1', 'm-2'] }]);

async function asAdmin(env: Env, method: 'GET' | 'POST', path: string): Promise<Response> {
  return call(env, path, { method, headers: bearer(await adminToken()) });
}

async function jsonOf<T>(response: Response): Promise<T> {
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

interface StatusView {
  fetchedAt: string | null;
  freshUntil: string | null;
  expiresAt: string | null;
  ageSeconds: number | null;
  modelCount: number;
  providers: { id: string; ok: boolean; modelCount: number; latencyMs: number; error: string | null; fetchedAt: string | null; stale: boolean }[];
}

describe('POST /admin/cache/purge', () => {
  it('deletes the list from KV and memory: 200 {"purged":true}, and the next read is a MISS that calls upstreams again', async () => {
    const upstreams = await fakeUpstreams();
    const env = workerEnv(providersVar(upstreams.entries()));
    await call(env, '/v1/models');
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('HIT');
    const hits = totalHits(await upstreams.hits());

    expect(await jsonOf(await asAdmin(env, 'POST', '/admin/cache/purge'))).toEqual({ purged: true });
    expect(await storedKeys(env.MODELS_KV)).toEqual([]);

    const next = await call(env, '/v1/models');
    expect(next.headers.get('X-Cache')).toBe('MISS');
    expect(totalHits(await upstreams.hits())).toBeGreaterThan(hits);
  });

  it('still purges when KV refuses the delete once for the one-write-per-second limit', async () => {
    const env = workerEnv(fixedProvider);
    await call(env, '/v1/models');
    const refused = new Set<string>();
    const limited = new Proxy(env.MODELS_KV, {
      get(target, property) {
        if (property === 'delete') {
          return (key: string) => {
            if (refused.has(key)) return target.delete(key);
            refused.add(key);
            return Promise.reject(new Error('KV PUT failed: 429 Too Many Requests'));
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

    // Without the coordinator: it deletes through its own binding, which the test cannot limit.
    const purged = await asAdmin({ ...env, MODELS_KV: limited, COORDINATOR: undefined }, 'POST', '/admin/cache/purge');
    expect(await jsonOf(purged)).toEqual({ purged: true });
    expect(refused.size).toBe(2);
    expect(await storedKeys(env.MODELS_KV)).toEqual([]);
  });
});

describe('POST /admin/cache/refresh', () => {
  it('fetches every provider now, replaces the list and answers the new status', async () => {
    const upstreams = await fakeUpstreams({ models: { openai: 3 } });
    const env = workerEnv(providersVar([upstreams.entry('openai')]));
    await call(env, '/v1/models');
    await upstreams.update({ models: { openai: 7 } });

    const status = await jsonOf<StatusView>(await asAdmin(env, 'POST', '/admin/cache/refresh'));
    expect(status.modelCount).toBe(7);
    expect(status.providers).toMatchObject([{ id: 'openai', ok: true, modelCount: 7 }]);

    const list = await call(env, '/v1/models');
    expect(list.headers.get('X-Cache')).toBe('HIT');
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(7);
  });

  it('keeps the cached list and answers 502 upstreams_unavailable when every provider fails', async () => {
    const upstreams = await fakeUpstreams();
    const env = workerEnv(providersVar([upstreams.entry('openai'), upstreams.entry('ollama')]));
    const before = await (await call(env, '/v1/models')).text();
    await upstreams.update({ faults: { openai: 'error-500', ollama: 'html-200' } });

    await expectApiError(await asAdmin(env, 'POST', '/admin/cache/refresh'), 502, 'upstreams_unavailable');
    expect(await (await call(env, '/v1/models')).text()).toBe(before);
  });

  it("keeps a failing provider's last good models and marks them stale in the status", async () => {
    const upstreams = await fakeUpstreams();
    const env = workerEnv(providersVar([upstreams.entry('openai'), upstreams.entry('anthropic')]));
    await call(env, '/v1/models');
    await upstreams.update({ faults: { anthropic: 'unauthorized' } });

    const status = await jsonOf<StatusView>(await asAdmin(env, 'POST', '/admin/cache/refresh'));
    const anthropic = status.providers.find((p) => p.id === 'anthropic');
    expect(anthropic).toMatchObject({ ok: false, stale: true, modelCount: 5 });
    expect(anthropic?.error).toMatch(/^\[anthropic\] GET .*401/);
    const models = await call(env, '/v1/models?provider=anthropic');
    expect(((await models.json()) as { data: unknown[] }).data).toHaveLength(5);
  });
});

describe('GET /admin/cache/status', () => {
  it("reports the stored list's freshness and each provider's last outcome", async () => {
    const upstreams = await fakeUpstreams({ faults: { gemini: 'wrong-shape' } });
    const env = workerEnv({ ...providersVar([upstreams.entry('openai'), upstreams.entry('gemini')]), CACHE_TTL_SECONDS: '300', STALE_TTL_SECONDS: '900' });
    await call(env, '/v1/models');

    const status = await jsonOf<StatusView>(await asAdmin(env, 'GET', '/admin/cache/status'));
    const fetchedAt = Date.parse(status.fetchedAt ?? '');
    expect(Date.parse(status.freshUntil ?? '') - fetchedAt).toBe(300_000);
    expect(Date.parse(status.expiresAt ?? '') - fetchedAt).toBe(1_200_000);
    expect(status.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(status.modelCount).toBe(5);
    expect(status.providers).toEqual([
      { id: 'openai', ok: true, modelCount: 5, latencyMs: expect.any(Number), error: null, fetchedAt: status.fetchedAt, stale: false, checkedAt: expect.any(String), skipped: 0 },
      {
        id: 'gemini',
        ok: false,
        modelCount: 0,
        latencyMs: expect.any(Number),
        error: expect.stringContaining('[gemini] GET'),
        fetchedAt: null,
        stale: false,
        checkedAt: expect.any(String),
      },
    ]);
  });

  it('reports an empty cache before the first refresh', async () => {
    const status = await jsonOf<StatusView>(await asAdmin(workerEnv(fixedProvider), 'GET', '/admin/cache/status'));
    expect(status).toMatchObject({ fetchedAt: null, freshUntil: null, expiresAt: null, ageSeconds: null, modelCount: 0, providers: [] });
  });
});

describe('secrets', () => {
  it('never appear in a list, model, admin or error answer', async () => {
    const keys = { openai: 'sk-test-OPENAI-7c1e4b-do-not-leak', anthropic: 'sk-ant-test-ANTHROPIC-93fa-do-not-leak' };
    // Gemini is sent a key it does not accept: its error reaches the status.
    const upstreams = await fakeUpstreams({ keys: { ...keys, gemini: 'the-key-gemini-wants' } });
    const geminiKey = 'AIza-test-GEMINI-51d0-do-not-leak';
    const env = workerEnv({
      ...providersVar([
        upstreams.entry('openai', { apiKeySecret: 'OPENAI_API_KEY' }),
        upstreams.entry('anthropic', { apiKeySecret: 'ANTHROPIC_API_KEY' }),
        upstreams.entry('gemini', { apiKeySecret: 'GEMINI_API_KEY' }),
      ]),
      OPENAI_API_KEY: keys.openai,
      ANTHROPIC_API_KEY: keys.anthropic,
      GEMINI_API_KEY: geminiKey,
    });
    const admin = bearer(await adminToken());
    const answers = [
      await call(env, '/v1/models'),
      await call(env, '/v1/models?provider=openai'),
      await call(env, '/v1/models/gpt-4o'),
      await call(env, '/v1/models/no-such-model'),
      await call(env, '/admin/cache/status', { headers: admin }),
      await call(env, '/admin/cache/refresh', { method: 'POST', headers: admin }),
      await call(env, '/admin/cache/status', { headers: bearer(await signToken({ role: 'user', iat: nowSeconds(), exp: nowSeconds() + 60 })) }),
      await call(env, '/admin/cache/status', { headers: bearer('garbage') }),
      await call(env, '/admin/cache/purge', { method: 'POST', headers: admin }),
    ];
    const texts = await Promise.all(answers.map((answer) => answer.text()));
    // The keys were really used: both providers that accept them contributed.
    expect(texts[0]).toContain('"provider":"openai"');
    expect(texts[0]).toContain('"provider":"anthropic"');
    expect(texts[4]).toContain('[gemini] GET');
    for (const text of texts) {
      for (const secret of [keys.openai, keys.anthropic, geminiKey, ADMIN_SECRET]) expect(text).not.toContain(secret);
    }
  });
});

describe('admin token', () => {
  const ISSUER = 'models-edge';
  const AUDIENCE = 'models-edge-admin';
  const inFiveMinutes = () => nowSeconds() + 300;
  const admin = (extra: JWTPayload = {}): JWTPayload => ({ role: 'admin', sub: 'test-admin', iat: nowSeconds(), exp: inFiveMinutes(), ...extra });
  const checked = { ADMIN_JWT_ISSUER: ISSUER, ADMIN_JWT_AUDIENCE: AUDIENCE };

  /** Headers of a refused request, and the env it is refused under. */
  const refused: [string, () => Promise<Record<string, string>>, Partial<Env>?][] = [
    ['no Authorization header', async () => ({})],
    ['a Basic credential', async () => ({ Authorization: `Basic ${btoa(`admin:${ADMIN_SECRET}`)}` })],
    ['garbage after Bearer', async () => bearer('not-a-token')],
    ['a malformed JWT', async () => bearer('eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl')],
    ['an unsigned token (alg none)', async () => bearer(unsignedToken(admin()))],
    ['a token signed with another key', async () => bearer(await signToken(admin(), { secret: 'some-other-secret-that-is-32-bytes-long' }))],
    ['HS384 with the right secret', async () => bearer(await signToken(admin(), { alg: 'HS384' }))],
    ['HS512 with the right secret', async () => bearer(await signToken(admin(), { alg: 'HS512' }))],
    ['an expired token', async () => bearer(await signToken(admin({ iat: nowSeconds() - 600, exp: nowSeconds() - 300 })))],
    ['a token not valid before a future nbf', async () => bearer(await signToken(admin({ nbf: nowSeconds() + 3600, exp: nowSeconds() + 7200 })))],
    ['a token without exp', async () => bearer(await signToken({ role: 'admin', sub: 'test-admin', iat: nowSeconds() }))],
    ['a wrong iss', async () => bearer(await signToken(admin({ iss: 'someone-else', aud: AUDIENCE }))), checked],
    ['no iss where one is required', async () => bearer(await signToken(admin({ aud: AUDIENCE }))), checked],
    ['a wrong aud', async () => bearer(await signToken(admin({ iss: ISSUER, aud: 'another-app' }))), checked],
    ['a 16 kB token', async () => bearer(await signToken(admin({ padding: 'x'.repeat(16 * 1024) })))],
  ];

  it.each(refused)('answers 401 with WWW-Authenticate: Bearer and the same body for %s', async (_, headers, vars = {}) => {
    const env = workerEnv({ ...fixedProvider, ...vars });
    const reference = await (await call(env, '/admin/cache/status')).text();
    const response = await call(env, '/admin/cache/status', { headers: await headers() });
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer\b/);
    await expectApiError(response.clone(), 401, 'invalid_token');
    expect(await response.text()).toBe(reference);
  });

  it.each([
    ['POST', '/admin/cache/purge'],
    ['POST', '/admin/cache/refresh'],
    ['GET', '/admin/cache/status'],
  ])('guards %s %s, which then changes nothing', async (method, path) => {
    const env = workerEnv(fixedProvider);
    await call(env, '/v1/models');
    const response = await call(env, path, { method });
    await expectApiError(response, 401, 'invalid_token');
    expect(await storedKeys(env.MODELS_KV)).toContain(LIST_KEY);
  });

  it.each([
    ['no role', { sub: 'someone', iat: nowSeconds(), exp: nowSeconds() + 300 }],
    ['role "user"', { role: 'user', sub: 'someone', iat: nowSeconds(), exp: nowSeconds() + 300 }],
  ])('answers 403 to a valid token with %s', async (_, claims) => {
    const response = await call(workerEnv(fixedProvider), '/admin/cache/status', { headers: bearer(await signToken(claims)) });
    await expectApiError(response, 403, 'forbidden');
  });

  it('accepts a valid admin token', async () => {
    expect((await asAdmin(workerEnv(fixedProvider), 'GET', '/admin/cache/status')).status).toBe(200);
  });

  it('accepts a valid admin token carrying the configured iss and aud', async () => {
    const token = await signToken(admin({ iss: ISSUER, aud: AUDIENCE }));
    const response = await call(workerEnv({ ...fixedProvider, ...checked }), '/admin/cache/status', { headers: bearer(token) });
    expect(response.status).toBe(200);
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('answers 503 admin_auth_not_configured when ADMIN_JWT_SECRET is %s, never opening up', async (_, secret) => {
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_SECRET: secret });
    await expectApiError(await asAdmin(env, 'POST', '/admin/cache/purge'), 503, 'admin_auth_not_configured');
  });

  it('answers 500 invalid_config naming ADMIN_JWT_SECRET when it is shorter than 32 bytes', async () => {
    const shortSecret = 'only-31-bytes-long-secret-value';
    const env = workerEnv({ ...fixedProvider, ADMIN_JWT_SECRET: shortSecret });
    const token = await signToken(admin(), { secret: shortSecret });
    const message = await expectApiError(await call(env, '/admin/cache/status', { headers: bearer(token) }), 500, 'invalid_config');
    expect(message).toContain('ADMIN_JWT_SECRET');
    expect(message).not.toContain(shortSecret);
  });
});

describe('admin audit log', () => {
  function auditLines(log: { mock: { calls: unknown[][] } }) {
    return log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.event === 'admin');
  }

  it("logs one line per admin call with the action, the token's sub and the outcome", async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const env = workerEnv(fixedProvider);
    await asAdmin(env, 'POST', '/admin/cache/purge');
    await call(env, '/admin/cache/purge', { method: 'POST' });
    expect(auditLines(log)).toEqual([
      expect.objectContaining({ action: 'POST /admin/cache/purge', sub: 'test-admin', outcome: 'ok' }),
      expect.objectContaining({ action: 'POST /admin/cache/purge', sub: null, outcome: 'denied', reason: 'no bearer token' }),
    ]);
  });

  it('names why a token was refused in the log line only, never in the answer', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const env = workerEnv(fixedProvider);
    const expired = await signToken({ role: 'admin', iat: nowSeconds() - 600, exp: nowSeconds() - 300 });
    const answer = await call(env, '/admin/cache/status', { headers: bearer(expired) });
    expect(answer.status).toBe(401);
    expect(await answer.text()).not.toContain('EXPIRED');
    const roleless = await call(env, '/admin/cache/status', { headers: bearer(await signToken({ iat: nowSeconds(), exp: nowSeconds() + 60 })) });
    expect(roleless.status).toBe(403);
    expect(auditLines(log)).toEqual([
      expect.objectContaining({ outcome: 'denied', status: 401, reason: 'ERR_JWT_EXPIRED' }),
      expect.objectContaining({ outcome: 'denied', status: 403, reason: 'no admin role' }),
    ]);
  });
});
