import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIST_KEY, STATUS_KEY, type ListMeta } from '../../src/cache/kv.ts';
import { forget } from '../../src/cache/memory.ts';
import type { CacheStatus } from '../../src/cache/status.ts';
import { recordingKv } from './support/kv.ts';
import { fakeUpstreams, totalHits } from './support/upstreams.ts';
import { call, coldCache, providersVar, workerEnv } from './support/worker.ts';

const CACHE_TTL_SECONDS = 120;
const STALE_TTL_SECONDS = 600;

beforeEach(coldCache);
afterEach(() => {
  vi.useRealTimers();
});

async function setup() {
  const upstreams = await fakeUpstreams({ faults: { ollama: 'error-500' } });
  const { kv, puts } = recordingKv(workerEnv().MODELS_KV);
  const env = workerEnv({
    ...providersVar(upstreams.entries()),
    MODELS_KV: kv,
    // The isolate's own writes, recorded; the coordinator's are tested in coordinator.test.ts.
    COORDINATOR: undefined,
    CACHE_TTL_SECONDS: String(CACHE_TTL_SECONDS),
    STALE_TTL_SECONDS: String(STALE_TTL_SECONDS),
  });
  return { upstreams, env, puts };
}

describe('the list in KV', () => {
  it('is stored after a MISS under LIST_KEY, byte for byte the body that was served', async () => {
    const { env } = await setup();
    const response = await call(env, '/v1/models');
    expect(response.headers.get('X-Cache')).toBe('MISS');
    const { value } = await env.MODELS_KV.getWithMetadata(LIST_KEY, 'text');
    expect(value).toBe(await response.text());
  });

  it('carries its freshness as metadata: fetchedAt, freshUntil, expiresAt, the served ETag, the model count, the config fingerprint and the purge generation', async () => {
    const { env } = await setup();
    const before = Date.now();
    const response = await call(env, '/v1/models');
    const { data } = (await response.json()) as { data: unknown[] };
    const { metadata } = await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY);
    if (metadata === null) throw new Error('the list was stored without metadata');

    expect(Object.keys(metadata).sort()).toEqual(['etag', 'expiresAt', 'fetchedAt', 'fingerprint', 'freshUntil', 'generation', 'modelCount']);
    // Written without the coordinator by an isolate that has heard of no purge.
    expect(metadata.generation).toBe(0);
    expect(metadata.fetchedAt).toBeGreaterThanOrEqual(before);
    expect(metadata.freshUntil - metadata.fetchedAt).toBe(CACHE_TTL_SECONDS * 1000);
    expect(metadata.expiresAt - metadata.fetchedAt).toBe((CACHE_TTL_SECONDS + STALE_TTL_SECONDS) * 1000);
    expect(metadata.etag).toBe(response.headers.get('ETag'));
    expect(metadata.modelCount).toBe(data.length);
  });

  it('is written with an expirationTtl of fresh + stale seconds, as is the status', async () => {
    const { env, puts } = await setup();
    await call(env, '/v1/models');
    const ttl = CACHE_TTL_SECONDS + STALE_TTL_SECONDS;
    expect(puts.find((put) => put.key === LIST_KEY)?.options?.expirationTtl).toBe(ttl);
    expect(puts.find((put) => put.key === STATUS_KEY)?.options?.expirationTtl).toBe(ttl);
  });

  it('is answered as a HIT from KV when this isolate holds no copy, without calling upstreams', async () => {
    const { env, upstreams } = await setup();
    const miss = await (await call(env, '/v1/models')).text();
    const hits = totalHits(await upstreams.hits());
    forget();
    const fromKv = await call(env, '/v1/models');
    expect(fromKv.headers.get('X-Cache')).toBe('HIT');
    expect(await fromKv.text()).toBe(miss);
    expect(totalHits(await upstreams.hits())).toBe(hits);
  });

  it('is served STALE once past its freshness, and replaced behind the response', async () => {
    const { env, upstreams } = await setup();
    await call(env, '/v1/models');
    const hits = totalHits(await upstreams.hits());
    const first = await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY);
    if (first.metadata === null) throw new Error('the list was stored without metadata');

    // Past freshUntil, before expiresAt; the memory tier has lapsed too.
    const later = first.metadata.freshUntil + 1000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(later);
    const stale = await call(env, '/v1/models');
    expect(stale.headers.get('X-Cache')).toBe('STALE');
    expect(await stale.text()).toBe(first.value);

    // `call` waited for the revalidation the response scheduled.
    expect(totalHits(await upstreams.hits())).toBeGreaterThan(hits);
    const { metadata } = await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY);
    expect(metadata?.fetchedAt).toBe(later);
  });
});

describe('the status in KV', () => {
  it('is stored under STATUS_KEY with each provider outcome, failures included', async () => {
    const { env } = await setup();
    await call(env, '/v1/models');
    const status = await env.MODELS_KV.get<CacheStatus>(STATUS_KEY, 'json');
    expect(status?.providers.map((p) => [p.id, p.ok])).toEqual([
      ['openai', true],
      ['anthropic', true],
      ['gemini', true],
      ['ollama', false],
    ]);
    expect(status?.providers.find((p) => p.id === 'ollama')?.error).toContain('[ollama] GET');
  });
});
