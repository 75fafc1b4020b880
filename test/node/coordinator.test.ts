/**
 * Two isolates, one coordinator: two copies of the worker (test/node/support/two-isolates.ts) sharing
 * one KV namespace and one coordinator, over loopback fakes. Misses anywhere share one fan-out, a purge
 * fences a refresh begun before it wherever it runs, key changes through both lose nothing, and with
 * the coordinator failing, or never answering (real RPC calls that never return), both still answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { providerEntries, startUpstreams, type RunningUpstreams } from '../../fake-providers/upstreams.ts';
import { adminToken } from './support/admin-token.ts';
import { startTwoIsolates, WORKERS, type TwoIsolates, type WorkerName } from './support/two-isolates.ts';

const ADMIN_SECRET = 'coordinator-admin-secret-that-is-at-least-32-bytes';
const CLIENT_KEY_SECRET = 'coordinator-client-key-secret-at-least-32-bytes';
/** How long an isolate answers from memory (src/cache/memory.ts, src/keys/store.ts) before it reads KV again. */
const MEMORY_TTL_MS = 5_000;
const LIST_KEY = 'models:list:v1';

let upstreams: RunningUpstreams;
let auth: Record<string, string>;

beforeAll(async () => {
  upstreams = await startUpstreams();
  auth = { Authorization: `Bearer ${await adminToken(ADMIN_SECRET)}`, 'Content-Type': 'application/json' };
});
afterAll(async () => {
  await upstreams?.close();
});
afterEach(() => {
  Object.assign(upstreams.state, { faults: {}, delayMs: {} });
});

const vars = () => ({
  PROVIDERS: JSON.stringify(providerEntries(upstreams.origin, { timeoutMs: 10_000 })),
  ADMIN_JWT_SECRET: ADMIN_SECRET,
  CLIENT_KEY_SECRET,
});
/** The OpenAI fake answers one page per fan-out. */
const fanOuts = () => upstreams.state.hits.openai;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Spread over both workers: even on `edge-a`, odd on `edge-b`. */
const either = (i: number): WorkerName => WORKERS[i % 2] as WorkerName;

