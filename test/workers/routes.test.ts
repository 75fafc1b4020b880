import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app.ts';
import type { Model } from '../../src/model.ts';
import { expectApiError } from './support/expect-error.ts';
import { storedKeys } from './support/kv.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, totalHits } from './support/upstreams.ts';
import { call, coldCache, providersVar, workerEnv } from './support/worker.ts';

/** The demo sets of fake-providers/demo-data.ts: 5 OpenAI, 5 Anthropic, 5 Gemini, 4 Ollama models. */
const DEMO_MODEL_COUNT = 19;

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
});

async function listOf(response: Response): Promise<Model[]> {
  const body = (await response.json()) as { object: string; data: Model[] };
  expect(body.object).toBe('list');
  return body.data;
}

function maxAgeSeconds(response: Response): number {
  const match = /(?:^|,)\s*max-age=(\d+)/.exec(response.headers.get('Cache-Control') ?? '');
  if (match?.[1] === undefined) throw new Error(`no max-age in Cache-Control: ${response.headers.get('Cache-Control')}`);
  return Number(match[1]);
}

describe('GET /v1/models', () => {
  it('fetches on a cold cache (MISS), then answers from the cache (HIT) without calling upstreams', async () => {
    const upstreams = await fakeUpstreams();
    const env = workerEnv(providersVar(upstreams.entries()));

    const miss = await call(env, '/v1/models');
    expect(miss.status).toBe(200);
    expect(miss.headers.get('X-Cache')).toBe('MISS');
    const hitsAfterMiss = totalHits(await upstreams.hits());
    expect(hitsAfterMiss).toBeGreaterThan(0);

    const hit = await call(env, '/v1/models');
    expect(hit.headers.get('X-Cache')).toBe('HIT');
    expect(await hit.text()).toBe(await miss.text());
    expect(totalHits(await upstreams.hits())).toBe(hitsAfterMiss);
  });

  it('serves the same list at /models', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    const v1 = await (await call(env, '/v1/models')).text();
    const bare = await call(env, '/models');
    expect(bare.status).toBe(200);
    expect(await bare.text()).toBe(v1);
  });

  it('answers an OpenAI list of every provider, sorted by id, each id once', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    const response = await call(env, '/v1/models');
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const ids = (await listOf(response)).map((model) => model.id);
    expect(ids).toHaveLength(DEMO_MODEL_COUNT);
    expect(new Set(ids).size).toBe(ids.length);
    // Array#sort without a comparator orders by UTF-16 code units, the bytes-stable order docs/behaviour.md names.
    expect(ids).toEqual([...ids].sort());
  });

  it('maps each entry to a Model: provider, upstream_id, owned_by falling back to the provider, created only when the upstream has one', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    const byId = new Map((await listOf(await call(env, '/v1/models'))).map((model) => [model.id, model]));
    expect(byId.get('gpt-4o')).toStrictEqual({
      id: 'gpt-4o',
      object: 'model',
      created: 1715367049,
      // OpenAI's "system" names no owner: the provider id stands in (src/refresh/normalise.ts).
      owned_by: 'openai',
      provider: 'openai',
      upstream_id: 'gpt-4o',
    });
    expect(byId.get('claude-sonnet-5-5')).toStrictEqual({
      id: 'claude-sonnet-5-5',
      object: 'model',
      created: Date.parse('2026-10-01T00:00:00Z') / 1000,
      owned_by: 'anthropic',
      provider: 'anthropic',
      upstream_id: 'claude-sonnet-5-5',
      name: 'Claude Sonnet 5.5',
      context_length: 1000000,
      max_output_tokens: 128000,
    });
    // Gemini's list carries no time at all: no `created`, rather than a made-up one.
    expect(byId.get('gemini-2.5-pro')).toStrictEqual({
      id: 'gemini-2.5-pro',
      object: 'model',
      owned_by: 'gemini',
      provider: 'gemini',
      upstream_id: 'gemini-2.5-pro',
      name: 'Gemini 2.5 Pro',
      context_length: 1048576,
      max_output_tokens: 65536,
    });
  });

  it('sends a strong ETag and answers a matching If-None-Match with 304, no body and the same ETag', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    const first = await call(env, '/v1/models');
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const revalidated = await call(env, '/v1/models', { headers: { 'If-None-Match': etag ?? '' } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('ETag')).toBe(etag);
    // RFC 9110 §15.4.5: a 304 carries the Cache-Control the 200 would have.
    expect(revalidated.headers.get('Cache-Control')).toBe(first.headers.get('Cache-Control'));

    const changed = await call(env, '/v1/models', { headers: { 'If-None-Match': '"some-other-version"' } });
    expect(changed.status).toBe(200);
  });

  it('gives each model and each provider slice its own strong ETag, answered with 304 on a match', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    const list = (await call(env, '/v1/models')).headers.get('ETag');
    const etags = new Set([list]);
    for (const path of ['/v1/models/gpt-4o', '/v1/models/gpt-4o-mini', '/v1/models?provider=openai', '/v1/models?provider=gemini']) {
      const first = await call(env, path);
      const etag = first.headers.get('ETag') ?? '';
      expect(etag, path).toMatch(/^"[^"]+"$/);
      etags.add(etag);
      const again = await call(env, path);
      expect(again.headers.get('ETag'), path).toBe(etag);
      expect(await again.text(), path).toBe(await first.text());
      const revalidated = await call(env, path, { headers: { 'If-None-Match': etag } });
      expect(revalidated.status, path).toBe(304);
    }
    expect(etags.size).toBe(5);
  });

  it('lets clients keep a copy for at most 60 s, less than a purge takes to propagate', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    for (const path of ['/v1/models', '/v1/models?provider=openai', '/v1/models/gpt-4o']) {
      const response = await call(env, path);
      expect(maxAgeSeconds(response), path).toBeLessThanOrEqual(60);
    }
  });

  it('narrows the list to one provider with ?provider=', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    const response = await call(env, '/v1/models?provider=anthropic');
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Cache')).toBe('MISS');
    const data = await listOf(response);
    expect(data.map((model) => model.id)).toEqual([
      'claude-haiku-4-5-20251001',
      'claude-haiku-5-5',
      'claude-opus-5-5',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-5-5',
    ]);
    expect(data.every((model) => model.provider === 'anthropic')).toBe(true);
  });

  it('answers 404 provider_not_found for a provider that is not configured', async () => {
    const env = workerEnv(providersVar((await fakeUpstreams()).entries()));
    const message = await expectApiError(await call(env, '/v1/models?provider=cohere'), 404, 'provider_not_found');
    expect(message).toContain('cohere');
  });

  it.each(['error-500', 'unauthorized', 'html-200', 'truncated', 'wrong-shape', 'hang'] as const)(
    'leaves out a provider that fails (%s) and serves the others',
    async (fault) => {
      const upstreams = await fakeUpstreams({ faults: { anthropic: fault } });
      // A short budget for the failing one only ('hang'); the healthy ones keep the default.
      const entries = [upstreams.entry('openai'), upstreams.entry('anthropic', { timeoutMs: 200 }), upstreams.entry('gemini'), upstreams.entry('ollama')];
      const env = workerEnv(providersVar(entries));
      const response = await call(env, '/v1/models');
      expect(response.status).toBe(200);
      const providers = (await listOf(response)).map((model) => model.provider);
      expect(new Set(providers)).toEqual(new Set(['openai', 'gemini', 'ollama']));
      expect(providers).toHaveLength(DEMO_MODEL_COUNT - 5);
    },
  );

  it('answers 502 upstreams_unavailable, counting the failures, when every provider fails on an empty cache', async () => {
    const upstreams = await fakeUpstreams({ faults: { openai: 'error-500', gemini: 'unauthorized' } });
    const env = workerEnv(providersVar([upstreams.entry('openai'), upstreams.entry('gemini')]));
    const message = await expectApiError(await call(env, '/v1/models'), 502, 'upstreams_unavailable');
    expect(message).toContain('2 of 2 providers failed');
    expect(message).toContain('GET /admin/cache/status');
    expect(await storedKeys(env.MODELS_KV)).not.toContain('models:list:v1');
  });

  it('keeps the model of the provider listed first in PROVIDERS when two yield the same id, and reports the clash', async () => {
    // The first provider answers last, so "first to arrive" would pick the other one.
    const slow = await fakeUpstreams({ delayMs: { openai: 50 } });
    const fast = await fakeUpstreams();
    const env = workerEnv(providersVar([slow.entry('openai', { id: 'primary' }), fast.entry('openai', { id: 'mirror' })]));
    const data = await listOf(await call(env, '/v1/models'));
    expect(data).toHaveLength(5);
    expect(data.every((model) => model.provider === 'primary')).toBe(true);

    const status = await call(env, '/admin/cache/status', { headers: bearer(await adminToken()) });
    const { clashes } = (await status.json()) as { clashes: { id: string; kept: string; dropped: string }[] };
    expect(clashes).toContainEqual({ id: 'gpt-4o', kept: 'primary', dropped: 'mirror' });
    expect(clashes).toHaveLength(5);
  });
});

