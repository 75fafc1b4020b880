/**
 * Freshness of the read path (src/serve/read.ts) inside workerd, on a frozen clock: the runtime's KV,
 * the real refresh, and one OpenAI-compatible upstream reached through the injected fetcher.
 * `vi.useFakeTimers({ toFake: ['Date'] })` does control `Date.now()` here; KV and fetch stay real I/O.
 */
import { env } from 'cloudflare:workers';
import { HTTPException } from 'hono/http-exception';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoEntries } from '../../fake-providers/demo-data.ts';
import { deleteAll, LIST_KEY, STATUS_KEY, writeStatus } from '../../src/cache/kv.ts';
import { readList } from './support/kv.ts';
import { forget, MEMORY_TTL_MS } from '../../src/cache/memory.ts';
import { edgeDelete, edgeGet, LIST_COPY } from '../../src/cache/edge.ts';
import { currentList, forgetList, type CurrentList } from '../../src/serve/read.ts';
import type { ProviderStatus } from '../../src/cache/status.ts';
import { parseConfig } from '../../src/config.ts';
import { refreshShared, FAILURE_PAUSE_MS, type Background, type RefreshDeps } from '../../src/refresh/shared.ts';

const FRESH_SECONDS = 60;
const STALE_SECONDS = 600;
const DAY_MS = 86_400_000;

/** An OpenAI `/v1/models` upstream whose answer can be changed, failed, or held until released. */
function openAiUpstream() {
  let held: Promise<void> | undefined;
  let release = () => {};
  const upstream = {
    calls: 0,
    models: 2,
    failing: false,
    hold: () => void (held = new Promise((resolve) => (release = resolve))),
    release: () => release(),
  };
  const fetcher = async (): Promise<Response> => {
    upstream.calls++;
    await held;
    if (upstream.failing) return Response.json({ error: { message: 'internal error', code: 500 } }, { status: 500 });
    return Response.json({ object: 'list', data: demoEntries('openai', upstream.models) });
  };
  return { upstream, fetcher };
}

/** Collects what a read hands to `waitUntil`, so a test can see and await the revalidation. */
function background(): Background & { pending: Promise<unknown>[] } {
  const pending: Promise<unknown>[] = [];
  return {
    pending,
    waitUntil: (promise) => {
      pending.push(promise);
      pendingWork.push(promise);
    },
  };
}

/**
 * A read and whatever it left behind its answer (a fill's KV writes and copy), finished as the
 * runtime's `waitUntil` finishes them.
 */
async function settled(read: Promise<CurrentList>): Promise<CurrentList> {
  const result = await read;
  await Promise.all(pendingWork.splice(0));
  return result;
}
const pendingWork: Promise<unknown>[] = [];

