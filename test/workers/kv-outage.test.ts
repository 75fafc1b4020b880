/**
 * Workers KV failing (issue #16, docs/behaviour.md "Workers KV failing") and the failure pause on a miss (docs/behaviour.md, "Freshness and the failure pause"), through
 * the worker's own `fetch` and `scheduled`: the runtime's KV wrapped so that its reads, writes or both
 * throw as on 2025-06-12, the runtime's Cache API for the copy outside KV, and fake upstreams.
 * `Date` is frozen so the memory tier, the pause and the list's expiry are crossed without sleeping.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KINDS } from '../../fake-providers/demo-data.ts';
import { edgeDelete, edgePut, LIST_COPY } from '../../src/cache/edge.ts';
import { LIST_KEY, STATUS_KEY } from '../../src/cache/kv.ts';
import { adoptGeneration, MEMORY_TTL_MS } from '../../src/cache/memory.ts';
import { FAILURE_PAUSE_MS } from '../../src/refresh/shared.ts';
import type { Env } from '../../src/env.ts';
import { expectApiError } from './support/expect-error.ts';
import { failingKv, recordingKv, storedKeys, type KvOperations } from './support/kv.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, totalHits, type FakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, freshIsolate, providersVar, runCron, workerEnv } from './support/worker.ts';

/** What the runtime's KV binding threw during the 2025-06-12 outage, near enough. */
const KV_ERROR = 'KV GET failed: 500 Internal Server Error';
const ALL_FAILING = { faults: Object.fromEntries(KINDS.map((kind) => [kind, 'error-500'])) } as const;

let clock = Date.UTC(2031, 0, 1);
const at = (ms: number) => vi.setSystemTime(clock + ms);

