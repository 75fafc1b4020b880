import { runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getListCopy } from '../../src/cache/edge.ts';
import { LIST_KEY, STATUS_KEY, type ListMeta } from '../../src/cache/kv.ts';
import { adoptGeneration, forget, lastKnown, MEMORY_TTL_MS, noteGeneration, recall, remember } from '../../src/cache/memory.ts';
import { coordinatorOf } from '../../src/coordinator/client.ts';
import type { CoordinatorApi } from '../../src/coordinator/api.ts';
import { loadConfig } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import { forgetKeys, KEYS_KEY } from '../../src/keys/store.ts';
import { refreshCoordinated } from '../../src/refresh/coordinated.ts';
import type { RefreshDeps } from '../../src/refresh/shared.ts';
import { expectApiError } from './support/expect-error.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, type FakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, freshIsolate, providersVar, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
});

async function setup(init = {}) {
  const upstreams = await fakeUpstreams(init);
  const env = workerEnv({ ...providersVar(upstreams.entries()), VIEWS: JSON.stringify({ small: { providers: ['openai'] } }) });
  const deps: RefreshDeps = { kv: env.MODELS_KV, config: loadConfig(env), coordinator: env.COORDINATOR };
  const stub = () => {
    const found = coordinatorOf(env.COORDINATOR);
    if (found === undefined) throw new Error('the test coordinator is not bound');
    return found;
  };
  return { upstreams, env, deps, stub };
}

/** Fan-outs so far: the OpenAI fake answers one page per fan-out (the paged ones answer several). */
const fanOuts = async (upstreams: FakeUpstreams) => (await upstreams.hits()).openai;

