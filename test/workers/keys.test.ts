import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import devVarsExample from '../../.dev.vars.example?raw';
import { KEY_PREFIX, mintKey } from '../../src/keys/format.ts';
import { forgetKeys, KEYS_KEY, KEYS_MEMORY_TTL_MS } from '../../src/keys/store.ts';
import type { Env } from '../../src/env.ts';
import type { Model } from '../../src/model.ts';
import { expectApiError } from './support/expect-error.ts';
import { failingKv } from './support/kv.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams } from './support/upstreams.ts';
import { call, CLIENT_KEY_SECRET, coldCache, providersVar, workerEnv } from './support/worker.ts';

/** Team A sees OpenAI and Anthropic only, and no `*-mini` model. */
const VIEWS = { 'team-a': { providers: ['openai', 'anthropic'], exclude: ['*-mini'] }, 'gemini-only': { providers: ['gemini'] } };

beforeEach(coldCache);
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function setup(vars: Partial<Env> = {}) {
  const upstreams = await fakeUpstreams();
  const env = workerEnv({ ...providersVar(upstreams.entries()), VIEWS: JSON.stringify(VIEWS), ...vars });
  return { env, upstreams };
}

interface Created {
  id: string;
  key: string;
  name: string;
  view: string | null;
  createdAt: string;
  expiresAt: string | null;
}

