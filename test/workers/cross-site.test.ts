import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIST_KEY } from '../../src/cache/kv.ts';
import { expectApiError } from './support/expect-error.ts';
import { storedKeys } from './support/kv.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { call, coldCache, providersVar, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
});

/** The origin `call` sends every request to. */
const OWN_ORIGIN = 'http://models-edge.test';
const fixedProvider = providersVar([{ id: 'fixed', type: 'openai', models: ['m-1'] }]);

/** What a browser adds to a request another page started, each on its own. */
const foreign: [string, Record<string, string>][] = [
  ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
  ['an Origin of another site', { Origin: 'https://attacker.example' }],
  ['an Origin of another port on the same host', { Origin: 'http://models-edge.test:8080' }],
  ['Origin: null (a sandboxed frame)', { Origin: 'null' }],
  ['a browser sending both', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://attacker.example' }],
];

/** A form post (what `csrf()` looks at) and a bodyless fetch (what it lets through). */
const bodies: [string, () => BodyInit | undefined][] = [
  ['with a form body', () => new URLSearchParams({ confirm: '1' })],
  ['with no body', () => undefined],
];

/** Fills the cache, then purges it with a valid admin token and `headers`. */
async function purgeWith(headers: Record<string, string>, body?: BodyInit) {
  const env = workerEnv(fixedProvider);
  await call(env, '/v1/models');
  const response = await call(env, '/admin/cache/purge', { method: 'POST', headers: { ...bearer(await adminToken()), ...headers }, body });
  return { response, stored: await storedKeys(env.MODELS_KV) };
}

describe('cross-site admin requests', () => {
  describe.each(bodies)('POST /admin/cache/purge %s', (_, body) => {
    it.each(foreign)('answers 403 cross_site_request to %s, and purges nothing', async (__, headers) => {
      const { response, stored } = await purgeWith(headers, body());
      await expectApiError(response, 403, 'cross_site_request');
      expect(stored).toContain(LIST_KEY);
    });

    it('purges when the request carries no Origin and no Sec-Fetch-Site (curl, scripts)', async () => {
      const { response, stored } = await purgeWith({}, body());
      expect(response.status).toBe(200);
      expect(stored).not.toContain(LIST_KEY);
    });

    it("purges when Origin is the worker's own and Sec-Fetch-Site is same-origin (the /admin page)", async () => {
      const { response } = await purgeWith({ Origin: OWN_ORIGIN, 'Sec-Fetch-Site': 'same-origin' }, body());
      expect(response.status).toBe(200);
    });
  });

  it("purges with only a same-origin Origin, as older browsers send it", async () => {
    expect((await purgeWith({ Origin: OWN_ORIGIN })).response.status).toBe(200);
  });

  it('purges with Sec-Fetch-Site: none (a request the user typed)', async () => {
    expect((await purgeWith({ 'Sec-Fetch-Site': 'none' })).response.status).toBe(200);
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('answers 403 to a cross-site %s on any admin path, keys included', async (method) => {
    const response = await call(workerEnv(fixedProvider), '/admin/keys/some-key', {
      method,
      headers: { ...bearer(await adminToken()), 'Sec-Fetch-Site': 'cross-site' },
    });
    await expectApiError(response, 403, 'cross_site_request');
  });

  it('answers 403 to a cross-site POST /admin/keys', async () => {
    const response = await call(workerEnv(fixedProvider), '/admin/keys', {
      method: 'POST',
      headers: { ...bearer(await adminToken()), 'Content-Type': 'application/json', Origin: 'https://attacker.example' },
      body: JSON.stringify({ name: 'stolen' }),
    });
    await expectApiError(response, 403, 'cross_site_request');
  });

  it('leaves reads alone: a cross-site GET /admin/cache/status is answered as usual', async () => {
    const response = await call(workerEnv(fixedProvider), '/admin/cache/status', {
      headers: { ...bearer(await adminToken()), 'Sec-Fetch-Site': 'cross-site', Origin: 'https://attacker.example' },
    });
    expect(response.status).toBe(200);
  });

  it('logs the refusal as a denied admin call, with the reason', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await purgeWith({ 'Sec-Fetch-Site': 'cross-site' });
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.event === 'admin');
    expect(lines).toEqual([
      expect.objectContaining({ action: 'POST /admin/cache/purge', outcome: 'denied', status: 403, reason: 'Sec-Fetch-Site: cross-site' }),
    ]);
  });
});
