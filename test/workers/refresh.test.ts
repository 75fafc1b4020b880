/**
 * The refresh path (src/refresh/refresh.ts) inside workerd on a frozen clock: last-known-good per
 * provider, never writing a worse list, KV's write limit, and one fan-out per isolate. Two upstreams
 * in their real list formats are reached through the injected fetcher.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoEntries } from '../../fake-providers/demo-data.ts';
import { deleteAll, LIST_KEY, readStatus } from '../../src/cache/kv.ts';
import { readList } from './support/kv.ts';
import { forget, recall } from '../../src/cache/memory.ts';
import { currentList } from '../../src/serve/read.ts';
import { parseConfig } from '../../src/config.ts';
import worker from '../../src/index.ts';
import { refresh, type RefreshDeps } from '../../src/refresh/refresh.ts';
import { refreshShared } from '../../src/refresh/shared.ts';

const FRESH_SECONDS = 60;
const STALE_SECONDS = 600;
const KEEP_MS = (FRESH_SECONDS + STALE_SECONDS) * 1000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

type Upstream = { models: number; failing: boolean; calls: number };

/** OpenAI and Anthropic list endpoints by host; each can shrink, fail, or be counted. */
function fakeProviders() {
  const upstreams: Record<'openai' | 'anthropic', Upstream> = {
    openai: { models: 3, failing: false, calls: 0 },
    anthropic: { models: 2, failing: false, calls: 0 },
  };
  const fetcher = async (url: string | URL | Request): Promise<Response> => {
    const host = new URL(url instanceof Request ? url.url : url).hostname;
    const upstream = host === 'api.openai.test' ? upstreams.openai : upstreams.anthropic;
    upstream.calls++;
    if (upstream.failing) return Response.json({ error: { message: 'internal error' } }, { status: 500 });
    if (upstream === upstreams.openai) return Response.json({ object: 'list', data: demoEntries('openai', upstream.models) });
    const data = demoEntries('anthropic', upstream.models) as { id: string }[];
    return Response.json({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  };
  return { upstreams, fetcher };
}

/** The runtime's KV with some methods replaced; every other method is the binding's own. */
function withMethods(kv: KVNamespace, methods: Partial<KVNamespace>): KVNamespace {
  return new Proxy(kv, {
    get(target, name) {
      if (Object.hasOwn(methods, name)) return Reflect.get(methods, name);
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const withPut = (kv: KVNamespace, put: KVNamespace['put']) => withMethods(kv, { put });

/** The runtime's KV, counting every read of the stored list (get and getWithMetadata alike, one key or a bulk read of several). */
function countingListReads(kv: KVNamespace): { kv: KVNamespace; reads: () => number } {
  let reads = 0;
  const count = (key: unknown) => {
    if (key === LIST_KEY || (Array.isArray(key) && key.includes(LIST_KEY))) reads++;
  };
  const get = ((key: string, options?: never) => {
    count(key);
    return kv.get(key, options);
  }) as KVNamespace['get'];
  const getWithMetadata = ((key: string, options?: never) => {
    count(key);
    return kv.getWithMetadata(key, options);
  }) as KVNamespace['getWithMetadata'];
  return { kv: withMethods(kv, { get, getWithMetadata }), reads: () => reads };
}

/** The text of every `JSON.parse` call made while `run` runs. */
async function parsedDuring(run: () => Promise<unknown>): Promise<string[]> {
  const parse = vi.spyOn(JSON, 'parse');
  try {
    await run();
    return parse.mock.calls.map(([text]) => String(text));
  } finally {
    parse.mockRestore();
  }
}

const rateLimited = withPut(env.MODELS_KV, async () => {
  // What the binding throws past one write per second per key.
  throw new Error('KV PUT failed: 429 Too Many Requests');
});

const idsOf = (body: string) => (JSON.parse(body) as { data: { id: string; provider: string }[] }).data;

let clock = Date.UTC(2031, 0, 1);
let upstreams: ReturnType<typeof fakeProviders>['upstreams'];
let deps: RefreshDeps;

/** Moves the frozen clock `ms` past the start of the test. */
const at = (ms: number) => vi.setSystemTime(clock + ms);

beforeEach(async () => {
  // A day apart per test, so the isolate-wide "last failed refresh" time never reaches the next test.
  clock += DAY_MS;
  vi.useFakeTimers({ toFake: ['Date'] });
  at(0);
  forget();
  await deleteAll(env.MODELS_KV);
  const fake = fakeProviders();
  upstreams = fake.upstreams;
  const config = parseConfig({
    MODELS_KV: env.MODELS_KV,
    PROVIDERS: [
      { id: 'openai', type: 'openai', baseUrl: 'https://api.openai.test/v1' },
      { id: 'anthropic', type: 'anthropic', baseUrl: 'https://api.anthropic.test/v1', prefix: 'anthropic/' },
    ],
    CACHE_TTL_SECONDS: FRESH_SECONDS,
    STALE_TTL_SECONDS: STALE_SECONDS,
  });
  deps = { kv: env.MODELS_KV, config, fetcher: fake.fetcher };
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('refresh', () => {
  it('stores the merged list and records every provider in the status', async () => {
    const outcome = await refresh(deps, 'admin');
    expect(await outcome.landed).toBe(true);

    const stored = await readList(env.MODELS_KV);
    expect(stored?.meta).toMatchObject({ fetchedAt: clock, modelCount: 5, etag: outcome.list?.meta.etag });
    expect(idsOf(stored?.body ?? '{"data":[]}').map((m) => m.id)).toEqual([
      'anthropic/claude-opus-5-5',
      'anthropic/claude-sonnet-4-5-20250929',
      'gpt-4o',
      'gpt-4o-audio-preview',
      'gpt-4o-mini',
    ]);
    expect((await readStatus(env.MODELS_KV))?.providers).toEqual([
      { id: 'openai', ok: true, stale: false, modelCount: 3, latencyMs: expect.any(Number), error: null, fetchedAt: clock, checkedAt: clock, skipped: 0 },
      { id: 'anthropic', ok: true, stale: false, modelCount: 2, latencyMs: expect.any(Number), error: null, fetchedAt: clock, checkedAt: clock, skipped: 0 },
    ]);
  });

  it("keeps a failed provider's last good models, marked stale with the time of its last success", async () => {
    await refresh(deps, 'cron');
    upstreams.anthropic.failing = true;
    upstreams.openai.models = 4;

    at(2 * MINUTE_MS);
    await refresh(deps, 'cron');
    at(4 * MINUTE_MS);
    const outcome = await refresh(deps, 'cron');

    expect(await outcome.landed).toBe(true);
    const models = idsOf(outcome.list?.body ?? '{"data":[]}');
    expect(models.filter((m) => m.provider === 'anthropic')).toHaveLength(2);
    expect(models.filter((m) => m.provider === 'openai')).toHaveLength(4);
    const anthropic = (await readStatus(env.MODELS_KV))?.providers.find((p) => p.id === 'anthropic');
    expect(anthropic).toMatchObject({ ok: false, stale: true, modelCount: 2, fetchedAt: clock, checkedAt: clock + 4 * MINUTE_MS });
    expect(anthropic?.error).toMatch(/^\[anthropic\] GET https:\/\/api\.anthropic\.test\/v1\/models: 500/);
  });

  it("drops a failed provider's models once they are older than fresh + stale", async () => {
    await refresh(deps, 'cron');
    upstreams.anthropic.failing = true;

    at(KEEP_MS - 1000);
    expect(idsOf((await refresh(deps, 'cron')).list?.body ?? '')).toHaveLength(5);
    at(KEEP_MS + 1000);
    const outcome = await refresh(deps, 'cron');

    expect(idsOf(outcome.list?.body ?? '').map((m) => m.provider)).toEqual(['openai', 'openai', 'openai']);
    expect(outcome.status.providers.find((p) => p.id === 'anthropic')).toMatchObject({ ok: false, stale: false, modelCount: 0, fetchedAt: null });
  });

  it('writes nothing over a good list when every provider fails, and records why', async () => {
    const good = await refresh(deps, 'cron');
    upstreams.openai.failing = true;
    upstreams.anthropic.failing = true;

    at(10 * MINUTE_MS);
    const outcome = await refresh(deps, 'cron');

    expect(await outcome.landed).toBe(false);
    expect(outcome.list?.meta.etag).toBe(good.list?.meta.etag);
    // As built, plus the generation it was written under (no purge heard of: 0).
    expect((await readList(env.MODELS_KV))?.meta).toEqual({ ...good.list?.meta, generation: 0 });
    const status = await readStatus(env.MODELS_KV);
    expect(status?.refreshedAt).toBe(clock + 10 * MINUTE_MS);
    expect(status?.providers.map(({ id, ok, stale, fetchedAt }) => ({ id, ok, stale, fetchedAt }))).toEqual([
      { id: 'openai', ok: false, stale: true, fetchedAt: clock },
      { id: 'anthropic', ok: false, stale: true, fetchedAt: clock },
    ]);
    expect(status?.providers.every((p) => p.error?.includes(': 500'))).toBe(true);
  });

  it('never replaces a good list with an empty one, and says so in the status', async () => {
    const good = await refresh(deps, 'cron');
    upstreams.openai.models = 0;
    upstreams.anthropic.models = 0;

    at(10 * MINUTE_MS);
    const outcome = await refresh(deps, 'cron');

    expect(await outcome.landed).toBe(false);
    expect((await readList(env.MODELS_KV))?.meta.etag).toBe(good.list?.meta.etag);
    expect((await readStatus(env.MODELS_KV))?.error).toMatch(/empty/);
  });

  // Builds and hashes a 30 MB list: seconds on a busy machine.
  it("leaves the largest contributor out when the merged list would pass KV's 25 MiB value limit, and names why", async () => {
    // 60,000 ids of 220 characters: each appears as `id` and `upstream_id`, about 30 MB merged.
    const ids = Array.from({ length: 60_000 }, (_, i) => `${'x'.repeat(214)}${String(i).padStart(6, '0')}`);
    const withHuge = parseConfig({
      MODELS_KV: env.MODELS_KV,
      PROVIDERS: [
        { id: 'openai', type: 'openai', baseUrl: 'https://api.openai.test/v1' },
        { id: 'huge', type: 'openai', models: ids, maxModels: 60_000 },
        { id: 'anthropic', type: 'anthropic', baseUrl: 'https://api.anthropic.test/v1', prefix: 'anthropic/' },
      ],
      CACHE_TTL_SECONDS: FRESH_SECONDS,
      STALE_TTL_SECONDS: STALE_SECONDS,
    });

    const outcome = await refresh({ ...deps, config: withHuge }, 'admin');

    expect(await outcome.landed).toBe(true);
    expect(outcome.status.error).toBeUndefined();
    expect(outcome.status.providers.find((p) => p.id === 'huge')).toMatchObject({
      ok: false,
      modelCount: 0,
      error: expect.stringMatching(/^\[huge\] left out of this version: its models take \d+ bytes of a \d+-byte merged list, over KV's 26214400-byte value limit/),
    });
    const stored = await readList(env.MODELS_KV);
    expect(new Set(idsOf(stored?.body ?? '{"data":[]}').map((m) => m.provider))).toStrictEqual(new Set(['openai', 'anthropic']));
    expect(stored?.meta.modelCount).toBe(5);
  }, 30_000);

  it('treats a 429 from a KV write as a logged non-event', async () => {
    const log = vi.spyOn(console, 'log');
    const outcome = await refresh({ ...deps, kv: rateLimited }, 'miss');

    expect(await outcome.landed).toBe(false);
    expect(outcome.list?.meta.modelCount).toBe(5);
    const events = log.mock.calls.map(([line]) => JSON.parse(String(line)) as { event: string });
    expect(events).toContainEqual(expect.objectContaining({ event: 'kv_write_rate_limited' }));
  });

  it('still answers a read whose KV writes are rate limited', async () => {
    const read = await currentList({ ...deps, kv: rateLimited }, { waitUntil: () => {} });
    expect(read.state).toBe('MISS');
    expect(read.list.meta.modelCount).toBe(5);

    // And through the worker itself (its own PROVIDERS), with the binding rate limited.
    forget();
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request('http://models.test/v1/models'), { ...env, MODELS_KV: rateLimited }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Cache')).toBe('MISS');
  });
});

describe('refresh CPU: the previous list is touched only for providers that failed', () => {
  it('neither reads nor parses the stored list when every provider answered', async () => {
    const previous = await refresh(deps, 'cron');
    const { kv, reads } = countingListReads(env.MODELS_KV);
    upstreams.openai.models = 4;

    at(2 * MINUTE_MS);
    let outcome: Awaited<ReturnType<typeof refresh>> | undefined;
    const parsed = await parsedDuring(async () => {
      outcome = await refresh({ ...deps, kv }, 'cron');
    });

    expect(await outcome?.landed).toBe(true);
    expect(outcome?.list?.meta.modelCount).toBe(6);
    expect(reads()).toBe(0);
    expect(parsed).not.toContain(previous.list?.body);
  });

  it("never parses the stored list when a provider failed: its models are carried over as their stored text", async () => {
    const previous = await refresh(deps, 'cron');
    const body = previous.list?.body ?? '';
    upstreams.anthropic.failing = true;

    at(2 * MINUTE_MS);
    let outcome: Awaited<ReturnType<typeof refresh>> | undefined;
    const parsed = await parsedDuring(async () => {
      outcome = await refresh(deps, 'cron');
    });

    expect(parsed.filter((text) => body.includes(text))).toStrictEqual([]);
    const kept = idsOf(outcome?.list?.body ?? '').filter((m) => m.provider === 'anthropic');
    expect(kept).toStrictEqual(idsOf(body).filter((m) => m.provider === 'anthropic'));
    expect(kept).toHaveLength(2);
    expect((await readStatus(env.MODELS_KV))?.providers.find((p) => p.id === 'anthropic')).toMatchObject({ ok: false, stale: true, modelCount: 2 });
  });

  it('writes a list carrying kept models byte for byte as a fresh fetch of the same models would: the ETag stays', async () => {
    const previous = await refresh(deps, 'cron');
    upstreams.anthropic.failing = true;

    at(2 * MINUTE_MS);
    const outcome = await refresh(deps, 'cron');

    expect(await outcome.landed).toBe(true);
    expect(outcome.list?.body).toBe(previous.list?.body);
    expect(outcome.list?.meta.etag).toBe(previous.list?.meta.etag);
    expect(outcome.list?.body).toBe(JSON.stringify(JSON.parse(outcome.list?.body ?? '')));
  });

  it.each([
    ['one model per line (the previous format), scanned', (data: unknown[]) => `{"object":"list","data":[\n${data.map((m) => JSON.stringify(m)).join(',\n')}\n]}`, false],
    ['indented, parsed whole once', (data: unknown[]) => JSON.stringify({ object: 'list', data }, null, 2), true],
  ])("keeps a failed provider's models from a list stored %s", async (_, format, parsesWhole) => {
    const { list } = await refresh(deps, 'cron');
    if (list === null) throw new Error('no list stored');
    const { data } = JSON.parse(list.body) as { data: unknown[] };
    const stored = format(data);
    await env.MODELS_KV.put(LIST_KEY, stored, { metadata: list.meta });
    upstreams.anthropic.failing = true;

    at(2 * MINUTE_MS);
    let outcome: Awaited<ReturnType<typeof refresh>> | undefined;
    const parsed = await parsedDuring(async () => {
      outcome = await refresh(deps, 'cron');
    });

    expect(idsOf(outcome?.list?.body ?? '').filter((m) => m.provider === 'anthropic')).toHaveLength(2);
    expect(outcome?.list?.body).toBe(list.body);
    expect(parsed.includes(stored)).toBe(parsesWhole);
  });

  it('with somewhere to run in the background, answers before its KV writes land, the list already in memory', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowWrites = withPut(env.MODELS_KV, async (key, value, options) => {
      await gate;
      return env.MODELS_KV.put(key, value, options);
    });
    const pending: Promise<unknown>[] = [];

    const outcome = await refresh({ ...deps, kv: slowWrites, background: { waitUntil: (p) => pending.push(p) } }, 'miss');

    expect(outcome.list?.meta.modelCount).toBe(5);
    expect(recall(Date.now())).toBe(outcome.list);
    expect(await readList(env.MODELS_KV)).toBeNull();
    expect(pending).toHaveLength(1);
    release();
    await Promise.all(pending);
    expect((await readList(env.MODELS_KV))?.meta).toEqual({ ...outcome.list?.meta, generation: 0 });
    expect((await readStatus(env.MODELS_KV))?.refreshedAt).toBe(clock);
  });
});

describe('refreshShared', () => {
  it('gives concurrent callers in one isolate one fan-out and one write per key', async () => {
    const puts: string[] = [];
    const counted = withPut(env.MODELS_KV, (key, value, options) => {
      puts.push(key);
      return env.MODELS_KV.put(key, value, options);
    });
    const shared = { ...deps, kv: counted };

    const calls = [refreshShared(shared, 'miss'), refreshShared(shared, 'stale'), refreshShared(shared, 'admin'), refreshShared(shared, 'cron')];
    const outcomes = await Promise.all(calls);

    expect(new Set(calls).size).toBe(1);
    expect(outcomes.every((o) => o === outcomes[0])).toBe(true);
    expect(upstreams.openai.calls).toBe(1);
    expect(upstreams.anthropic.calls).toBe(1);
    expect(puts.sort()).toEqual(['models:list:v1', 'models:status:v1']);
  });

  it('asks at most six providers at once, each timeout starting when its slot opens', async () => {
    let inFlight = 0;
    let most = 0;
    const slow: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      // Longer than the queued providers' own timeout: they must not have been waiting on the clock.
      await new Promise((resolve) => setTimeout(resolve, 150));
      inFlight--;
      if (init?.signal?.aborted) throw init.signal.reason;
      return Response.json({ object: 'list', data: [{ id: `m-${new URL(String(input)).hostname}`, object: 'model' }] });
    };
    const providers = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, type: 'openai', baseUrl: `https://p${i}.test/v1`, timeoutMs: 200 }));
    const config = parseConfig({ MODELS_KV: env.MODELS_KV, PROVIDERS: providers });

    const outcome = await refresh({ kv: env.MODELS_KV, config, fetcher: slow }, 'admin');

    expect(most).toBe(6);
    expect(outcome.status.providers.map((p) => [p.id, p.ok])).toEqual(providers.map((p) => [p.id, true]));
  });

  it('starts a new fan-out once the shared one has settled', async () => {
    await refreshShared(deps, 'miss');
    await refreshShared(deps, 'miss');
    expect(upstreams.openai.calls).toBe(2);
  });
});
