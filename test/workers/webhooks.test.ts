import { describe, expect, it } from 'vitest';
import { Problems } from '../../src/config/fields.ts';
import { parseWebhooks } from '../../src/config/webhooks.ts';
import { parseViews } from '../../src/config/views.ts';
import type { Env } from '../../src/env.ts';
import { deliver } from '../../src/webhooks/deliver.ts';
import { afterTry, FIRST_RETRY_MS, GIVE_UP_AFTER_MS, MAX_RETRY_MS, retryDelayMs, type Outcome } from '../../src/webhooks/schedule.ts';
import { SIGNATURE_HEADER } from '../../src/webhooks/sign.ts';
import { requestsTo } from './support/upstreams.ts';

const SECRET = 'whsec-test-secret-of-at-least-32-bytes!!';
const BODY = JSON.stringify([{ id: 'chg_1', type: 'added', model: 'gpt-5', provider: 'openai', at: '2026-12-02T03:00:00.000Z', version: 'v1' }]);
const T0 = Date.parse('2026-12-02T03:00:00Z');
/** How old a signature a receiver accepts (the snippet in docs/api.md, "Webhooks": 5 minutes). */
const TOLERANCE_SECONDS = 300;

/**
 * A webhook receiver as docs/api.md ("Webhooks") tells one to write it: it checks the signature with crypto.subtle.verify
 * (constant time) over `t + "." + body`, refuses an old timestamp, then answers the next scripted status.
 */
function receiver(secret: string, statuses: number[], clockMs: () => number) {
  const received: { verified: boolean; body: string }[] = [];
  const handler = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = await request.text();
    const header = request.headers.get(SIGNATURE_HEADER) ?? '';
    const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
    const t = Number(parts.t);
    const mac = (parts.v1 ?? '').match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? [];
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const fresh = Math.abs(clockMs() / 1000 - t) <= TOLERANCE_SECONDS;
    const verified = fresh && (await crypto.subtle.verify('HMAC', key, new Uint8Array(mac), new TextEncoder().encode(`${t}.${body}`)));
    received.push({ verified, body });
    if (!verified) return new Response('bad signature', { status: 400 });
    return new Response(null, { status: statuses.shift() ?? 200 });
  };
  return { handler, received };
}

/** Tries a batch until schedule.ts says to stop, the clock jumping to each retry; returns every outcome. */
async function deliverUntilDone(fetcher: typeof fetch, clock: { now: number }): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const first = clock.now;
  for (let attempt = 1; attempt < 1000; attempt++) {
    const { status } = await deliver('https://hooks.example/models?token=abc', SECRET, BODY, clock.now, fetcher);
    const outcome = afterTry(status, attempt, first, clock.now, 0.5);
    outcomes.push(outcome);
    if (outcome.kind !== 'retry') break;
    clock.now = outcome.at;
  }
  return outcomes;
}

