/**
 * Real upstreams as they are (issue #10) and upstream content as data (issue #14, docs/behaviour.md, "What upstreams may not do"),
 * end to end: through `fetchProvider`, `refresh` and the worker's own routes.
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteAll, readStatus } from '../../src/cache/kv.ts';
import { readList } from './support/kv.ts';
import { forget } from '../../src/cache/memory.ts';
import { parseConfig, type ProviderEntry } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import type { Model } from '../../src/model.ts';
import { fetchProvider } from '../../src/refresh/fetch-provider.ts';
import { refresh } from '../../src/refresh/refresh.ts';
import azureClassic from '../fixtures/openai/azure-classic.json';
import llamacpp from '../fixtures/openai/llamacpp.json';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, workerEnv } from './support/worker.ts';

const KEY = 'azure-key-7f3e9c1d2b4a6085';
const MINUTE_MS = 60_000;

function configure(raw: Record<string, unknown>): ProviderEntry {
  const [entry] = parseConfig({ PROVIDERS: [raw], SECRET: KEY } as unknown as Env).providers;
  if (entry === undefined) throw new Error('configure: no entry');
  return entry;
}

/** A fetch that answers every request with `answer()` and records the requests. */
function recording(answer: () => Response) {
  const requests: Request[] = [];
  const fetcher: typeof fetch = async (input, init) => {
    requests.push(new Request(input, init));
    return answer();
  };
  return { fetcher, requests };
}

const listOf = async (response: Response) => ((await response.json()) as { data: Model[] }).data;

describe('apiKeyHeader (Azure OpenAI)', () => {
  it.each([
    // Classic data-plane API: GET {endpoint}/openai/models?api-version=… https://learn.microsoft.com/en-us/rest/api/azureopenai/models/list
    ['the classic list', 'https://contoso.openai.azure.com/openai?api-version=2024-10-21', 'https://contoso.openai.azure.com/openai/models?api-version=2024-10-21'],
    // The v1 API: GET {endpoint}/openai/v1/models, no api-version. https://learn.microsoft.com/en-us/azure/ai-foundry/openai/api-version-lifecycle
    ['the v1 API', 'https://contoso.openai.azure.com/openai/v1', 'https://contoso.openai.azure.com/openai/v1/models'],
  ])('sends the key bare in that header, and no Authorization, for %s', async (_, baseUrl, listUrl) => {
    const { fetcher, requests } = recording(() => Response.json(azureClassic));
    const entry = configure({ id: 'azure', type: 'openai', baseUrl, apiKeySecret: 'SECRET', apiKeyHeader: 'api-key', prefix: 'azure/' });
    const result = await fetchProvider(entry, fetcher);
    expect(requests.map((r) => r.url)).toStrictEqual([listUrl]);
    expect(requests[0]?.headers.get('api-key')).toBe(KEY);
    expect(requests[0]?.headers.has('Authorization')).toBe(false);
    expect(result.ok && result.models[0]).toStrictEqual({
      id: 'azure/gpt-4o-2024-08-06',
      object: 'model',
      created: 1722902400,
      owned_by: 'azure',
      provider: 'azure',
      upstream_id: 'gpt-4o-2024-08-06',
    });
  });
});

describe('a page of half a million entries', () => {
  it('is listed without overflowing the stack (no push(...models))', async () => {
    // A bare array (Together's shape) of 500,000 entries: about 5.5 MB, under the 8 MiB body cap.
    const body = `[${Array.from({ length: 500_000 }, () => '{"id":"m"}').join(',')}]`;
    const { fetcher } = recording(() => new Response(body, { headers: { 'Content-Type': 'application/json' } }));
    const result = await fetchProvider(configure({ id: 'big', type: 'openai', maxModels: 1_000_000 }), fetcher);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.models.length).toBe(500_000);
  }, 30_000);
});

