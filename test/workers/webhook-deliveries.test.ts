import { runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CacheStatus } from '../../src/cache/status.ts';
import type { Version } from '../../src/changes/recorder.ts';
import { Feed } from '../../src/coordinator/feed.ts';
import type { Env } from '../../src/env.ts';
import type { Model } from '../../src/model.ts';
import { FIRST_RETRY_MS } from '../../src/webhooks/schedule.ts';
import { SIGNATURE_HEADER } from '../../src/webhooks/sign.ts';
import { coldCache, testCoordinator, workerEnv } from './support/worker.ts';

const SECRET = 'webhook-delivery-test-secret-of-32-bytes';
const HOOK_URL = 'https://hooks.example/models?token=receiver-own';
const VIEW_HOOK_URL = 'https://team-a.example/hook';
/**
 * A whole hour a day ahead of the real clock: the runtime holds a Durable Object's alarm in real time
 * and moves one set in the past to now, so the frozen clock must never be behind the real one.
 */
const T0 = (Math.floor(Date.now() / 3600_000) + 24) * 3600_000;

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** The coordinator's env with two hooks: one for everything, one for the anthropic-only view. */
const env = (): Env =>
  workerEnv({
    PROVIDERS: JSON.stringify([{ id: 'openai', type: 'openai', models: ['x'] }, { id: 'anthropic', type: 'anthropic', models: ['y'] }]),
    VIEWS: JSON.stringify({ 'anthropic-only': { providers: ['anthropic'] } }),
    WEBHOOKS: JSON.stringify([{ url: HOOK_URL, secretName: 'HOOK_SECRET' }, { url: VIEW_HOOK_URL, view: 'anthropic-only', secretName: 'HOOK_SECRET' }]),
    HOOK_SECRET: SECRET,
  });

const model = (provider: string, id: string): Model => ({ id, object: 'model', owned_by: provider, provider, upstream_id: id });
let versions = 0;
/** A list version as the coordinator writes it: the stored list and the status of its refresh. */
function version(models: Model[], at: number): Version {
  versions++;
  const status: CacheStatus = {
    refreshedAt: at,
    providers: ['openai', 'anthropic'].map((id) => ({ id, ok: true, stale: false, modelCount: 1, latencyMs: 10, error: null, fetchedAt: at, checkedAt: at })),
    clashes: [],
  };
  const meta = { fetchedAt: at, freshUntil: at + 3600_000, expiresAt: at + 86_400_000, etag: `"v${versions}"`, modelCount: models.length };
  return { written: { body: JSON.stringify({ object: 'list', data: models }), meta }, status };
}