describe('webhook deliveries', () => {
  it('are signed so that a receiver can verify them, and are retried after a 500 until delivered', async () => {
    const clock = { now: T0 };
    const hook = receiver(SECRET, [500, 204], () => clock.now);
    const outcomes = await deliverUntilDone(hook.handler, clock);
    expect(outcomes.map((o) => o.kind)).toStrictEqual(['retry', 'delivered']);
    expect(hook.received).toStrictEqual([{ verified: true, body: BODY }, { verified: true, body: BODY }]);
    // The retry waited the first backoff, and was signed anew at its own time.
    expect(clock.now - T0).toBe(retryDelayMs(1, 0.5));
  });

  it('stop after a 410: the hook is turned off', async () => {
    const clock = { now: T0 };
    const hook = receiver(SECRET, [500, 410, 200], () => clock.now);
    const outcomes = await deliverUntilDone(hook.handler, clock);
    expect(outcomes.map((o) => o.kind)).toStrictEqual(['retry', 'disabled']);
    expect(hook.received).toHaveLength(2);
  });

  it('fail a receiver that checks with another secret', async () => {
    const clock = { now: T0 };
    const hook = receiver(`${SECRET}-rotated`, [], () => clock.now);
    const [first] = await deliverUntilDone(hook.handler, clock);
    expect(hook.received[0]?.verified).toBe(false);
    expect(first?.kind).toBe('retry');
  });

  it('are given up 24 h after the first try, the waits doubling from 30 s up to an hour', async () => {
    const clock = { now: T0 };
    const hook = receiver(SECRET, Array<number>(1000).fill(503), () => clock.now);
    const outcomes = await deliverUntilDone(hook.handler, clock);
    expect(outcomes.at(-1)?.kind).toBe('given_up');
    expect(clock.now - T0).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
    expect(clock.now - T0 + MAX_RETRY_MS).toBeGreaterThan(GIVE_UP_AFTER_MS);
    // 30 s, 60 s, 120 s, … then an hour at most, each less up to 20 % jitter.
    expect([1, 2, 3].map((n) => retryDelayMs(n, 0))).toStrictEqual([FIRST_RETRY_MS, 2 * FIRST_RETRY_MS, 4 * FIRST_RETRY_MS]);
    expect(retryDelayMs(30, 0)).toBe(MAX_RETRY_MS);
    expect(retryDelayMs(1, 0.999)).toBeGreaterThan(0.8 * FIRST_RETRY_MS - 1);
    expect(hook.received.length).toBe(outcomes.length);
  });

  it('never follow a redirect, and say so naming the receiver by origin only', async () => {
    const url = 'http://hook.redirect.test/deliveries?token=receiver-own-key';
    const attempt = await deliver(url, SECRET, BODY, Date.now());
    expect(attempt).toStrictEqual({ status: 302, error: 'POST http://hook.redirect.test: 302 redirect (not followed)' });
    expect(await requestsTo('http://collector.example')).toStrictEqual([]);
    expect(afterTry(attempt.status, 1, T0, T0, 0).kind).toBe('retry');
  });

  it('name the receiver by origin only when it cannot be reached', async () => {
    const failing = () => Promise.reject(new TypeError('connect ECONNREFUSED'));
    const attempt = await deliver('https://hooks.example/in/secret-path?token=abc', SECRET, BODY, T0, failing);
    expect(attempt).toStrictEqual({ status: null, error: 'POST https://hooks.example: the request failed' });
  });
});

describe('WEBHOOKS', () => {
  const views = parseViews({ 'team-a': { providers: ['openai'] } }, new Set(['openai']), new Problems());
  const env = { MODELS_KV: undefined, HOOK_SECRET: SECRET, SHORT: 'short' } as unknown as Env;
  /** The hooks, or the first problem thrown (as the worker reports it). */
  const parse = (raw: unknown) => {
    const problems = new Problems();
    const hooks = parseWebhooks(raw, views, env, problems);
    if (problems.found[0] !== undefined) throw problems.found[0];
    return hooks;
  };

  it('reads URL, view and the signing secret by name, from TOML or a JSON string', () => {
    const hooks = [{ url: 'https://hooks.example/in/', view: 'team-a', secretName: 'HOOK_SECRET' }];
    const expected = [{ url: 'https://hooks.example/in', view: 'team-a', secretName: 'HOOK_SECRET', secret: SECRET }];
    expect(parse(hooks)).toStrictEqual(expected);
    expect(parse(JSON.stringify(hooks))).toStrictEqual(expected);
    expect(parse(undefined)).toStrictEqual([]);
  });

  it.each([
    ['{', 'WEBHOOKS: is not valid JSON (expected a JSON array of webhooks)'],
    [{ url: 'x' }, 'WEBHOOKS: must be a JSON array of {"url", "view"?, "secretName"}'],
    [['x'], 'WEBHOOKS[0]: must be an object with url, secretName and optionally view'],
    [[{ url: 'ftp://x', secretName: 'HOOK_SECRET' }], 'WEBHOOKS[0].url: must be an http(s) URL'],
    [[{ URL: 'https://x', secretName: 'HOOK_SECRET' }], 'WEBHOOKS[0].URL: unknown field; did you mean url?'],
    [[{ url: 'https://x', view: 'team-b', secretName: 'HOOK_SECRET' }], 'WEBHOOKS[0].view: no view named "team-b" in VIEWS'],
    [[{ url: 'https://x' }], 'WEBHOOKS[0].secretName: is required: the name of the secret that signs deliveries'],
    [[{ url: 'https://x', secretName: 'MISSING' }], 'WEBHOOKS[0].secretName: secret MISSING is not set (wrangler secret put MISSING, or .dev.vars locally)'],
    [[{ url: 'https://x', secretName: 'SHORT' }], 'WEBHOOKS[0].secretName: secret SHORT is shorter than 32 bytes (openssl rand -hex 32 makes one)'],
    [
      [{ url: 'https://x', secretName: 'HOOK_SECRET' }, { url: 'https://x/', secretName: 'HOOK_SECRET' }],
      'WEBHOOKS[1].url: the same URL and view as an earlier hook: each would get every batch twice',
    ],
  ])('refuses %j naming the field', (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });
});
