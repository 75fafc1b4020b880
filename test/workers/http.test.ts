import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/env.ts';
import { adminToken, bearer, signToken, nowSeconds } from './support/tokens.ts';
import { call, coldCache, providersVar, workerEnv } from './support/worker.ts';

const PROVIDERS = providersVar([{ id: 'fixed', type: 'openai', models: ['gpt-4o', 'o3'] }]);
const env = (vars: Partial<Env> = {}) => workerEnv({ ...PROVIDERS, ...vars });

beforeEach(coldCache);

const preflight = (path: string, origin = 'https://chat.example.com', headers = 'authorization, content-type') =>
  ({ method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': path.includes('chat') ? 'POST' : 'GET', 'Access-Control-Request-Headers': headers } }) as const;

describe('browser clients (CORS)', () => {
  it.each(['/v1/models', '/models', '/v1/models/gpt-4o', '/v1/chat/completions', '/v1/embeddings', '/chat/completions'])(
    'answers a preflight for %s with 204, the methods and the Authorization and Content-Type headers',
    async (path) => {
      const response = await call(env(), path, preflight(path));
      expect(response.status).toBe(204);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
      expect(response.headers.get('Access-Control-Allow-Methods')).toMatch(/GET/);
      expect(response.headers.get('Access-Control-Allow-Methods')).toMatch(/POST/);
      const allowed = (response.headers.get('Access-Control-Allow-Headers') ?? '').toLowerCase().split(',');
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    },
  );

  it('lets a page read the list, its ETag and X-Cache', async () => {
    const response = await call(env(), '/v1/models', { headers: { Origin: 'https://chat.example.com' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const exposed = (response.headers.get('Access-Control-Expose-Headers') ?? '').toLowerCase().split(',');
    expect(exposed).toEqual(expect.arrayContaining(['etag', 'x-cache']));
  });

  it('with CORS_ORIGINS, allows the listed origins only', async () => {
    const vars = { CORS_ORIGINS: 'https://chat.example.com,https://webui.example.org' };
    const allowed = await call(env(vars), '/v1/models', { headers: { Origin: 'https://webui.example.org' } });
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://webui.example.org');
    expect(allowed.headers.get('Vary')).toMatch(/Origin/);
    const other = await call(env(vars), '/v1/models', preflight('/v1/models', 'https://evil.example'));
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('sends no CORS headers on admin routes', async () => {
    const token = await adminToken();
    for (const [path, init] of [
      ['/admin/cache/status', { headers: { Origin: 'https://chat.example.com', ...bearer(token) } }],
      ['/admin/keys', { headers: { Origin: 'https://chat.example.com', ...bearer(token) } }],
      ['/admin/cache/purge', preflight('/admin/cache/purge')],
    ] as const) {
      const response = await call(env(), path, init);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
    }
  });
});

describe('HTTP hygiene', () => {
  it('serves the list at /v1/models/ (a trailing slash) too', async () => {
    const slash = await call(env(), '/v1/models/');
    expect(slash.status).toBe(200);
    expect(await slash.text()).toBe(await (await call(env(), '/v1/models')).text());
  });

  it('answers every admin JSON answer with Cache-Control: no-store, refusals included', async () => {
    const admin = await adminToken();
    const noRole = await signToken({ sub: 'x', role: 'viewer', iat: nowSeconds(), exp: nowSeconds() + 60 });
    const answers = [
      await call(env(), '/admin/cache/status', { headers: bearer(admin) }),
      await call(env(), '/admin/keys', { headers: bearer(admin) }),
      await call(env(), '/admin/cache/status'), // 401
      await call(env(), '/admin/cache/status', { headers: bearer(noRole) }), // 403
      await call(env(), '/admin/keys/nope', { method: 'DELETE', headers: bearer(admin) }), // 404
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 401, 403, 404]);
    for (const response of answers) expect(response.headers.get('Cache-Control')).toBe('no-store');
  });

  it('marks every JSON answer X-Content-Type-Options: nosniff', async () => {
    const answers = [
      await call(env(), '/v1/models'),
      await call(env(), '/v1/models/gpt-4o'),
      await call(env(), '/v1/models/nope'),
      await call(env(), '/healthz'),
      await call(env(), '/nowhere'),
      await call(env(), '/admin/cache/status'),
      await call(env(), '/v1/chat/completions', { method: 'POST', body: '{}' }),
    ];
    for (const response of answers) {
      expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
  });
});
