import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/env.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, type FakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, workerEnv } from './support/worker.ts';
import { parseXml } from './support/xml.ts';

beforeEach(coldCache);

interface Item {
  id: string;
  type: string;
  model: string;
  provider: string;
  fields?: Record<string, { from: unknown; to: unknown }>;
  at: string;
  version: string;
}
interface Page {
  object: string;
  data: Item[];
  next: string | null;
}

const VIEWS = { 'openai-only': { providers: ['openai'] } };

async function setup(): Promise<{ upstreams: FakeUpstreams; env: Env }> {
  const upstreams = await fakeUpstreams();
  return { upstreams, env: workerEnv({ ...providersVar(upstreams.entries()), VIEWS: JSON.stringify(VIEWS) }) };
}

const refresh = async (env: Env) => expect((await call(env, '/admin/cache/refresh', { method: 'POST', headers: bearer(await adminToken()) })).status).toBe(200);
const feed = async (env: Env, query = '', headers: HeadersInit = {}) => {
  const res = await call(env, `/v1/models/changes${query}`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};
const summary = (page: Page) => page.data.map((c) => `${c.type} ${c.provider} ${c.model}`);

describe('the change feed, recorded by the coordinator', () => {
  it('starts from the first list, then records models added and removed, each once, with the list version', async () => {
    const { upstreams, env } = await setup();
    await refresh(env);
    expect(await feed(env)).toStrictEqual({ object: 'list', data: [], next: null });

    await upstreams.update({ models: { openai: 6 } });
    await refresh(env);
    const added = await feed(env);
    expect(summary(added)).toStrictEqual(['added openai ft:gpt-4o-mini:acme:model-00005']);
    const list = await call(env, '/v1/models');
    expect(added.data[0]?.version).toBe(list.headers.get('ETag')?.replace(/"/g, ''));

    // The same list again: nothing new.
    await refresh(env);
    expect((await feed(env)).data).toHaveLength(1);

    await upstreams.update({ models: { openai: 4 } });
    await refresh(env);
    const all = await feed(env);
    expect(summary(all).slice(1)).toStrictEqual(['removed openai ft:gpt-4o-mini:acme:model-00005', `removed openai ${all.data[2]?.model}`]);
    expect(all.data.map((c) => c.id)).toStrictEqual(['chg_1', 'chg_2', 'chg_3']);
  });

  it('does not record a failing provider’s models as removed, but does once it is taken out of PROVIDERS', async () => {
    const { upstreams, env } = await setup();
    await refresh(env);
    await upstreams.update({ faults: { anthropic: 'error-500' } });
    await refresh(env);
    expect((await feed(env)).data).toStrictEqual([]);

    // The configuration without gemini: a new env object is a new deployment's configuration.
    const withoutGemini = { ...env, ...providersVar(upstreams.entries().filter((entry) => entry.id !== 'gemini')) };
    await refresh(withoutGemini);
    const removed = await feed(withoutGemini);
    expect(removed.data.length).toBeGreaterThan(0);
    expect(new Set(removed.data.map((c) => `${c.type} ${c.provider}`))).toStrictEqual(new Set(['removed gemini']));
  });

  it('shows a key only the changes of models in its view, and pages by cursor', async () => {
    const { upstreams, env } = await setup();
    await refresh(env);
    await upstreams.update({ models: { openai: 7, anthropic: 6 } });
    await refresh(env);
    const created = await call(env, '/admin/keys', { method: 'POST', headers: { ...bearer(await adminToken()), 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'feed-reader', view: 'openai-only' }) });
    const { key } = (await created.json()) as { key: string };

    expect(summary(await feed(env)).map((s) => s.split(' ')[1])).toStrictEqual(['anthropic', 'openai', 'openai']);
    const first = await feed(env, '?limit=1', bearer(key));
    expect(summary(first)).toStrictEqual(['added openai ft:gpt-4o-mini:acme:model-00005']);
    expect(first.next).toBe(first.data[0]?.id);
    const second = await feed(env, `?limit=1&since=${first.next}`, bearer(key));
    expect(summary(second)).toStrictEqual(['added openai ft:gpt-4o-mini:acme:model-00006']);
    expect(second.next).toBeNull();
    // Atom, in the same view.
    const atom = await call(env, '/v1/models/changes.atom', { headers: bearer(key) });
    expect(atom.headers.get('Content-Type')).toBe('application/atom+xml; charset=utf-8');
    const entries = parseXml(await atom.text()).children.filter((c) => c.name === 'entry');
    expect(entries.map((e) => e.children.find((c) => c.name === 'title')?.text)).toStrictEqual([
      'Added ft:gpt-4o-mini:acme:model-00006 (openai)',
      'Added ft:gpt-4o-mini:acme:model-00005 (openai)',
    ]);
  });

  it('answers If-None-Match with 304, and is not taken by the model routes', async () => {
    const { env } = await setup();
    await refresh(env);
    for (const path of ['/v1/models/changes', '/v1/models/changes.atom', '/models/changes']) {
      const res = await call(env, path);
      expect(res.status, path).toBe(200);
      const etag = res.headers.get('ETag');
      expect(etag).toMatch(/^"/);
      expect((await call(env, path, { headers: { 'If-None-Match': etag ?? '' } })).status).toBe(304);
    }
    expect((await call(env, '/v1/models/changes?limit=0')).status).toBe(400);
  });

  it('answers 503 coordinator_unavailable without the coordinator', async () => {
    const { env } = await setup();
    const res = await call({ ...env, COORDINATOR: undefined }, '/v1/models/changes');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('coordinator_unavailable');
  });

  it('keeps 24 h of refreshes per provider and the recent changes for the status page', async () => {
    const { upstreams, env } = await setup();
    await refresh(env);
    await upstreams.update({ faults: { ollama: 'error-500' }, models: { openai: 6 } });
    await refresh(env);
    const status = (await (await call(env, '/admin/cache/status', { headers: bearer(await adminToken()) })).json()) as {
      history: { provider: string; refreshes: { ok: boolean; latencyMs: number; modelCount: number }[] }[];
      recentChanges: Item[];
    };
    expect(status.history.map((h) => h.provider)).toStrictEqual(['openai', 'anthropic', 'gemini', 'ollama']);
    expect(status.history.find((h) => h.provider === 'ollama')?.refreshes.map((r) => r.ok)).toStrictEqual([true, false]);
    expect(status.history.find((h) => h.provider === 'openai')?.refreshes.map((r) => r.modelCount)).toStrictEqual([5, 6]);
    expect(summary({ object: 'list', data: status.recentChanges, next: null })).toStrictEqual(['added openai ft:gpt-4o-mini:acme:model-00005']);
  });
});