async function createKey(env: Env, body: Record<string, unknown>): Promise<Created> {
  const response = await call(env, '/admin/keys', { method: 'POST', headers: { ...bearer(await adminToken()), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as Created;
}

const idsOf = async (response: Response) => ((await response.json()) as { data: Model[] }).data.map((m) => m.id);

describe('POST /admin/keys', () => {
  it('answers 201 with an sk-me- key shown only there, and stores only its hash', async () => {
    const { env } = await setup();
    const created = await createKey(env, { name: 'open-webui', view: 'team-a' });
    expect(created).toEqual({ id: expect.any(String), key: expect.stringMatching(/^sk-me-/), name: 'open-webui', view: 'team-a', createdAt: expect.any(String), expiresAt: null });
    expect(created.key.startsWith(KEY_PREFIX + created.id)).toBe(true);

    const stored = await env.MODELS_KV.get(KEYS_KEY, 'text');
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(created.key);
    expect(stored).toContain(created.id);

    const listed = await call(env, '/admin/keys', { headers: bearer(await adminToken()) });
    const text = await listed.text();
    expect(text).not.toContain(created.key);
    expect(text).not.toMatch(/[0-9a-f]{64}/); // never the hash either
    expect(JSON.parse(text)).toEqual({
      object: 'list',
      data: [
        {
          id: created.id, name: 'open-webui', view: 'team-a', createdAt: created.createdAt, createdBy: 'test-admin', expiresAt: null,
          // Not used yet: zero usage, never used.
          usage: { '24h': { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0 }, '30d': { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0 } },
          lastUsedAt: null,
        },
      ],
    });
  });

  it.each([
    ['malformed JSON', '{"name":', 400, 'invalid_request'],
    ['a JSON array', '["a"]', 400, 'invalid_request'],
    ['an unknown field', '{"name":"a","scope":"all"}', 400, 'invalid_request'],
    ['no name', '{}', 400, 'invalid_request'],
    ['a name with a space', '{"name":"team a"}', 400, 'invalid_request'],
    ['a 65-character name', JSON.stringify({ name: 'a'.repeat(65) }), 400, 'invalid_request'],
    ['an expiresAt in the past', '{"name":"a","expiresAt":"2001-01-01T00:00:00Z"}', 400, 'invalid_request'],
    ['an unparsable expiresAt', '{"name":"a","expiresAt":"next tuesday"}', 400, 'invalid_request'],
    ['a date without a time zone', '{"name":"a","expiresAt":"2099-01-01"}', 400, 'invalid_request'],
    ['a view that does not exist', '{"name":"a","view":"team-z"}', 400, 'view_not_found'],
    ['a 10 kB body', JSON.stringify({ name: 'a', view: 'x'.repeat(10_000) }), 413, 'request_too_large'],
  ])('refuses %s with a clear error, storing nothing', async (_, body, status, code) => {
    const { env } = await setup();
    const before = await createKey(env, { name: 'existing' });
    const response = await call(env, '/admin/keys', { method: 'POST', headers: { ...bearer(await adminToken()), 'Content-Type': 'application/json' }, body });
    await expectApiError(response, status, code);
    forgetKeys();
    const listed = (await (await call(env, '/admin/keys', { headers: bearer(await adminToken()) })).json()) as { data: { id: string }[] };
    expect(listed.data.map((k) => k.id)).toEqual([before.id]);
  });

  it('refuses a name already in use with 409 key_name_taken, keeping the first key working', async () => {
    const { env } = await setup();
    const first = await createKey(env, { name: 'librechat' });
    const again = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: 'librechat' }) });
    await expectApiError(again, 409, 'key_name_taken');
    expect((await call(env, '/v1/models', { headers: bearer(first.key) })).status).toBe(200);
  });

  it('answers 503 when CLIENT_KEY_SECRET is not set, never minting an unsigned key', async () => {
    const { env } = await setup({ CLIENT_KEY_SECRET: undefined });
    const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: '{"name":"a"}' });
    await expectApiError(response, 503, 'client_keys_not_configured');
    expect(await env.MODELS_KV.get(KEYS_KEY)).toBeNull();
  });

  it.each([
    ['the .dev.vars.example placeholder', /^CLIENT_KEY_SECRET=(.+)$/m.exec(devVarsExample)?.[1] ?? ''],
    ['a secret shorter than 32 bytes', 'only-31-bytes-long-secret-value'],
  ])('refuses %s as CLIENT_KEY_SECRET: 500 invalid_config naming it, no key minted or accepted', async (_, secret) => {
    expect(secret.length).toBeGreaterThan(0);
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { env } = await setup({ CLIENT_KEY_SECRET: secret });
    const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: '{"name":"a"}' });
    const message = await expectApiError(response, 500, 'invalid_config');
    expect(message).toMatch(/^Configuration error: CLIENT_KEY_SECRET: /);
    expect(message).toContain('openssl rand -base64 48');
    expect(message).not.toContain(secret);
    expect(await env.MODELS_KV.get(KEYS_KEY)).toBeNull();
    // A key signed with the published value opens nothing either.
    const hmac = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const { key } = await mintKey(hmac);
    await expectApiError(await call(env, '/v1/models', { headers: bearer(key) }), 500, 'invalid_config');
  });

  it('needs an admin token: a client key is not one', async () => {
    const { env } = await setup();
    const { key } = await createKey(env, { name: 'a' });
    const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(key), body: '{"name":"b"}' });
    await expectApiError(response, 401, 'invalid_token');
  });

  it('logs one audit line per key operation, with the key id and name and never the key', async () => {
    const { env } = await setup();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const created = await createKey(env, { name: 'audited' });
    await call(env, `/admin/keys/${created.id}`, { method: 'DELETE', headers: bearer(await adminToken()) });
    const lines = log.mock.calls.map((args) => String(args[0]));
    expect(lines.join('\n')).not.toContain(created.key);
    const audits = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'admin');
    expect(audits).toEqual([
      expect.objectContaining({ action: 'POST /admin/keys', outcome: 'ok', status: 201, key: { id: created.id, name: 'audited' } }),
      expect.objectContaining({ action: `DELETE /admin/keys/${created.id}`, outcome: 'ok', status: 200, key: { id: created.id, name: 'audited' } }),
    ]);
  });
});