describe('GET /v1/models/{id}', () => {
  async function prefixedEnv() {
    const upstreams = await fakeUpstreams();
    return workerEnv(providersVar([upstreams.entry('openai', { prefix: 'openai/' }), upstreams.entry('ollama')]));
  }

  it('answers one Model for a plain id', async () => {
    const response = await call(await prefixedEnv(), '/v1/models/llama3.2:latest');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'llama3.2:latest', object: 'model', provider: 'ollama' });
  });

  it.each([
    ['a raw /', '/v1/models/openai/gpt-4o-mini'],
    ['an encoded %2F, as the OpenAI client sends it', '/v1/models/openai%2Fgpt-4o-mini'],
    ['a raw / without /v1', '/models/openai/gpt-4o-mini'],
  ])('finds an id containing %s', async (_, path) => {
    const response = await call(await prefixedEnv(), path);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'openai/gpt-4o-mini', upstream_id: 'gpt-4o-mini', provider: 'openai' });
  });

  it('answers 404 model_not_found for an unknown id', async () => {
    const message = await expectApiError(await call(await prefixedEnv(), '/v1/models/gpt-4o-mini'), 404, 'model_not_found');
    expect(message).toContain('gpt-4o-mini');
  });
});

describe('GET /healthz', () => {
  it('answers 200 {"ok":true} without touching KV or any upstream', async () => {
    const upstreams = await fakeUpstreams();
    const env = workerEnv(providersVar(upstreams.entries()));
    const response = await call(env, '/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(await storedKeys(env.MODELS_KV)).toEqual([]);
    expect(totalHits(await upstreams.hits())).toBe(0);
  });

  it('stays 200 when the configuration is broken', async () => {
    const env = workerEnv({ PROVIDERS: '[{"id":' });
    const response = await call(env, '/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});

describe('errors', () => {
  it('answers an unknown route with 404 in OpenAI error shape', async () => {
    const env = workerEnv(providersVar([{ id: 'fixed', type: 'openai', models: ['m'] }]));
    await expectApiError(await call(env, '/v2/models'), 404, 'not_found');
  });

  it('answers a known path with another method 405 with Allow, in the error shape', async () => {
    const env = workerEnv(providersVar([{ id: 'fixed', type: 'openai', models: ['m'] }]));
    const list = await call(env, '/v1/models', { method: 'DELETE' });
    await expectApiError(list, 405, 'method_not_allowed');
    expect(list.headers.get('Allow')).toBe('GET, HEAD');
    const chat = await call(env, '/v1/chat/completions', { method: 'GET' });
    await expectApiError(chat, 405, 'method_not_allowed');
    expect(chat.headers.get('Allow')).toBe('POST');
    // A model id under /v1/models takes no POST, tag and all: only a Gemini method after the last ':' is a call.
    for (const path of ['/v1/models/m', '/v1/models/llama3.2:latest']) {
      const post = await call(env, path, { method: 'POST', body: '{}' });
      await expectApiError(post, 405, 'method_not_allowed');
      expect(post.headers.get('Allow')).toBe('GET, HEAD');
    }
  });

  it('answers an unexpected failure with 500 internal_error and logs it, never showing the stack', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // KV failing is survived (test/workers/kv-outage.test.ts); an environment that throws is not expected.
    const env = Object.defineProperty(workerEnv(providersVar([{ id: 'fixed', type: 'openai', models: ['m'] }])), 'CACHE_TTL_SECONDS', {
      get: () => {
        throw new Error('env exploded');
      },
    });
    const message = await expectApiError(await call(env, '/v1/models'), 500, 'internal_error');
    expect(message).not.toContain('env exploded');
    expect(log.mock.calls.map(([line]) => String(line)).some((line) => line.includes('env exploded'))).toBe(true);
  });

  it.each([
    ['PROVIDERS is not JSON', { PROVIDERS: '[{"id":' }, ['PROVIDERS']],
    ['a provider type is unknown', providersVar([{ id: 'x', type: 'cohere' }]), ['PROVIDERS[0].type', 'cohere']],
    [
      'two providers share an id',
      providersVar([
        { id: 'same', type: 'openai', models: ['a'] },
        { id: 'same', type: 'openai', models: ['b'] },
      ]),
      ['PROVIDERS[1].id', 'same'],
    ],
    ['a provider key secret is missing', providersVar([{ id: 'x', type: 'openai', apiKeySecret: 'X_API_KEY' }]), ['PROVIDERS[0].apiKeySecret', 'X_API_KEY']],
    [
      'fresh + stale TTL is below KV minimum of 60 s',
      { ...providersVar([{ id: 'x', type: 'openai', models: ['a'] }]), CACHE_TTL_SECONDS: '30', STALE_TTL_SECONDS: '20' },
      ['CACHE_TTL_SECONDS', 'STALE_TTL_SECONDS'],
    ],
  ])('with nothing stored, answers /v1/models 500 invalid_config when %s — naming the field to admins and the log only — while /healthz stays 200', async (_, vars, named) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const env = workerEnv(vars);
    const message = await expectApiError(await call(env, '/v1/models'), 500, 'invalid_config');
    expect(message).toMatch(/configuration is broken; its admins see why in GET \/admin\/cache\/status/);
    for (const field of named) expect(message).not.toContain(field);
    const logged = log.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('"config_error"'));
    for (const field of named) expect(logged.join('\n')).toContain(field);
    const admin = await expectApiError(await call(env, '/admin/cache/refresh', { method: 'POST', headers: bearer(await adminToken()) }), 500, 'invalid_config');
    for (const field of named) expect(admin).toContain(field);
    expect((await call(env, '/healthz')).status).toBe(200);
  });
});

describe('routing', () => {
  it('fits Hono’s RegExpRouter, the fast one: a route it cannot hold would send every request to the slower TrieRouter', () => {
    const router = app.router as unknown as { match(method: string, path: string): unknown; activeRouter: { name: string } };
    router.match('GET', '/v1/models');
    expect(router.activeRouter.name).toBe('RegExpRouter');
  });
});