/** A receiver that checks each delivery's signature as docs/api.md ("Webhooks") says, answering the scripted statuses. */
function receiver(statuses: Record<string, number[]>) {
  const got: { url: string; verified: boolean; items: { type: string; model: string }[] }[] = [];
  const fetcher = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    expect(request.redirect).toBe('manual');
    const body = await request.text();
    const parts = Object.fromEntries((request.headers.get(SIGNATURE_HEADER) ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const mac = new Uint8Array((parts.v1 ?? '').match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
    const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) <= 300;
    const verified = fresh && (await crypto.subtle.verify('HMAC', key, mac, new TextEncoder().encode(`${parts.t}.${body}`)));
    got.push({ url: request.url, verified, items: JSON.parse(body) as { type: string; model: string }[] });
    return new Response(null, { status: statuses[request.url]?.shift() ?? 204 });
  };
  return { got, fetcher };
}

describe('webhook deliveries through the coordinator', () => {
  it('POSTs each batch signed to every hook that sees it, retries after a 500 on the alarm, and stops after a 410', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const hooks = receiver({ [HOOK_URL]: [500, 204, 410], [VIEW_HOOK_URL]: [204, 204] });
    vi.spyOn(globalThis, 'fetch').mockImplementation(hooks.fetcher);
    await runInDurableObject(testCoordinator().getByName('global'), async (_instance, state) => {
      const feed = new Feed(state.storage, env());
      // As the runtime runs an alarm: it is cleared, then the handler runs.
      const fire = async () => {
        await state.storage.deleteAlarm();
        await feed.onAlarm();
      };
      await feed.onVersion(version([model('openai', 'a')], T0));
      // The first version is the starting point: nothing to send.
      expect(await state.storage.getAlarm()).toBeNull();

      await feed.onVersion(version([model('openai', 'a'), model('anthropic', 'b'), model('openai', 'c')], T0));
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(T0);
      await fire();
      // Both hooks tried: the full one answered 500, the view's hook got its one change.
      expect(hooks.got.map((g) => [g.url, g.verified, g.items.map((i) => `${i.type} ${i.model}`)])).toStrictEqual([
        [HOOK_URL, true, ['added b', 'added c']],
        [VIEW_HOOK_URL, true, ['added b']],
      ]);
      const retryAt = await state.storage.getAlarm();
      expect(retryAt).toBeGreaterThanOrEqual(T0 + 0.8 * FIRST_RETRY_MS);
      expect(feed.state().webhooks.map((h) => [h.origin, h.state, h.pending, h.lastStatus])).toStrictEqual([
        ['https://hooks.example', 'retrying', 1, 500],
        ['https://team-a.example', 'idle', 0, 204],
      ]);

      // Nothing is due before the retry; at it, the same batch is delivered, signed anew.
      await fire();
      expect(hooks.got).toHaveLength(2);
      vi.setSystemTime(retryAt ?? 0);
      await fire();
      expect(hooks.got.slice(2).map((g) => [g.url, g.verified, g.items.length])).toStrictEqual([[HOOK_URL, true, 2]]);
      expect(feed.state().webhooks[0]).toMatchObject({ state: 'idle', pending: 0, lastStatus: 204, lastError: null });

      // A 410 turns the hook off: later batches are not even queued for it.
      await feed.onVersion(version([model('openai', 'a'), model('anthropic', 'b')], Date.now()));
      await fire();
      expect(hooks.got.slice(3).map((g) => [g.url, g.items.map((i) => `${i.type} ${i.model}`)])).toStrictEqual([[HOOK_URL, ['removed c']]]);
      expect(feed.state().webhooks[0]).toMatchObject({ origin: 'https://hooks.example', state: 'off', pending: 0, lastStatus: 410 });
      await feed.onVersion(version([model('anthropic', 'b')], Date.now()));
      await fire();
      expect(hooks.got.slice(4)).toStrictEqual([]);
      // The view's hook saw nothing of the openai changes since.
      expect(hooks.got.filter((g) => g.url === VIEW_HOOK_URL)).toHaveLength(1);
    });
  });

  it('gives a batch up 24 h after its first try, and the status says so without the hook’s path or query', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const hooks = receiver({ [HOOK_URL]: Array<number>(200).fill(503) });
    vi.spyOn(globalThis, 'fetch').mockImplementation(hooks.fetcher);
    await runInDurableObject(testCoordinator().getByName('global'), async (_instance, state) => {
      const feed = new Feed(state.storage, env());
      await feed.onVersion(version([model('openai', 'a')], T0));
      await feed.onVersion(version([model('openai', 'a'), model('openai', 'b')], T0));
      for (let i = 0; i < 200 && (await state.storage.getAlarm()) !== null; i++) {
        vi.setSystemTime(Math.max(Date.now(), (await state.storage.getAlarm()) ?? 0));
        await state.storage.deleteAlarm();
        await feed.onAlarm();
      }
      expect(Date.now() - T0).toBeLessThanOrEqual(24 * 3600_000);
      const [hook] = feed.state().webhooks;
      expect(hook).toMatchObject({ origin: 'https://hooks.example', state: 'idle', pending: 0, givenUp: 1, lastStatus: 503, lastError: 'POST https://hooks.example: 503' });
      expect(JSON.stringify(feed.state())).not.toContain('receiver-own');
    });
  });
});
