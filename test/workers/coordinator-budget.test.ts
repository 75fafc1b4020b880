/**
 * The coordinator's time budgets (docs/behaviour.md, "The coordinator"): one that never answers costs
 * a request at most its budget, never a hang; and a purge that fences a running refresh lets the
 * next miss refresh at once.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LIST_KEY, type ListMeta } from '../../src/cache/kv.ts';
import { recall } from '../../src/cache/memory.ts';
import { COORDINATOR_DECISION_BUDGET_MS, coordinatorOf } from '../../src/coordinator/client.ts';
import type { CoordinatorApi } from '../../src/coordinator/api.ts';
import { loadConfig } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import { refreshCoordinated } from '../../src/refresh/coordinated.ts';
import { expectApiError } from './support/expect-error.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, freshIsolate, providersVar, send, workerEnv } from './support/worker.ts';

beforeEach(coldCache);

/** What the contract allows each answer here: the budget (2 s, a key change included) with room for a loaded machine. */
const ANSWER_WITHIN_MS = 5_000;

/**
 * A binding whose instance takes every call and never answers (an overloaded or wedged coordinator):
 * each method's promise stays pending for ever. `asked` lists the methods called.
 */
function silentCoordinator(): { namespace: DurableObjectNamespace<CoordinatorApi>; asked: string[] } {
  const asked: string[] = [];
  const silent = new Proxy({}, { get: (_, name) => (..._args: unknown[]) => (asked.push(String(name)), new Promise(() => undefined)) });
  const namespace = { getByName: () => silent, get: () => silent } as unknown as DurableObjectNamespace<CoordinatorApi>;
  return { namespace, asked };
}

async function silentSetup() {
  const upstreams = await fakeUpstreams();
  const silent = silentCoordinator();
  const env = workerEnv({ ...providersVar(upstreams.entries()), COORDINATOR: silent.namespace });
  return { env, asked: silent.asked };
}