/** The runtime's KV whose writes wait until `release()`, each key noted as it lands. */
function heldPuts(): { kv: KVNamespace; puts: string[]; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const puts: string[] = [];
  const kv = new Proxy(env.MODELS_KV, {
    get(target, name) {
      if (name === 'put') {
        return async (...args: Parameters<KVNamespace['put']>) => {
          await gate;
          puts.push(args[0]);
          return target.put(...args);
        };
      }
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { kv, puts, release };
}

const failedProvider = (id: string, at: number): ProviderStatus => ({
  id,
  ok: false,
  stale: true,
  modelCount: 2,
  latencyMs: 3,
  error: `[${id}] GET https://openai.test/v1/models: 500 Internal Server Error`,
  fetchedAt: null,
  checkedAt: at,
});

const ids = (body: string) => (JSON.parse(body) as { data: { id: string }[] }).data.map((m) => m.id);

let clock = Date.UTC(2030, 0, 1);
let upstream: ReturnType<typeof openAiUpstream>['upstream'];
let deps: RefreshDeps;

beforeEach(async () => {
  // Each test starts a day after the previous one, so the isolate-wide refresh bookkeeping (the
  // time of the last failed refresh) never reaches into the next test.
  clock += DAY_MS;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock);
  forget();
  await deleteAll(env.MODELS_KV);
  const fake = openAiUpstream();
  upstream = fake.upstream;
  const config = parseConfig({
    MODELS_KV: env.MODELS_KV,
    PROVIDERS: [{ id: 'openai', type: 'openai', baseUrl: 'https://openai.test/v1' }],
    CACHE_TTL_SECONDS: FRESH_SECONDS,
    STALE_TTL_SECONDS: STALE_SECONDS,
  });
  deps = { kv: env.MODELS_KV, config, fetcher: fake.fetcher };
});

afterEach(() => {
  // A held request left behind by a failed test would stall every later refresh in this isolate.
  upstream.release();
  vi.useRealTimers();
});

describe('reading the model list', () => {
  it('fetches on an empty cache (MISS), then answers from the cache (HIT) until freshUntil', async () => {
    const first = await settled(currentList(deps, background()));
    expect(first.state).toBe('MISS');
    expect(ids(first.list.body)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(first.list.meta).toMatchObject({ fetchedAt: clock, freshUntil: clock + FRESH_SECONDS * 1000 });

    vi.setSystemTime(first.list.meta.freshUntil - 1);
    forget(); // from KV this time, not this isolate's memory
    const ctx = background();
    const later = await currentList(deps, ctx);
    expect(later.state).toBe('HIT');
    expect(later.list.meta.etag).toBe(first.list.meta.etag);
    expect(upstream.calls).toBe(1);
    expect(ctx.pending).toEqual([]);
  });

  it('answers with the stale copy at once between freshUntil and expiresAt and revalidates behind it', async () => {
    const { list: old } = await settled(currentList(deps, background()));
    upstream.models = 3;
    upstream.hold();

    vi.setSystemTime(old.meta.freshUntil);
    const ctx = background();
    // Resolves while the upstream is still holding the revalidation's request.
    const stale = await currentList(deps, ctx);
    expect(stale.state).toBe('STALE');
    expect(stale.list.meta.etag).toBe(old.meta.etag);
    expect(ctx.pending).toHaveLength(1);
    // The revalidation reaches the upstream, which is still holding it.
    await vi.waitFor(() => expect(upstream.calls).toBe(2));

    upstream.release();
    await Promise.all(ctx.pending);
    const next = await settled(currentList(deps, background()));
    expect(next.state).toBe('HIT');
    expect(ids(next.list.body)).toEqual(['gpt-4o', 'gpt-4o-audio-preview', 'gpt-4o-mini']);
    expect(upstream.calls).toBe(2);
  });

  it('keeps serving the stale copy while every upstream fails, retrying at most every FAILURE_PAUSE_MS', async () => {
    const { list: old } = await settled(currentList(deps, background()));
    upstream.failing = true;

    vi.setSystemTime(old.meta.freshUntil + 1000);
    const ctx = background();
    expect((await currentList(deps, ctx)).state).toBe('STALE');
    await Promise.all(ctx.pending);
    expect(upstream.calls).toBe(2);

    vi.setSystemTime(old.meta.freshUntil + 1000 + FAILURE_PAUSE_MS - 1);
    const soon = background();
    const again = await currentList(deps, soon);
    expect(again).toMatchObject({ state: 'STALE', list: { meta: { etag: old.meta.etag } } });
    expect(soon.pending).toEqual([]);

    vi.setSystemTime(old.meta.freshUntil + 1000 + FAILURE_PAUSE_MS);
    const retry = background();
    expect((await currentList(deps, retry)).state).toBe('STALE');
    await Promise.all(retry.pending);
    expect(upstream.calls).toBe(3);
  });

  it('does not revalidate while the stored status shows a refresh that failed elsewhere within FAILURE_PAUSE_MS', async () => {
    const { list: old } = await settled(currentList(deps, background()));
    vi.setSystemTime(old.meta.freshUntil + 1000);
    // Another isolate's refresh failed a second ago; its status is what KV now holds.
    const failedAt = Date.now() - 1000;
    await writeStatus(env.MODELS_KV, { refreshedAt: failedAt, providers: [failedProvider('openai', failedAt)], clashes: [] }, 600);

    const ctx = background();
    expect((await currentList(deps, ctx)).state).toBe('STALE');
    await Promise.all(ctx.pending);
    expect(upstream.calls).toBe(1);

    vi.setSystemTime(failedAt + FAILURE_PAUSE_MS);
    const retry = background();
    await currentList(deps, retry);
    await Promise.all(retry.pending);
    expect(upstream.calls).toBe(2);
  });

  it('reads the list and the status in one KV request when it knows no list, before a miss fans out; the list alone once it knows one', async () => {
    const { kv, calls } = countingReads(env.MODELS_KV);
    // How many KV reads had been made when the first upstream call went out.
    let readsBeforeFanOut: number | undefined;
    const fetcher: typeof fetch = (...args) => {
      readsBeforeFanOut ??= calls.length;
      return (deps.fetcher ?? fetch)(...args);
    };
    const read = await settled(currentList({ ...deps, kv, fetcher }, background()));
    expect(read.state).toBe('MISS');
    expect(calls).toEqual([{ method: 'getWithMetadata', keys: [LIST_KEY, STATUS_KEY] }]);
    expect(readsBeforeFanOut).toBe(1);
    expect(upstream.calls).toBe(1);

    // A list that only aged out of this isolate's memory is read alone: KV bills every key read.
    calls.length = 0;
    vi.setSystemTime(clock + MEMORY_TTL_MS);
    expect((await currentList({ ...deps, kv }, background())).state).toBe('HIT');
    expect(calls).toEqual([{ method: 'getWithMetadata', keys: LIST_KEY }]);
    expect(upstream.calls).toBe(1);
  });

  it('reads the status after the list when a list it knew is gone from KV, and does not fan out while it shows a fill that failed elsewhere', async () => {
    const { list } = await settled(currentList(deps, background()));
    // Another isolate purged, then its fill failed a second ago: KV holds that status and no list.
    await deleteAll(env.MODELS_KV);
    vi.setSystemTime(list.meta.fetchedAt + MEMORY_TTL_MS);
    const failedAt = Date.now() - 1000;
    await writeStatus(env.MODELS_KV, { refreshedAt: failedAt, providers: [failedProvider('openai', failedAt)], clashes: [] }, 600);
    const { kv, calls } = countingReads(env.MODELS_KV);

    await unavailable(currentList({ ...deps, kv }, background()));
    expect(calls).toEqual([
      { method: 'getWithMetadata', keys: LIST_KEY },
      { method: 'get', keys: STATUS_KEY },
    ]);
    expect(upstream.calls).toBe(1);
  });

  it('reads the list alone while a failed fill in this isolate holds misses back: the status cannot change the answer', async () => {
    upstream.failing = true;
    await unavailable(currentList(deps, background()));
    const { kv, calls } = countingReads(env.MODELS_KV);
    await unavailable(currentList({ ...deps, kv }, background()));
    expect(calls).toEqual([{ method: 'getWithMetadata', keys: LIST_KEY }]);
    expect(upstream.calls).toBe(1);
  });

  it('reads the list and the status apart when KV refuses the bulk read (their values pass its 25 MB bulk limit together)', async () => {
    const { list } = await settled(currentList(deps, background()));
    forget();
    const refusing = new Proxy(env.MODELS_KV, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          property === 'getWithMetadata' && Array.isArray(args[0])
            ? Promise.reject(new Error('KV GET_BULK failed: 413 Total size of request exceeds the limit of 25MB'))
            : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
    const read = await currentList({ ...deps, kv: refusing }, background());
    expect(read).toMatchObject({ state: 'HIT', store: 'ok' });
    expect(read.list.meta.etag).toBe(list.meta.etag);
    expect(upstream.calls).toBe(1);
  });

  it('shares one KV read among the requests that arrive while it runs', async () => {
    await settled(currentList(deps, background()));
    forget();
    let reads = 0;
    const kv = new Proxy(env.MODELS_KV, {
      get(target, property) {
        if (property === 'getWithMetadata') reads++;
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const answers = await Promise.all(Array.from({ length: 10 }, () => currentList({ ...deps, kv }, background())));
    expect(answers.every((a) => a.state === 'HIT')).toBe(true);
    expect(reads).toBe(1);
  });

  it('revalidates a stale list at once when a refresh has succeeded since the last failure', async () => {
    // Freshness shorter than FAILURE_PAUSE_MS, so a list can turn stale again within the retry pause.
    const short = { ...deps, config: { ...deps.config, cacheTtlSeconds: 5 } };
    const { list } = await settled(currentList(short, background()));
    upstream.failing = true;
    vi.setSystemTime(list.meta.freshUntil);
    const failed = background();
    await currentList(short, failed);
    await Promise.all(failed.pending);
    upstream.failing = false;
    await refreshShared(short, 'admin');

    vi.setSystemTime(list.meta.freshUntil + 5000);
    const ctx = background();
    expect((await currentList(short, ctx)).state).toBe('STALE');
    expect(ctx.pending).toHaveLength(1);
    // Finished here, so the next test does not join it.
    await Promise.all(ctx.pending);
  });

  it('makes the client wait for a refresh once the list is past expiresAt (MISS)', async () => {
    const { list: old } = await settled(currentList(deps, background()));
    upstream.models = 3;

    vi.setSystemTime(old.meta.expiresAt);
    const ctx = background();
    const read = await currentList(deps, ctx);
    expect(read.state).toBe('MISS');
    expect(ids(read.list.body)).toHaveLength(3);
    // Behind the answer: the fill's own KV writes, and no second fan-out.
    await Promise.all(ctx.pending);
    expect(upstream.calls).toBe(2);
    expect((await readList(env.MODELS_KV))?.meta.etag).toBe(read.list.meta.etag);
  });

  it('answers a MISS before its KV writes land: the list is in memory first, KV follows behind the answer', async () => {
    const { kv, puts, release } = heldPuts();
    const ctx = background();

    const read = await currentList({ ...deps, kv }, ctx);

    expect(read.state).toBe('MISS');
    expect(await readList(env.MODELS_KV)).toBeNull();
    expect((await currentList({ ...deps, kv }, background())).state).toBe('HIT');
    release();
    await Promise.all(ctx.pending);
    expect(puts.sort()).toEqual([LIST_KEY, 'models:status:v1']);
    expect((await readList(env.MODELS_KV))?.meta.etag).toBe(read.list.meta.etag);
  });

  it('never undoes a purge made right after a MISS: the writes left behind its answer store nothing', async () => {
    await edgeDelete(LIST_COPY);
    const ctx = background();
    const read = await currentList(deps, ctx);
    expect(read.state).toBe('MISS');

    // The admin purge's order: this isolate forgets (and notes the purge), then KV and the copy go.
    forgetList();
    await deleteAll(env.MODELS_KV);
    await edgeDelete(LIST_COPY);
    await Promise.all(ctx.pending);

    expect(await readList(env.MODELS_KV)).toBeNull();
    expect(await edgeGet(LIST_COPY)).toBeNull();
    const after = await settled(currentList(deps, background()));
    expect(after.state).toBe('MISS');
    expect(upstream.calls).toBe(2);
  });

  it('makes a caller with nowhere to run work after its answer wait for the writes of a miss it joins', async () => {
    const { kv, release } = heldPuts();
    const ctx = background();
    upstream.hold();
    const miss = currentList({ ...deps, kv }, ctx);
    // Joined while the miss's fan-out is under way.
    await vi.waitFor(() => expect(upstream.calls).toBe(1));
    const admin = refreshShared({ ...deps, kv }, 'admin');
    let adminDone = false;
    void admin.then(() => (adminDone = true));
    upstream.release();

    expect((await miss).state).toBe('MISS');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(adminDone).toBe(false);
    release();
    expect(await (await admin).landed).toBe(true);
    expect((await readList(env.MODELS_KV))?.meta.etag).toBe((await miss).list.meta.etag);
    await Promise.all(ctx.pending);
    expect(upstream.calls).toBe(1);
  });

  it('answers 502 upstreams_unavailable once the list is past expiresAt and every upstream fails', async () => {
    const { list: old } = await settled(currentList(deps, background()));
    upstream.failing = true;

    // KV still holds the value here (its own TTL runs on the real clock and has a 60 s floor):
    // the list's expiresAt, not KV's, decides.
    vi.setSystemTime(old.meta.expiresAt);
    expect(await env.MODELS_KV.get(LIST_KEY)).not.toBeNull();
    const error = await unavailable(currentList(deps, background()));
    expect(error.message).toContain('1 of 1 providers failed');
  });

  it('answers 502 upstreams_unavailable, counting the failures but naming no URL, on an empty cache with every upstream failing', async () => {
    upstream.failing = true;
    const error = await unavailable(currentList(deps, background()));
    expect(error.message).toBe(
      'No model list can be served: nothing is cached and 1 of 1 providers failed. Admins see why in GET /admin/cache/status.',
    );
  });

  it('sees a purge made by another isolate once MEMORY_TTL_MS has passed, not before', async () => {
    const { list } = await settled(currentList(deps, background()));
    // Another isolate purges: KV changes, this isolate's memory does not.
    await deleteAll(env.MODELS_KV);
    upstream.models = 3;

    vi.setSystemTime(clock + MEMORY_TTL_MS - 1);
    expect(await settled(currentList(deps, background()))).toMatchObject({ state: 'HIT', list: { meta: { etag: list.meta.etag } } });

    vi.setSystemTime(clock + MEMORY_TTL_MS);
    const after = await settled(currentList(deps, background()));
    expect(after.state).toBe('MISS');
    expect(ids(after.list.body)).toHaveLength(3);
  });
});

/** The runtime's KV, recording each read's method and key(s). */
function countingReads(kv: KVNamespace): { kv: KVNamespace; calls: { method: string; keys: unknown }[] } {
  const calls: { method: string; keys: unknown }[] = [];
  const counting = new Proxy(kv, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'get' || property === 'getWithMetadata') calls.push({ method: property, keys: args[0] });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv: counting, calls };
}

/** The OpenAI-shaped 502 a read rejects with when nothing can be served. */
async function unavailable(read: Promise<unknown>): Promise<{ message: string }> {
  const error = await read.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HTTPException);
  const response = (error as HTTPException).getResponse();
  expect(response.status).toBe(502);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('upstreams_unavailable');
  return body.error;
}