const admin = async (env: Env, method: string, path: string, body?: unknown) =>
  call(env, path, { method, headers: { ...bearer(await adminToken()), 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

interface CoordinatorView {
  ok: boolean;
  error: string | null;
  generation?: number;
}
const statusOf = async (env: Env) => ((await (await admin(env, 'GET', '/admin/cache/status')).json()) as { coordinator: CoordinatorView });

/** A binding whose instance never answers: every call rejects, as when the coordinator is overloaded or unreachable. */
function failingCoordinator(): DurableObjectNamespace<CoordinatorApi> {
  const failing = new Proxy({}, { get: () => () => Promise.reject(new Error('Durable Object is overloaded. Requests queued for too long.')) });
  return { getByName: () => failing, get: () => failing } as unknown as DurableObjectNamespace<CoordinatorApi>;
}

describe('refreshes through the coordinator', () => {
  it('fans out once for ten isolates asking at once: one leads, the others join and get its list', async () => {
    const { upstreams, deps, stub } = await setup({ delayMs: { openai: 100 } });
    // Each call is a different isolate's ask: no isolate-local sharing, only the coordinator's.
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => refreshCoordinated(stub(), deps, 'miss')));
    expect(await fanOuts(upstreams)).toBe(1);
    const etags = new Set(outcomes.map((o) => o.list?.meta.etag));
    expect(etags.size).toBe(1);
    expect(await Promise.all(outcomes.map((o) => o.landed))).toEqual(Array(10).fill(true));
    const { metadata } = await deps.kv.getWithMetadata<ListMeta>(LIST_KEY);
    expect(metadata?.etag).toBe([...etags][0]);
  });

  it('never writes a refresh that a purge overtook: not in KV, not in memory, and the next read fans out again', async () => {
    const { upstreams, env, deps, stub } = await setup({ delayMs: { openai: 300 } });
    const slow = refreshCoordinated(stub(), deps, 'admin');
    await new Promise((resolve) => setTimeout(resolve, 50));
    freshIsolate(); // the purge arrives through another isolate: this one's own counter never moves
    expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    const outcome = await slow;
    expect(await outcome.landed).toBe(false);
    expect(outcome.current()).toBe(false);
    expect(await env.MODELS_KV.get(LIST_KEY)).toBeNull();
    expect(await env.MODELS_KV.get(STATUS_KEY)).toBeNull();
    expect(recall(Date.now())).toBeUndefined();

    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    expect(await fanOuts(upstreams)).toBe(2);
    const { metadata } = await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY);
    expect(metadata?.generation).toBe(1);
    expect((await statusOf(env)).coordinator).toMatchObject({ ok: true, error: null, generation: 1 });
  });

  it('never serves a list from before a purge this isolate knows of, though KV here still shows it (as KV elsewhere may, for a minute)', async () => {
    const { upstreams, env } = await setup();
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    const before = await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY, 'text');
    expect(before.metadata?.generation).toBe(0);
    expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    // A KV replica that has not seen the purge yet: the purged list, as it was.
    await env.MODELS_KV.put(LIST_KEY, before.value ?? '', { metadata: before.metadata });
    const read = await call(env, '/v1/models');
    expect(read.headers.get('X-Cache')).toBe('MISS');
    expect(await fanOuts(upstreams)).toBe(2);
    expect((await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY)).metadata?.generation).toBe(1);
    // An isolate that has heard of no purge cannot tell, and serves what KV shows: the documented bound.
    freshIsolate();
    await env.MODELS_KV.put(LIST_KEY, before.value ?? '', { metadata: before.metadata });
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('HIT');
  });

  it('learns of a purge made elsewhere from the coordinator’s answer to a refresh, and then refuses the purged list KV still shows', async () => {
    const { upstreams, env, deps, stub } = await setup();
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    const before = await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY, 'text');
    freshIsolate();
    expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    freshIsolate(); // this isolate never saw the purge
    await refreshCoordinated(stub(), deps, 'cron'); // …but the coordinator's answer names its generation
    forget(); // its new list has left memory
    await env.MODELS_KV.put(LIST_KEY, before.value ?? '', { metadata: before.metadata });
    // A miss, not a HIT on the purged list: it gets the cron's list from the coordinator, no new fan-out.
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    expect(await fanOuts(upstreams)).toBe(2);
  });

  it('serves on the newer list it holds while KV here still shows the purged one, without a new fan-out', async () => {
    const { upstreams, env } = await setup();
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    const before = await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY, 'text');
    expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    await upstreams.update({ models: { openai: 2 } }); // the refill is another list: its ETag tells them apart
    const refilled = await call(env, '/v1/models');
    expect(refilled.headers.get('X-Cache')).toBe('MISS');
    expect(refilled.headers.get('ETag')).not.toBe(before.metadata?.etag);
    await env.MODELS_KV.put(LIST_KEY, before.value ?? '', { metadata: before.metadata });
    // Its memory copy has aged past MEMORY_TTL_MS: the next read asks KV.
    const held = lastKnown(Date.now());
    if (held === undefined) throw new Error('the refilled list is not held');
    remember(held, Date.now() - MEMORY_TTL_MS - 1);
    const read = await call(env, '/v1/models');
    expect(read.headers.get('X-Cache')).toBe('HIT');
    expect(read.headers.get('ETag')).toBe(refilled.headers.get('ETag'));
    expect(await fanOuts(upstreams)).toBe(2);
  });

  it('never answers from memory a list a purge it has heard of removed', () => {
    const list = { body: '{"object":"list","data":[]}', meta: { fetchedAt: 0, freshUntil: Date.now() + 60_000, expiresAt: Date.now() + 120_000, etag: '"e"', modelCount: 0, generation: 0 } };
    remember(list, Date.now());
    expect(recall(Date.now())).toBe(list);
    adoptGeneration(1);
    expect(recall(Date.now())).toBeUndefined();
    expect(lastKnown(Date.now())).toBeUndefined();
    // The coordinator's word stands even when lower (its storage was reset): the list is current again.
    adoptGeneration(0);
    expect(recall(Date.now())).toBe(list);
  });

  it('stores nothing from a refresh without the coordinator that hears of a purge while it fans out', async () => {
    const { env } = await setup({ delayMs: { openai: 200 } });
    const isolated = { ...env, COORDINATOR: failingCoordinator() };
    const fill = call(isolated, '/v1/models');
    await new Promise((resolve) => setTimeout(resolve, 50));
    noteGeneration(4); // e.g. read on a list another isolate wrote after a purge
    expect((await fill).status).toBe(200);
    expect(await env.MODELS_KV.get(LIST_KEY)).toBeNull();
    expect(recall(Date.now())).toBeUndefined();
    expect(await getListCopy(Date.now())).toBeNull();
  });

  it('gives a list written without the coordinator the newest purge generation this isolate has heard of', async () => {
    const { env } = await setup();
    expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    const read = await call({ ...env, COORDINATOR: failingCoordinator() }, '/v1/models');
    expect(read.headers.get('X-Cache')).toBe('MISS');
    await vi.waitFor(async () => expect((await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY)).metadata?.generation).toBe(2), { timeout: 3_000, interval: 50 });
  });

  it('holds every isolate’s misses back for the pause after a failure, even one that cannot read the status from KV', async () => {
    const { upstreams, env } = await setup({ faults: { openai: 'error-500', anthropic: 'error-500', gemini: 'error-500', ollama: 'error-500' } });
    await expectApiError(await call(env, '/v1/models'), 502, 'upstreams_unavailable');
    expect(await fanOuts(upstreams)).toBe(1);
    // Another data centre: a new isolate whose KV has not seen the failed status yet.
    freshIsolate();
    await env.MODELS_KV.delete(STATUS_KEY);
    const held = await call(env, '/v1/models');
    await expectApiError(held, 502, 'upstreams_unavailable');
    expect(Number(held.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(await fanOuts(upstreams)).toBe(1);
    // The admin refresh is not held back.
    await admin(env, 'POST', '/admin/cache/refresh');
    expect(await fanOuts(upstreams)).toBe(2);
  });

  it('answers a later miss elsewhere with the list it wrote (KV may not show it there yet), while the cron and the admin refresh fan out again', async () => {
    const { upstreams, deps, stub } = await setup();
    const first = await refreshCoordinated(stub(), deps, 'miss');
    expect(await first.landed).toBe(true);
    const later = await refreshCoordinated(stub(), deps, 'miss');
    expect(later.list?.meta.etag).toBe(first.list?.meta.etag);
    expect(await fanOuts(upstreams)).toBe(1);
    await refreshCoordinated(stub(), deps, 'cron');
    expect(await fanOuts(upstreams)).toBe(2);
  });

  it('lets another isolate lead when the lead vanishes without finishing', async () => {
    const { upstreams, deps, stub } = await setup();
    const vanished = await stub().begin('miss', 50, deps.config.fingerprint);
    expect(vanished.kind).toBe('lead');
    const outcome = await refreshCoordinated(stub(), deps, 'miss');
    expect(outcome.list?.meta.modelCount).toBeGreaterThan(0);
    expect(await outcome.landed).toBe(true);
    expect(await fanOuts(upstreams)).toBe(1);
  });
});