beforeEach(async () => {
  await coldCache();
  clock += 86_400_000;
  vi.useFakeTimers({ toFake: ['Date'] });
  at(0);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/**
 * One deployment seen twice: over the runtime's KV, and over the same KV failing as `failing` says.
 * Both without the coordinator: it writes KV through its own binding, which a test cannot make fail,
 * so what is tested here is the isolate's own refresh (the one a miss falls back to).
 */
async function deployment(failing: KvOperations = 'both', init = {}) {
  const upstreams = await fakeUpstreams(init);
  const healthy = workerEnv({ ...providersVar(upstreams.entries()), COORDINATOR: undefined });
  const outage: Env = { ...healthy, MODELS_KV: failingKv(healthy.MODELS_KV, KV_ERROR, failing) };
  return { upstreams, healthy, outage };
}

const fanOuts = async (upstreams: FakeUpstreams) => (await upstreams.hits()).openai;
const logLines = (log: { mock: { calls: unknown[][] } }) => log.mock.calls.map(([line]) => JSON.parse(String(line)) as { event: string } & Record<string, unknown>);

describe('a Workers KV outage', () => {
  it('serves the list this isolate holds past the memory tier, STALE with X-Store: unavailable, when KV reads fail', async () => {
    const { upstreams, healthy, outage } = await deployment('reads');
    const miss = await call(healthy, '/v1/models');
    expect(miss.headers.get('X-Cache')).toBe('MISS');
    expect(miss.headers.get('X-Store')).toBeNull();
    const body = await miss.text();
    const hits = totalHits(await upstreams.hits());
    // As on *.workers.dev, where the Cache API keeps nothing: only this isolate's memory is left.
    await edgeDelete(LIST_COPY);

    at(MEMORY_TTL_MS + 1);
    const held = await call(outage, '/v1/models');
    expect(held.status).toBe(200);
    expect(held.headers.get('X-Cache')).toBe('STALE');
    expect(held.headers.get('X-Store')).toBe('unavailable');
    expect(await held.text()).toBe(body);
    expect(totalHits(await upstreams.hits())).toBe(hits);
  });

  it('answers 10 reads over a minute with one fan-out when KV reads and writes fail in a fresh isolate', async () => {
    const { upstreams, outage } = await deployment('both');
    const answers: Response[] = [];
    for (let i = 0; i < 10; i++) {
      at(i * (MEMORY_TTL_MS + 1000));
      answers.push(await call(outage, i % 2 === 0 ? '/v1/models' : '/v1/models/gpt-4o'));
      // As on *.workers.dev, where the Cache API keeps nothing: only this isolate's memory is left.
      await edgeDelete(LIST_COPY);
    }
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.map((a) => a.headers.get('X-Cache'))).toEqual(['MISS', ...Array(9).fill('STALE')]);
    expect(answers.every((a) => a.headers.get('X-Store') === 'unavailable')).toBe(true);
    expect(await fanOuts(upstreams)).toBe(1);
  });

  it('refreshes a stale list at most once per failure pause while KV fails', async () => {
    const upstreams = await fakeUpstreams();
    const healthy = workerEnv({ ...providersVar(upstreams.entries()), CACHE_TTL_SECONDS: '1' });
    const outage: Env = { ...healthy, MODELS_KV: failingKv(healthy.MODELS_KV, KV_ERROR, 'both') };
    for (let i = 0; i < 10; i++) {
      at(i * (MEMORY_TTL_MS + 1000));
      expect((await call(outage, '/v1/models')).status).toBe(200);
      await edgeDelete(LIST_COPY);
    }
    // The miss at 0 s, then one revalidation per pause: at 30 s (54 s is the last read).
    expect(await fanOuts(upstreams)).toBe(2);
  });

  it.each<KvOperations>(['writes', 'both'])('serves a fetched list it could not store when KV %s fail, and logs kv_write_failed', async (failing) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { healthy, outage } = await deployment(failing);
    const response = await call(outage, '/v1/models');
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Cache')).toBe('MISS');
    // The writes run behind the answer: a MISS whose KV read worked cannot know yet that they fail.
    expect(response.headers.get('X-Store')).toBe(failing === 'both' ? 'unavailable' : null);
    expect(((await response.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect(await storedKeys(healthy.MODELS_KV)).not.toContain(LIST_KEY);
    expect(logLines(log)).toContainEqual(expect.objectContaining({ event: 'kv_write_failed', key: LIST_KEY, message: expect.stringContaining(KV_ERROR) }));
    // The next answer, from this isolate's memory, says so.
    const next = await call(outage, '/v1/models');
    expect(next.headers.get('X-Cache')).toBe('HIT');
    expect(next.headers.get('X-Store')).toBe('unavailable');
  });

  it('serves the Cache API copy in a fresh isolate when KV and every upstream fail', async () => {
    const { upstreams, healthy, outage } = await deployment('both');
    const body = await (await call(healthy, '/v1/models')).text();
    const hits = totalHits(await upstreams.hits());

    freshIsolate();
    await upstreams.update(ALL_FAILING);
    at(1000);
    const copy = await call(outage, '/v1/models');
    expect(copy.status).toBe(200);
    expect(copy.headers.get('X-Cache')).toBe('STALE');
    expect(copy.headers.get('X-Store')).toBe('unavailable');
    expect(await copy.text()).toBe(body);
    expect(totalHits(await upstreams.hits())).toBe(hits);
  });

  it('does not serve the Cache API copy of a list a purge this isolate has heard of removed', async () => {
    const { upstreams, healthy, outage } = await deployment('both');
    expect((await call(healthy, '/v1/models')).status).toBe(200);
    freshIsolate();
    adoptGeneration(1); // the coordinator said so: a purge this data centre's copy predates
    await upstreams.update(ALL_FAILING);
    at(1000);
    await expectApiError(await call(outage, '/v1/models'), 502, 'upstreams_unavailable');
  });

  it('answers 502 only when KV, the Cache API copy and every upstream all have nothing', async () => {
    const { outage } = await deployment('both', ALL_FAILING);
    await expectApiError(await call(outage, '/v1/models'), 502, 'upstreams_unavailable');
  });

  it('answers the status with the store error instead of "empty", never 500', async () => {
    const { outage } = await deployment('reads');
    const response = await call(outage, '/admin/cache/status', { headers: bearer(await adminToken()) });
    expect(response.status).toBe(200);
    const status = (await response.json()) as { state: string; store: { ok: boolean; error: string | null; since: string | null } };
    expect(status.state).toBe('unavailable');
    expect(status.store).toEqual({ ok: false, error: `KV read failed: ${KV_ERROR}`, since: new Date(clock).toISOString() });
  });

  it('keeps the first failure of the streak as `since`, and shows the list this isolate serves', async () => {
    const { healthy, outage } = await deployment('reads');
    await call(healthy, '/v1/models');
    at(MEMORY_TTL_MS + 1);
    await call(outage, '/v1/models');
    at(FAILURE_PAUSE_MS + MEMORY_TTL_MS + 2);
    const response = await call(outage, '/admin/cache/status', { headers: bearer(await adminToken()) });
    const status = (await response.json()) as { state: string; modelCount: number; store: { ok: boolean; since: string } };
    expect(status).toMatchObject({ state: 'fresh', store: { ok: false, since: new Date(clock + MEMORY_TTL_MS + 1).toISOString() } });
    expect(status.modelCount).toBeGreaterThan(0);
  });

  it('ends a cron run cleanly when KV fails, logging the failure instead of throwing', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { outage } = await deployment('both');
    await expect(runCron(outage)).resolves.toBeUndefined();
    const events = logLines(log).map((line) => line.event);
    expect(events).toContain('refresh');
    expect(events).toContain('kv_write_failed');
    expect(events).not.toContain('cron_failed');
  });

  it('stores the list at the next refresh once KV is back, and the status says the store is ok', async () => {
    const { healthy, outage } = await deployment('both');
    await runCron(outage);
    expect(await storedKeys(healthy.MODELS_KV)).not.toContain(LIST_KEY);

    at(60_000);
    await runCron(healthy);
    expect(await storedKeys(healthy.MODELS_KV)).toContain(LIST_KEY);
    const status = await call(healthy, '/admin/cache/status', { headers: bearer(await adminToken()) });
    expect(((await status.json()) as { store: unknown }).store).toEqual({ ok: true, error: null, since: null });
  });
});

describe('the failure pause on a miss', () => {
  it('answers 20 anonymous reads on an empty cache with every upstream failing with at most 2 fan-outs and 2 status writes', async () => {
    const upstreams = await fakeUpstreams(ALL_FAILING);
    const { kv, puts } = recordingKv(workerEnv().MODELS_KV);
    const env = workerEnv({ ...providersVar(upstreams.entries()), MODELS_KV: kv, COORDINATOR: undefined });
    for (let i = 0; i < 20; i++) {
      at(i * 1000);
      await expectApiError(await call(env, i % 2 === 0 ? `/v1/models?provider=nope-${i}` : '/v1/models'), 502, 'upstreams_unavailable');
    }
    expect(await fanOuts(upstreams)).toBeLessThanOrEqual(2);
    expect(puts.filter((put) => put.key === STATUS_KEY).length).toBeLessThanOrEqual(2);
    expect(puts.filter((put) => put.key === STATUS_KEY).length).toBeGreaterThan(0);
  });

  it('answers 502 at once in another isolate while the stored status shows a fill that failed within the pause, then tries again', async () => {
    const upstreams = await fakeUpstreams(ALL_FAILING);
    const env = workerEnv(providersVar(upstreams.entries()));
    await call(env, '/v1/models');
    expect(await fanOuts(upstreams)).toBe(1);

    freshIsolate();
    at(FAILURE_PAUSE_MS - 5000);
    const paused = await call(env, '/v1/models');
    await expectApiError(paused, 502, 'upstreams_unavailable');
    expect(Number(paused.headers.get('Retry-After'))).toBe(5);
    expect(await fanOuts(upstreams)).toBe(1);

    at(FAILURE_PAUSE_MS);
    await upstreams.update({ faults: {} });
    expect((await call(env, '/v1/models')).status).toBe(200);
    expect(await fanOuts(upstreams)).toBe(2);
  });

  it('tells anonymous clients how many providers failed, never an upstream URL or text; admins get the details', async () => {
    const upstreams = await fakeUpstreams({ faults: { openai: 'error-500', anthropic: 'unauthorized', gemini: 'html-200', ollama: 'error-500' } });
    const env = workerEnv(providersVar(upstreams.entries()));
    const response = await call(env, '/v1/models');
    const text = await response.clone().text();
    const message = await expectApiError(response, 502, 'upstreams_unavailable');
    expect(message).toBe('No model list can be served: nothing is cached and 4 of 4 providers failed. Admins see why in GET /admin/cache/status.');
    for (const leak of [new URL(upstreams.origin).host, 'http', 'internal error', 'invalid api key', 'Unauthorized', '[openai]', 'Sign in']) {
      expect(text).not.toContain(leak);
    }

    const refresh = await call(env, '/admin/cache/refresh', { method: 'POST', headers: bearer(await adminToken()) });
    expect(await expectApiError(refresh, 502, 'upstreams_unavailable')).toContain('[openai] GET');
  });
});

describe('the copy outside KV', () => {
  it('is put once per version, never per request', async () => {
    const keys: string[] = [];
    const cache = { put: async (key: RequestInfo) => void keys.push(String(key)) } as unknown as Cache;
    const terms = (version: string) => ({ version, expiresAt: Date.now() + 60_000 });
    for (let i = 0; i < 3; i++) await edgePut('probe', 'one', {}, terms('v1'), cache);
    await edgePut('probe', 'two', {}, terms('v2'), cache);
    expect(keys).toHaveLength(2);
  });

  it('costs a memory hit no KV and no Cache API operation', async () => {
    const upstreams = await fakeUpstreams();
    let kvCalls = 0;
    const base = workerEnv(providersVar(upstreams.entries()));
    const counting = new Proxy(base.MODELS_KV, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          kvCalls++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const env: Env = { ...base, MODELS_KV: counting, COORDINATOR: undefined };
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    const match = vi.spyOn(caches.default, 'match');
    const put = vi.spyOn(caches.default, 'put');
    kvCalls = 0;
    for (let i = 0; i < 5; i++) expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('HIT');
    expect(kvCalls).toBe(0);
    expect(match).not.toHaveBeenCalled();
    expect(put).not.toHaveBeenCalled();
  });
});
