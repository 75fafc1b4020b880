/**
 * A client that hangs up before the answer's headers aborts the upstream call (contract §9; README,
 * "Inference"): the request's signal reaches the upstream fetch. The upstream here holds its headers
 * until its own signal aborts; the client aborts its request, and the upstream must see the abort at
 * once. (The mid-stream hang-up is test/node/inference.test.ts's. Under `wrangler dev` the local
 * runtime does not report a client that leaves before the headers, so that case is tested here,
 * where the test holds the request's signal.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminToken, bearer } from './support/tokens.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

beforeEach(coldCache);

/** A host only this test's provider has: its calls are the held ones. */
const HELD_ORIGIN = 'http://held-upstream.test';
const MODEL = 'held-model';
/** How soon after the client's abort the upstream must see it. */
const ABORT_SEEN_WITHIN_MS = 1_000;

interface HeldCall {
  arrivedAt: number;
  /** When the upstream call's signal aborted; undefined while it is held. */
  abortedAt?: number;
  release(): void;
}

/** Every fetch to HELD_ORIGIN is held (no headers) until its signal aborts or the test ends; the rest pass through. */
function holdUpstream(): HeldCall[] {
  const held: HeldCall[] = [];
  const real = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(HELD_ORIGIN)) return real(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return new Promise<Response>((_, reject) => {
      const call: HeldCall = { arrivedAt: Date.now(), release: () => reject(new Error('test over')) };
      held.push(call);
      signal?.addEventListener('abort', () => {
        call.abortedAt = Date.now();
        reject(signal.reason);
      });
    });
  });
  return held;
}

let held: HeldCall[] = [];
afterEach(() => {
  for (const call of held) call.release();
  vi.restoreAllMocks();
});

describe('a client that hangs up before the answer', () => {
  it('aborts the upstream call it was waiting for, within a second', async () => {
    held = holdUpstream();
    const providers = [{ id: 'held', type: 'openai', baseUrl: `${HELD_ORIGIN}/v1`, apiKeySecret: 'HELD_KEY', models: [MODEL] }];
    const env = workerEnv({ ...providersVar(providers), HELD_KEY: 'sk-held-provider-key-0123456789' });
    const made = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: 'hangs-up' }) });
    expect(made.status).toBe(201);
    const { key } = (await made.json()) as { key: string };

    const client = new AbortController();
    const answer = send(env, '/v1/chat/completions', {
      method: 'POST',
      headers: { ...bearer(key), 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      signal: client.signal,
    });
    await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 5_000, interval: 10 });
    const [upstream] = held;
    expect(upstream?.abortedAt).toBeUndefined(); // held: no headers yet, the client still waiting

    const abortedAt = Date.now();
    client.abort();
    await vi.waitFor(() => expect(upstream?.abortedAt).toBeDefined(), { timeout: ABORT_SEEN_WITHIN_MS, interval: 10 });
    expect((upstream?.abortedAt ?? Infinity) - abortedAt).toBeLessThan(ABORT_SEEN_WITHIN_MS);
    // The worker's answer settles too (nobody reads it): no call is left hanging.
    const { response, done } = await answer;
    expect(response.status).toBe(502);
    await done();
  });
});