describe('DELETE /admin/keys/{id}', () => {
  it('revokes the key at once in this isolate', async () => {
    const { env } = await setup();
    const { id, key } = await createKey(env, { name: 'a' });
    expect((await call(env, '/v1/models', { headers: bearer(key) })).status).toBe(200);
    const revoked = await call(env, `/admin/keys/${id}`, { method: 'DELETE', headers: bearer(await adminToken()) });
    expect(await revoked.json()).toEqual({ id, revoked: true });
    await expectApiError(await call(env, '/v1/models', { headers: bearer(key) }), 401, 'invalid_api_key');
  });

  it('answers 404 key_not_found for an unknown id, changing nothing', async () => {
    const { env } = await setup();
    const { key } = await createKey(env, { name: 'a' });
    await expectApiError(await call(env, '/admin/keys/nope', { method: 'DELETE', headers: bearer(await adminToken()) }), 404, 'key_not_found');
    expect((await call(env, '/v1/models', { headers: bearer(key) })).status).toBe(200);
  });

  it('reaches another isolate within its memory lifetime: a revocation written elsewhere is seen once the copy ages out', async () => {
    const { env } = await setup();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const { key } = await createKey(env, { name: 'a' });
    expect((await call(env, '/v1/models', { headers: bearer(key) })).status).toBe(200);
    // Another data centre revokes it: KV changes, this isolate's copy does not.
    await env.MODELS_KV.put(KEYS_KEY, JSON.stringify({ keys: [] }), { metadata: { version: 'elsewhere' } });
    vi.setSystemTime(start + KEYS_MEMORY_TTL_MS - 1);
    expect((await call(env, '/v1/models', { headers: bearer(key) })).status).toBe(200);
    vi.setSystemTime(start + KEYS_MEMORY_TTL_MS);
    await expectApiError(await call(env, '/v1/models', { headers: bearer(key) }), 401, 'invalid_api_key');
  });
});

