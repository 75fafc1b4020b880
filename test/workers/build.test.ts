/**
 * `buildList` (src/refresh/build.ts) is pure: the list and status follow from the providers'
 * results, the previous list and the configuration alone — the same inputs give the same bytes, no
 * store is touched — and the previous list is asked for exactly when it can matter.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import { buildList, mayNeedPrevious, needsPrevious, NO_PREVIOUS } from '../../src/refresh/build.ts';
import type { ProviderResult } from '../../src/refresh/fetch-provider.ts';

const config = parseConfig({
  PROVIDERS: JSON.stringify([
    { id: 'a', type: 'openai', baseUrl: 'https://a.example/v1' },
    { id: 'b', type: 'openai', baseUrl: 'https://b.example/v1', prefix: 'b/' },
  ]),
} as unknown as Env);
const NOW = Date.UTC(2026, 11, 1);
const model = (provider: string, id: string) => ({ id, object: 'model' as const, owned_by: provider, provider, upstream_id: id });
const ok = (id: string, ids: string[]): ProviderResult => ({ id, ok: true, models: ids.map((m) => model(id, m)), latencyMs: 5, skipped: 0 });
const failed = (id: string): ProviderResult => ({ id, ok: false, error: `[${id}] GET …: 500 Internal Server Error`, latencyMs: 5 });

describe('buildList', () => {
  it('gives the same bytes, ETag and status for the same inputs, and keeps a failed provider’s models from the previous list', async () => {
    const first = await buildList([ok('a', ['m1', 'm2']), ok('b', ['b/x'])], NO_PREVIOUS, config, NOW);
    const again = await buildList([ok('a', ['m1', 'm2']), ok('b', ['b/x'])], NO_PREVIOUS, config, NOW);
    expect(again).toEqual(first);
    expect(first.replacement?.meta.modelCount).toBe(3);

    const previous = { list: first.replacement, status: first.status };
    const later = await buildList([ok('a', ['m1', 'm2']), failed('b')], previous, config, NOW + 60_000);
    expect(later.replacement?.body).toBe(first.replacement?.body);
    expect(later.replacement?.meta.etag).toBe(first.replacement?.meta.etag);
    expect(later.status.providers.find((p) => p.id === 'b')).toMatchObject({ ok: false, stale: true, modelCount: 1, fetchedAt: NOW });
  });

  it('replaces nothing when every provider fails, keeping the previous list and saying why', async () => {
    const first = await buildList([ok('a', ['m1']), ok('b', ['b/x'])], NO_PREVIOUS, config, NOW);
    const previous = { list: first.replacement, status: first.status };
    const built = await buildList([failed('a'), failed('b')], previous, config, NOW + 1000);
    expect(built.replacement).toBeNull();
    expect(built.kept).toBe(first.replacement);
    expect(built.status.providers.every((p) => !p.ok)).toBe(true);
  });

  it('needs the previous list only when a provider failed or answered nothing, or the list came out unusable', async () => {
    expect(needsPrevious([ok('a', ['m1']), ok('b', ['b/x'])])).toBe(false);
    expect(needsPrevious([ok('a', ['m1']), failed('b')])).toBe(true);
    expect(needsPrevious([ok('a', []), ok('b', ['b/x'])])).toBe(true);
    // Every id of `a` falls under `b`'s prefix: the merge empties the list, which only the previous list can judge.
    const emptied = await buildList([ok('a', ['b/taken']), ok('b', [])], NO_PREVIOUS, config, NOW);
    expect(mayNeedPrevious(emptied)).toBe(true);
  });
});