describe('refresh with real upstream shapes', () => {
  let clock = Date.UTC(2032, 0, 1);

  beforeEach(async () => {
    clock += 86_400_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock);
    forget();
    await deleteAll(env.MODELS_KV);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  const configOf = (entries: unknown[]) => parseConfig({ MODELS_KV: env.MODELS_KV, PROVIDERS: entries });

  it('stores the same bytes and ETag twice for a server that stamps created with the request time (llama.cpp, vLLM)', async () => {
    // llama.cpp and vLLM answer `created: now` on every request.
    const fetcher: typeof fetch = async () => {
      const data = llamacpp.data.map((model) => ({ ...model, created: Math.floor(Date.now() / 1000) }));
      return Response.json({ ...llamacpp, data });
    };
    const deps = { kv: env.MODELS_KV, config: configOf([{ id: 'gpu-box', type: 'openai', baseUrl: 'http://gpu-box.test:8080/v1' }]), fetcher };

    const first = await refresh(deps, 'cron');
    const firstBody = (await readList(env.MODELS_KV))?.body;
    vi.setSystemTime(clock + 15 * MINUTE_MS);
    const second = await refresh(deps, 'cron');

    expect(await second.landed).toBe(true);
    expect((await readList(env.MODELS_KV))?.body).toBe(firstBody);
    expect(second.list?.meta.etag).toBe(first.list?.meta.etag);
    expect(JSON.parse(firstBody ?? '{}')).toStrictEqual({
      object: 'list',
      data: [{ id: 'qwen2.5-7b-instruct-q4_k_m.gguf', object: 'model', owned_by: 'gpu-box', provider: 'gpu-box', upstream_id: 'qwen2.5-7b-instruct-q4_k_m.gguf' }],
    });
  });

  it('keeps a provider with unlistable entries ok, and says how many it skipped and why in the status and the log line', async () => {
    const log = vi.spyOn(console, 'log');
    const fetcher: typeof fetch = async () =>
      Response.json({ object: 'list', data: [{ id: 'gpt-4o' }, { object: 'model' }, 'gpt-4.1', { id: 'bad\u0007id' }] });
    const deps = { kv: env.MODELS_KV, config: configOf([{ id: 'proxy', type: 'openai', baseUrl: 'https://proxy.test/v1' }]), fetcher };

    const outcome = await refresh(deps, 'admin');

    const expected = { id: 'proxy', ok: true, modelCount: 1, skipped: 3, skippedExample: 'an entry without a string "id"' };
    expect(outcome.status.providers).toMatchObject([expected]);
    expect((await readStatus(env.MODELS_KV))?.providers).toMatchObject([expected]);
    const line = log.mock.calls.map(([text]) => JSON.parse(String(text)) as { event: string; providers?: unknown[] }).find((l) => l.event === 'refresh');
    expect(line?.providers).toMatchObject([{ id: 'proxy', ok: true, skipped: 3, skippedExample: 'an entry without a string "id"' }]);
  });

  it('still fails a provider whose page has the wrong shape as a whole', async () => {
    const fetcher: typeof fetch = async () => Response.json({ object: 'list', data: { id: 'gpt-4o' } });
    const deps = { kv: env.MODELS_KV, config: configOf([{ id: 'proxy', type: 'openai', baseUrl: 'https://proxy.test/v1' }]), fetcher };
    const outcome = await refresh(deps, 'admin');
    expect(outcome.status.providers[0]).toMatchObject({ ok: false, error: expect.stringMatching(/"data" to be an array/) });
  });
});

describe('the list, as clients see it', () => {
  beforeEach(coldCache);

  it('skips and counts ids with control characters or over 256 characters, and every listed id retrieves through /v1/models/{id}', async () => {
    const odd = ['  spaced  ', 'with space', '100%-sure', 'a?b', 'hash#tag', 'back\\slash', 'ünïcödé', 'emoji-😀', 'plus+sign', 'org/model:tag', 'a%2Fb', '..x', '/leading', 'trailing/', 'a//b', '%', 'ÿ\u00a0nbsp'];
    const bad = ['bell\u0007', 'next-line\u0085', 'x'.repeat(300), '.', '..'];
    const env = workerEnv(
      providersVar([
        { id: 'plain', type: 'openai', models: [...odd, ...bad] },
        { id: 'pre', type: 'openai', prefix: 'pre/', models: ['..', 'model'] },
      ]),
    );

    const listed = await listOf(await call(env, '/v1/models'));
    const ids = listed.map((m) => m.id);
    expect(ids).toHaveLength(odd.length + 2);
    expect(ids).toContain('spaced');
    expect(ids).toContain('pre/..');
    for (const id of ids) {
      const response = await call(env, `/v1/models/${encodeURIComponent(id)}`);
      expect(response.status, id).toBe(200);
      expect(((await response.json()) as Model).id).toBe(id);
    }
    const status = (await (await call(env, '/admin/cache/status', { headers: bearer(await adminToken()) })).json()) as { providers: unknown[] };
    expect(status.providers).toMatchObject([
      { id: 'plain', ok: true, skipped: bad.length, skippedExample: 'an id with the control character U+0007' },
      { id: 'pre', ok: true, skipped: 0 },
    ]);
  });

  it.each([
    ['first', (victim: object, other: object) => [victim, other]],
    ['last', (victim: object, other: object) => [other, victim]],
  ])("never lets another provider's victim/… id displace the victim's, with the victim listed %s", async (_, order) => {
    const victim = { id: 'victim', type: 'openai', prefix: 'victim/', models: ['gpt-4o'] };
    const other = { id: 'other', type: 'openai', models: ['victim/gpt-4o', 'victim/extra', 'llama-3'] };
    const env = workerEnv(providersVar(order(victim, other)));

    const listed = await listOf(await call(env, '/v1/models'));
    expect(listed.map((m) => [m.id, m.provider])).toStrictEqual([
      ['llama-3', 'other'],
      ['victim/gpt-4o', 'victim'],
    ]);
    expect(((await (await call(env, '/v1/models/victim/gpt-4o')).json()) as Model).provider).toBe('victim');
    expect((await call(env, '/v1/models/victim/extra')).status).toBe(404);
  });

  it('fails only the provider over maxModels, keeping its last good models, while another provider’s new model appears; after a purge the others still serve', async () => {
    const upstreams = await fakeUpstreams({ models: { openai: 3, anthropic: 2 } });
    const env = workerEnv(providersVar([upstreams.entry('openai', { maxModels: 3 }), upstreams.entry('anthropic', { prefix: 'anthropic/' })]));
    const admin = { method: 'POST', headers: bearer(await adminToken()) };
    expect(await listOf(await call(env, '/v1/models'))).toHaveLength(5);

    await upstreams.update({ models: { openai: 4, anthropic: 3 } });
    const refreshed = await call(env, '/admin/cache/refresh', admin);
    expect(refreshed.status).toBe(200);
    const status = (await refreshed.json()) as { providers: { id: string; ok: boolean; stale: boolean; error: string | null; modelCount: number }[] };
    expect(status.providers).toMatchObject([
      { id: 'openai', ok: false, stale: true, modelCount: 3, error: '[openai] lists 4 models, more than maxModels (3); raise maxModels in its PROVIDERS entry to list them all' },
      { id: 'anthropic', ok: true, modelCount: 3 },
    ]);
    const after = await listOf(await call(env, '/v1/models'));
    expect(after.filter((m) => m.provider === 'openai')).toHaveLength(3);
    expect(after.filter((m) => m.provider === 'anthropic')).toHaveLength(3);

    expect((await call(env, '/admin/cache/purge', admin)).status).toBe(200);
    const purged = await call(env, '/v1/models');
    expect(purged.status).toBe(200);
    expect((await listOf(purged)).map((m) => m.provider)).toStrictEqual(['anthropic', 'anthropic', 'anthropic']);
  });
});