describe('client keys on the list', () => {
  it('a key with a view sees only that view: the list, ?provider= and retrieve agree', async () => {
    const { env } = await setup();
    const { key } = await createKey(env, { name: 'a', view: 'team-a' });
    const everything = await idsOf(await call(env, '/v1/models'));
    const seen = await idsOf(await call(env, '/v1/models', { headers: bearer(key) }));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(everything.length);

    const full = (await (await call(env, '/v1/models')).json()) as { data: Model[] };
    const expected = full.data.filter((m) => ['openai', 'anthropic'].includes(m.provider) && !m.id.endsWith('-mini')).map((m) => m.id);
    expect(seen).toEqual(expected);

    for (const id of everything) {
      const response = await call(env, `/v1/models/${encodeURIComponent(id)}`, { headers: bearer(key) });
      if (seen.includes(id)) expect(response.status).toBe(200);
      // Outside the view is exactly an unknown id.
      else expect(await expectApiError(response, 404, 'model_not_found')).toBe(`The model '${id}' does not exist.`);
    }
    expect(await idsOf(await call(env, '/v1/models?provider=openai', { headers: bearer(key) }))).toEqual(seen.filter((id) => full.data.find((m) => m.id === id)?.provider === 'openai'));
    const outside = await call(env, '/v1/models?provider=gemini', { headers: bearer(key) });
    expect(await expectApiError(outside, 404, 'provider_not_found')).toBe(await expectApiError(await call(env, '/v1/models?provider=nope'), 404, 'provider_not_found').then((m) => m.replace("'nope'", "'gemini'")));
  });

  it('a key without a view sees the full list, byte for byte', async () => {
    const { env } = await setup();
    const { key } = await createKey(env, { name: 'all' });
    const open = await call(env, '/v1/models');
    const keyed = await call(env, '/v1/models', { headers: bearer(key) });
    expect(await keyed.text()).toBe(await open.text());
    expect(keyed.headers.get('Cache-Control')).toMatch(/^private/);
    expect(open.headers.get('Vary')).toMatch(/(^|, *)Authorization(,|$)/);
  });

  it('a view has its own strong ETag, answered 304, different from the full list’s', async () => {
    const { env } = await setup();
    const { key } = await createKey(env, { name: 'a', view: 'gemini-only' });
    const open = await call(env, '/v1/models');
    const keyed = await call(env, '/v1/models', { headers: bearer(key) });
    const tag = keyed.headers.get('ETag');
    expect(tag).toMatch(/^"[^"]+"$/);
    expect(tag).not.toBe(open.headers.get('ETag'));
    const again = await call(env, '/v1/models', { headers: { ...bearer(key), 'If-None-Match': tag ?? '' } });
    expect(again.status).toBe(304);
    // The same ETag from the full list does not match the view.
    const other = await call(env, '/v1/models', { headers: { ...bearer(key), 'If-None-Match': open.headers.get('ETag') ?? '' } });
    expect(other.status).toBe(200);
  });

  it('REQUIRE_CLIENT_KEY closes the list and retrieve to anonymous clients', async () => {
    const { env } = await setup({ REQUIRE_CLIENT_KEY: 'true' });
    for (const path of ['/v1/models', '/models', '/v1/models/gpt-4o', '/models/gpt-4o']) {
      const response = await call(env, path);
      await expectApiError(response, 401, 'invalid_api_key');
      expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    }
    const body = JSON.parse(await (await call(env, '/v1/models')).text()) as { error: { type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    const { key } = await createKey(env, { name: 'a' });
    expect((await call(env, '/v1/models', { headers: bearer(key) })).status).toBe(200);
  });

  it('an expired key is refused from its expiry on (frozen clock)', async () => {
    const { env } = await setup();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const expiresAt = new Date(start + 3_600_000).toISOString();
    const { key } = await createKey(env, { name: 'a', expiresAt });
    vi.setSystemTime(Date.parse(expiresAt) - 1);
    expect((await call(env, '/v1/models', { headers: bearer(key) })).status).toBe(200);
    vi.setSystemTime(Date.parse(expiresAt));
    await expectApiError(await call(env, '/v1/models', { headers: bearer(key) }), 401, 'invalid_api_key');
  });

  describe('a bad key where none is needed is still a 401', () => {
    it.each([
      ['a key of the wrong format', 'sk-proj-abc123'],
      ['a key with a forged MAC', `${KEY_PREFIX}${'A'.repeat(71)}`],
      ['a 10 kB key', `${KEY_PREFIX}${'A'.repeat(10_000)}`],
      ['two keys in one header', 'KEY KEY'],
    ])('%s', async (_, presented) => {
      const { env } = await setup();
      const { key } = await createKey(env, { name: 'a' });
      const response = await call(env, '/v1/models', { headers: bearer(presented.replace(/KEY/g, key)) });
      await expectApiError(response, 401, 'invalid_api_key');
      expect(await call(env, '/v1/models', { headers: bearer(presented) }).then((r) => r.text())).not.toContain(key);
    });

    it('a well-signed key this deployment never stored', async () => {
      const { env } = await setup();
      const secret = await crypto.subtle.importKey('raw', new TextEncoder().encode(CLIENT_KEY_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const { key } = await mintKey(secret);
      await expectApiError(await call(env, '/v1/models', { headers: bearer(key) }), 401, 'invalid_api_key');
    });

    it('an admin JWT', async () => {
      const { env } = await setup();
      await expectApiError(await call(env, '/v1/models', { headers: bearer(await adminToken()) }), 401, 'invalid_api_key');
    });

    it('another Authorization scheme', async () => {
      const { env } = await setup();
      await expectApiError(await call(env, '/v1/models', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'invalid_api_key');
    });
  });

  it('a made-up key costs no KV read, even in an isolate that has not read the keys yet', async () => {
    const { env } = await setup();
    await createKey(env, { name: 'a' });
    await call(env, '/v1/models'); // the list itself is cached
    forgetKeys();
    const reads: string[] = [];
    const counting = new Proxy(env.MODELS_KV, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (property === 'get' || property === 'getWithMetadata') reads.push(String(args[0]));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const sprayed = { ...env, MODELS_KV: counting };
    for (let i = 0; i < 20; i++) {
      const forged = KEY_PREFIX + btoa(String(Math.random())).replace(/[^A-Za-z0-9]/g, 'x').padEnd(71, 'Q').slice(0, 71);
      await expectApiError(await call(sprayed, '/v1/models', { headers: bearer(forged) }), 401, 'invalid_api_key');
    }
    expect(reads.filter((key) => key === KEYS_KEY)).toEqual([]);
  });
});

describe('client keys while Workers KV fails (docs/behaviour.md, "Workers KV failing")', () => {
  async function keysThenOutage() {
    const { env } = await setup();
    const kept = await createKey(env, { name: 'kept' });
    const revoked = await createKey(env, { name: 'revoked' });
    await call(env, `/admin/keys/${revoked.id}`, { method: 'DELETE', headers: bearer(await adminToken()) });
    expect((await call(env, '/v1/models', { headers: bearer(kept.key) })).status).toBe(200);
    const down = { ...env, MODELS_KV: failingKv(env.MODELS_KV, 'KV GET failed: 503 Service Unavailable', 'both') };
    return { env, down, kept, revoked };
  }

  it('keeps the keys this isolate knows working, and a revocation made before the outage in force', async () => {
    const { down, kept, revoked } = await keysThenOutage();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + KEYS_MEMORY_TTL_MS + 1); // the copy in memory is due for a KV read, which fails
    expect((await call(down, '/v1/models', { headers: bearer(kept.key) })).status).toBe(200);
    await expectApiError(await call(down, '/v1/models', { headers: bearer(revoked.key) }), 401, 'invalid_api_key');
  });

  it('shows a failed read of the key index in the status, though the list’s own reads succeed', async () => {
    const { env, kept } = await keysThenOutage();
    const keysDown = new Proxy(env.MODELS_KV, {
      get(target, property) {
        if (property === 'getWithMetadata') {
          return (key: unknown, options: unknown) => (key === KEYS_KEY ? Promise.reject(new Error('KV GET failed: 503 Service Unavailable')) : target.getWithMetadata(key as string, options as KVNamespaceGetOptions<'text'>));
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    forgetKeys(); // the index is due for a KV read
    expect((await call({ ...env, MODELS_KV: keysDown }, '/v1/models', { headers: bearer(kept.key) })).status).toBe(200);
    const status = (await (await call(env, '/admin/cache/status', { headers: bearer(await adminToken()) })).json()) as { store: { ok: boolean; error: string } };
    expect(status.store.ok).toBe(false);
    expect(status.store.error).toContain('KV key read failed');
  });

  it('serves a fresh isolate the keys from the data centre’s copy, the revocation included', async () => {
    const { down, kept, revoked } = await keysThenOutage();
    forgetKeys(); // a new isolate: nothing in memory, KV failing
    expect((await call(down, '/v1/models', { headers: bearer(kept.key) })).status).toBe(200);
    await expectApiError(await call(down, '/v1/models', { headers: bearer(revoked.key) }), 401, 'invalid_api_key');
  });

  it('answers a key change 503 coordinator_unavailable without the coordinator, changing nothing, the keys still working', async () => {
    const { down, kept } = await keysThenOutage();
    const alone = { ...down, COORDINATOR: undefined };
    await expectApiError(await call(alone, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: '{"name":"new"}' }), 503, 'coordinator_unavailable');
    await expectApiError(await call(alone, `/admin/keys/${kept.id}`, { method: 'DELETE', headers: bearer(await adminToken()) }), 503, 'coordinator_unavailable');
    expect((await call(alone, '/v1/models', { headers: bearer(kept.key) })).status).toBe(200);
  });
});