describe('two isolates sharing one coordinator and one KV', () => {
  let two: TwoIsolates;
  beforeAll(async () => {
    two = await startTwoIsolates({ vars: vars() });
  }, 120_000);
  afterAll(async () => {
    await two?.stop();
  });

  it('answers 50 concurrent misses spread over both after a purge with exactly one fan-out', async () => {
    expect((await two.fetch('edge-a', '/v1/models')).status).toBe(200);
    expect((await two.fetch('edge-b', '/v1/models')).status).toBe(200);
    expect((await two.fetch('edge-a', '/admin/cache/purge', { method: 'POST', headers: auth })).status).toBe(200);
    await sleep(MEMORY_TTL_MS + 200); // edge-b's memory lets go of the purged list
    upstreams.state.delayMs = { openai: 300 };
    const before = fanOuts();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => two.fetch(either(i), '/v1/models')));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((r) => r.headers.get('ETag'))).size).toBe(1);
    expect(answers.filter((r) => r.headers.get('X-Cache') === 'MISS').length).toBe(50);
    expect(fanOuts() - before).toBe(1);
  }, 60_000);

  it('never writes a refresh held slow at the upstream and overtaken by a purge made through the other worker', async () => {
    expect((await two.fetch('edge-a', '/admin/cache/purge', { method: 'POST', headers: auth })).status).toBe(200);
    await sleep(MEMORY_TTL_MS + 200);
    upstreams.state.delayMs = { openai: 1500 };
    const slow = two.fetch('edge-b', '/v1/models');
    await sleep(400);
    expect((await two.fetch('edge-a', '/admin/cache/purge', { method: 'POST', headers: auth })).status).toBe(200);
    const held = await slow;
    expect(held.status).toBe(200); // its own client still gets what it waited for
    await sleep(500); // the refresh's hand-over to the coordinator runs behind that answer
    expect(await (await two.kv()).get(LIST_KEY)).toBeNull();
    const status = (await (await two.fetch('edge-a', '/admin/cache/status', { headers: auth })).json()) as { coordinator: { ok: boolean; refreshing: boolean } };
    expect(status.coordinator).toMatchObject({ ok: true, refreshing: false });
  }, 60_000);

  it('keeps exactly 10 of 20 keys created at once through both after 10 are revoked through both, and no revoked one works on either', async () => {
    const created = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await two.fetch(either(i), '/admin/keys', { method: 'POST', headers: auth, body: JSON.stringify({ name: `two-${i}` }) });
        expect(response.status).toBe(201);
        return (await response.json()) as { id: string; key: string };
      }),
    );
    const revoked = created.filter((_, i) => i % 4 < 2);
    const kept = created.filter((_, i) => i % 4 >= 2);
    const answers = await Promise.all(revoked.map(({ id }, i) => two.fetch(either(i + 1), `/admin/keys/${id}`, { method: 'DELETE', headers: auth })));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    for (const worker of WORKERS) {
      const listed = (await (await two.fetch(worker, '/admin/keys', { headers: auth })).json()) as { data: { id: string }[] };
      expect(listed.data.map((k) => k.id).sort()).toEqual(kept.map((k) => k.id).sort());
    }
    await sleep(MEMORY_TTL_MS + 200); // the documented bound for the isolate that did not revoke
    for (const worker of WORKERS) {
      for (const { key } of revoked) expect((await two.fetch(worker, '/v1/models', { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
      for (const { key } of kept) expect((await two.fetch(worker, '/v1/models', { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    }
  }, 60_000);
});

describe('two isolates whose coordinator fails', () => {
  let two: TwoIsolates;
  beforeAll(async () => {
    two = await startTwoIsolates({ vars: vars(), failingCoordinator: true });
  }, 120_000);
  afterAll(async () => {
    await two?.stop();
  });

  it('still answers reads on both, says so in the status, and refuses key changes with 503', async () => {
    for (const worker of WORKERS) expect((await two.fetch(worker, '/v1/models')).status).toBe(200);
    const status = (await (await two.fetch('edge-b', '/admin/cache/status', { headers: auth })).json()) as { coordinator: { ok: boolean; error: string } };
    expect(status.coordinator.ok).toBe(false);
    expect(status.coordinator.error).toContain('coordinator down');
    const change = await two.fetch('edge-a', '/admin/keys', { method: 'POST', headers: auth, body: '{"name":"x"}' });
    expect(change.status).toBe(503);
    expect(((await change.json()) as { error: { code: string } }).error.code).toBe('coordinator_unavailable');
  }, 60_000);
});

describe('two isolates whose coordinator never answers', () => {
  /** A decision's budget (src/coordinator/client.ts: 2 s, a key change included) with room for a loaded machine. */
  const ANSWER_WITHIN_MS = 5_000;
  let two: TwoIsolates;
  beforeAll(async () => {
    two = await startTwoIsolates({ vars: vars(), silentCoordinator: true });
  }, 120_000);
  afterAll(async () => {
    await two?.stop();
  });

  const timed = async (worker: WorkerName, path: string, init?: RequestInit) => {
    const started = Date.now();
    const response = await two.fetch(worker, path, init);
    await response.arrayBuffer().then(undefined, () => undefined);
    return { response, ms: Date.now() - started };
  };

  it('answers a miss, the status, a key change and a purge each within the budget, never a hang', async () => {
    const read = await timed('edge-a', '/v1/models');
    expect(read.response.status).toBe(200);
    expect(read.ms).toBeLessThan(ANSWER_WITHIN_MS);
    const status = await two.fetch('edge-b', '/admin/cache/status', { headers: auth });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { coordinator: unknown }).coordinator).toEqual({ ok: false, error: 'no answer to state within 2000 ms' });
    const change = await timed('edge-b', '/admin/keys', { method: 'POST', headers: auth, body: '{"name":"x"}' });
    expect(change.response.status).toBe(503);
    expect(change.ms).toBeLessThan(ANSWER_WITHIN_MS);
    const purge = await timed('edge-b', '/admin/cache/purge', { method: 'POST', headers: auth });
    expect(purge.response.status).toBe(200);
    expect(purge.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(await (await two.kv()).get(LIST_KEY)).toBeNull();
  }, 60_000);
});