describe('the hit path', () => {
  it('never asks the coordinator: hits from memory and from KV, and key checks, make no call', async () => {
    const { env } = await setup();
    const calls: string[] = [];
    const real = env.COORDINATOR;
    if (real === undefined) throw new Error('the test coordinator is not bound');
    // Every way to the coordinator starts with getByName('global'): counting it counts every ask.
    const counting = {
      getByName: (name: string) => {
        calls.push(name);
        return real.getByName(name);
      },
    } as unknown as DurableObjectNamespace<CoordinatorApi>;
    const watched = { ...env, COORDINATOR: counting };
    const made = await admin(watched, 'POST', '/admin/keys', { name: 'reader' });
    expect(made.status).toBe(201);
    const created = (await made.json()) as { key: string };
    expect((await call(watched, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    expect(calls.length).toBeGreaterThanOrEqual(2); // the key change and the miss did ask
    calls.length = 0;
    for (let i = 0; i < 10; i++) expect((await call(watched, '/v1/models', { headers: bearer(created.key) })).headers.get('X-Cache')).toBe('HIT');
    freshIsolate(); // memory gone: the next hits read KV
    for (let i = 0; i < 10; i++) expect((await call(watched, '/v1/models', { headers: bearer(created.key) })).headers.get('X-Cache')).toBe('HIT');
    expect(calls).toEqual([]);
  });
});

describe('client keys in the coordinator', () => {
  it('keeps exactly 10 of 20 keys created at once after 10 are revoked at once, in the coordinator and in KV, and no revoked key works', async () => {
    const { env } = await setup();
    const created = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await admin(env, 'POST', '/admin/keys', { name: `client-${i}` });
        expect(response.status).toBe(201);
        return (await response.json()) as { id: string; key: string };
      }),
    );
    const revoked = created.slice(0, 10);
    const kept = created.slice(10);
    const answers = await Promise.all(revoked.map(({ id }) => admin(env, 'DELETE', `/admin/keys/${id}`)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));

    const listed = ((await (await admin(env, 'GET', '/admin/keys')).json()) as { data: { id: string }[] }).data.map((k) => k.id).sort();
    expect(listed).toEqual(kept.map((k) => k.id).sort());
    const mirrored = JSON.parse((await env.MODELS_KV.get(KEYS_KEY)) ?? '{"keys":[]}') as { keys: { id: string }[] };
    expect(mirrored.keys.map((k) => k.id).sort()).toEqual(listed);

    forgetKeys(); // a new isolate reads KV's mirror
    for (const { key } of revoked) await expectApiError(await call(env, '/v1/models', { headers: bearer(key) }), 401, 'invalid_api_key');
    for (const { key } of kept) expect((await call(env, '/v1/models', { headers: bearer(key) })).status).toBe(200);
  });

  it('refuses a second key of one name asked for at once: one 201, one 409', async () => {
    const { env } = await setup();
    const statuses = await Promise.all([0, 1].map(async () => (await admin(env, 'POST', '/admin/keys', { name: 'twin' })).status));
    expect(statuses.sort()).toEqual([201, 409]);
  });

  it('deletes a key at its expiry (the alarm), in SQLite and in KV’s mirror', async () => {
    const { env, stub } = await setup();
    const expiry = Date.now() + 2_500;
    const soon = new Date(expiry).toISOString();
    expect((await admin(env, 'POST', '/admin/keys', { name: 'brief', expiresAt: soon })).status).toBe(201);
    expect((await admin(env, 'POST', '/admin/keys', { name: 'lasting' })).status).toBe(201);
    const mirroredNames = async () => (JSON.parse((await env.MODELS_KV.get(KEYS_KEY)) ?? '{"keys":[]}') as { keys: { name: string }[] }).keys.map((k) => k.name);
    expect(await mirroredNames()).toEqual(['brief', 'lasting']);
    await new Promise((resolve) => setTimeout(resolve, expiry - Date.now() + 100));
    // The runtime fires the alarm at the expiry; run it now in case it has not yet.
    const raw = env.COORDINATOR?.getByName('global');
    if (raw === undefined) throw new Error('the test coordinator is not bound');
    await runDurableObjectAlarm(raw as unknown as DurableObjectStub);
    await vi.waitFor(async () => expect(await mirroredNames()).toEqual(['lasting']), { timeout: 3_000, interval: 100 });
    expect((await stub().listKeys()).keys.map((k) => k.name)).toEqual(['lasting']);
  });

  it('takes over the keys KV held before the coordinator existed', async () => {
    const { env } = await setup();
    const record = { id: 'AAAAAAAAAAAA', hash: '0'.repeat(64), name: 'older', view: null, createdAt: 1, createdBy: null, expiresAt: null };
    await env.MODELS_KV.put(KEYS_KEY, JSON.stringify({ keys: [record] }), { metadata: { version: 'before' } });
    const listed = (await (await admin(env, 'GET', '/admin/keys')).json()) as { data: { id: string; name: string }[] };
    expect(listed.data.map((k) => k.name)).toEqual(['older']);
    expect((await admin(env, 'DELETE', '/admin/keys/AAAAAAAAAAAA')).status).toBe(200);
    expect(JSON.parse((await env.MODELS_KV.get(KEYS_KEY)) ?? '') as unknown).toEqual({ keys: [] });
  });
});

describe('a coordinator that fails', () => {
  it('leaves reads answering (the isolate refreshes on its own), says so in the status, and answers key changes 503', async () => {
    const upstreams = await fakeUpstreams();
    const env = workerEnv({ ...providersVar(upstreams.entries()), COORDINATOR: failingCoordinator() });
    const read = await call(env, '/v1/models');
    expect(read.status).toBe(200);
    expect(read.headers.get('X-Cache')).toBe('MISS');
    expect(await fanOuts(upstreams)).toBe(1);
    const { coordinator } = await statusOf(env);
    expect(coordinator.ok).toBe(false);
    expect(coordinator.error).toContain('overloaded');
    await expectApiError(await admin(env, 'POST', '/admin/keys', { name: 'new' }), 503, 'coordinator_unavailable');
    expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    expect(await env.MODELS_KV.get(LIST_KEY)).toBeNull();
  });

  it('says `not bound` in the status when the binding is missing', async () => {
    const env = workerEnv({ COORDINATOR: undefined });
    const { coordinator } = await statusOf(env);
    expect(coordinator).toMatchObject({ ok: false });
    expect(coordinator.error).toMatch(/^not bound/);
  });
});