const admin = async (env: Env, method: string, path: string, body?: unknown) =>
  call(env, path, { method, headers: { ...bearer(await adminToken()), 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** The answer and how long it took. */
async function timed(answer: () => Promise<Response>): Promise<{ response: Response; ms: number }> {
  const started = Date.now();
  const response = await answer();
  return { response, ms: Date.now() - started };
}

describe('a coordinator that never answers', { timeout: 15_000 }, () => {
  it('costs the first read on an empty KV one decision’s budget: then the isolate refreshes on its own', async () => {
    const { env, asked } = await silentSetup();
    const { response, ms } = await timed(() => call(env, '/v1/models'));
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Cache')).toBe('MISS');
    expect(asked).toContain('begin');
    expect(ms).toBeGreaterThanOrEqual(COORDINATOR_DECISION_BUDGET_MS - 50);
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
    // Its list is in KV, written by the isolate: the next read is a hit.
    expect((await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY)).metadata?.modelCount).toBeGreaterThan(0);
    // Held off for the failure pause: the next read in this isolate does not ask it again.
    expect(coordinatorOf(env.COORDINATOR)).toBeUndefined();
  });

  it('leaves the status answering, with `coordinator.ok: false` and why', async () => {
    const { env, asked } = await silentSetup();
    const { response, ms } = await timed(() => admin(env, 'GET', '/admin/cache/status'));
    expect(response.status).toBe(200);
    const { coordinator } = (await response.json()) as { coordinator: { ok: boolean; error: string } };
    expect(coordinator).toEqual({ ok: false, error: `no answer to state within ${COORDINATOR_DECISION_BUDGET_MS} ms` });
    expect(asked).toContain('state');
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
  });

  it('answers a key creation 503 coordinator_unavailable, and the key list from KV’s mirror', async () => {
    const { env, asked } = await silentSetup();
    const { response, ms } = await timed(() => admin(env, 'POST', '/admin/keys', { name: 'new' }));
    await expectApiError(response, 503, 'coordinator_unavailable');
    expect(asked).toContain('createKey');
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
    const listed = await timed(() => admin(env, 'GET', '/admin/keys'));
    expect(listed.response.status).toBe(200);
    expect(await listed.response.json()).toEqual({ object: 'list', data: [] });
    expect(asked).toContain('listKeys');
    expect(listed.ms).toBeLessThan(ANSWER_WITHIN_MS);
  });

  it('applies a purge in the isolate and in KV, and answers it', async () => {
    const { env, asked } = await silentSetup();
    expect((await call(env, '/v1/models')).status).toBe(200);
    expect(recall(Date.now())).not.toBeUndefined();
    expect(await env.MODELS_KV.get(LIST_KEY)).not.toBeNull();
    freshIsolate(); // no longer held off: the purge asks the coordinator again
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('HIT');
    asked.length = 0;
    const { response, ms } = await timed(() => admin(env, 'POST', '/admin/cache/purge'));
    expect(await response.json()).toEqual({ purged: true });
    expect(asked).toEqual(['purge']);
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(recall(Date.now())).toBeUndefined();
    expect(await env.MODELS_KV.get(LIST_KEY)).toBeNull();
  });
});

describe('a coordinator that never answers, behind the answer', { timeout: 15_000 }, () => {
  it('answers the change feed 503 within a decision’s budget', async () => {
    const { env, asked } = await silentSetup();
    const { response, ms } = await timed(() => call(env, '/v1/models/changes'));
    await expectApiError(response, 503, 'coordinator_unavailable');
    expect(asked).toContain('changesAfter');
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
  });

  it('never delays a call’s answer for its usage send, which gives up within its budget', async () => {
    const upstreams = await fakeUpstreams();
    const working = workerEnv({ ...providersVar([upstreams.entry('openai')]) });
    const made = await admin(working, 'POST', '/admin/keys', { name: 'counted' });
    const { key } = (await made.json()) as { key: string };
    const listed = (await (await call(working, '/v1/models')).json()) as { data: { id: string }[] };
    const model = listed.data[0]?.id;
    if (model === undefined) throw new Error('the fake lists no model');
    // The same isolate (list and key held), now bound to a coordinator that never answers.
    const silent = silentCoordinator();
    const env = { ...working, COORDINATOR: silent.namespace };
    const started = Date.now();
    const { response, done } = await send(env, '/v1/chat/completions', {
      method: 'POST',
      headers: { ...bearer(key), 'Content-Type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    await response.text();
    const answeredMs = Date.now() - started;
    await done();
    expect(silent.asked).toEqual(['addUsage']);
    expect(answeredMs).toBeLessThan(COORDINATOR_DECISION_BUDGET_MS);
    expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
  });
});

describe('a coordinator that answers late', () => {
  it('is handed back a lead it granted after the ask timed out, so no isolate waits out that lease', async () => {
    const upstreams = await fakeUpstreams();
    const abandoned: string[] = [];
    const late = {
      begin: () => new Promise((resolve) => setTimeout(() => resolve({ kind: 'lead', ticket: 'late-ticket', generation: 0 }), COORDINATOR_DECISION_BUDGET_MS + 300)),
      abandon: async (ticket: string) => void abandoned.push(ticket),
    };
    const namespace = { getByName: () => late, get: () => late } as unknown as DurableObjectNamespace<CoordinatorApi>;
    const env = workerEnv({ ...providersVar(upstreams.entries()), COORDINATOR: namespace });
    expect((await call(env, '/v1/models')).headers.get('X-Cache')).toBe('MISS');
    await vi.waitFor(() => expect(abandoned).toEqual(['late-ticket']), { timeout: 3_000, interval: 50 });
  }, 15_000);
});

describe('a purge that fences a running refresh', () => {
  /** The fenced refresh's fan-out: long enough that a miss waiting for it is told from one that does not. */
  const SLOW_MS = 4_000;
  /** A miss that starts its own fan-out at once answers well within this. */
  const PROMPT_MS = 2_000;

  async function slowSetup() {
    const upstreams = await fakeUpstreams({ delayMs: { openai: SLOW_MS } });
    const env = workerEnv({ ...providersVar(upstreams.entries()) });
    const purgeAndSpeedUp = async () => {
      await upstreams.update({ delayMs: {} }); // the refill's fan-out is quick; the fenced one is still waiting
      expect(await (await admin(env, 'POST', '/admin/cache/purge')).json()).toEqual({ purged: true });
    };
    return { env, purgeAndSpeedUp };
  }

  async function expectPromptMiss(env: Env): Promise<void> {
    const { response, ms } = await timed(() => call(env, '/v1/models'));
    expect(response.headers.get('X-Cache')).toBe('MISS');
    expect(ms).toBeLessThan(PROMPT_MS);
    expect((await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY)).metadata?.generation).toBe(1);
  }

  it('lets the next miss in the purging isolate refresh at once, not after the fenced fan-out', async () => {
    const { env, purgeAndSpeedUp } = await slowSetup();
    const fenced = call(env, '/v1/models'); // this isolate's miss leads the slow refresh
    await new Promise((resolve) => setTimeout(resolve, 200));
    await purgeAndSpeedUp();
    await expectPromptMiss(env);
    expect((await fenced).status).toBe(200);
    // The fenced refresh wrote nothing over the refill.
    expect((await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY)).metadata?.generation).toBe(1);
  }, 15_000);

  it('lets the next miss in another isolate lead at once, not wait in the coordinator for the fenced fan-out', async () => {
    const { env, purgeAndSpeedUp } = await slowSetup();
    const stub = coordinatorOf(env.COORDINATOR);
    if (stub === undefined) throw new Error('the test coordinator is not bound');
    const fenced = refreshCoordinated(stub, { kv: env.MODELS_KV, config: loadConfig(env), coordinator: env.COORDINATOR }, 'miss');
    await new Promise((resolve) => setTimeout(resolve, 200));
    freshIsolate(); // the purge and the miss come through another isolate
    await purgeAndSpeedUp();
    await expectPromptMiss(env);
    expect(await (await fenced).landed).toBe(false);
    expect((await env.MODELS_KV.getWithMetadata<ListMeta>(LIST_KEY)).metadata?.generation).toBe(1);
  }, 15_000);
});
