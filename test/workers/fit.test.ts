import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/model.ts';
import { bytesByProvider, largestToDrop } from '../../src/refresh/fit.ts';

function model(provider: string, id: string): Model {
  return { id, object: 'model', owned_by: provider, provider, upstream_id: id };
}

describe('fitting the merged list into a byte budget', () => {
  it('drops the largest contributor first, and only as many as needed', () => {
    const sizes = new Map([['small', 100], ['huge', 5000], ['medium', 900]]);
    expect(largestToDrop(sizes, 6000, 1500)).toStrictEqual(['huge']);
    expect(largestToDrop(sizes, 6000, 500)).toStrictEqual(['huge', 'medium']);
  });

  it('drops nothing when the list already fits', () => {
    expect(largestToDrop(new Map([['a', 10]]), 10, 10)).toStrictEqual([]);
  });

  it('measures each provider in UTF-8 bytes of its serialised models, commas included', () => {
    const models = [model('a', 'x'), model('a', 'y'), model('b', 'ü')];
    const sizes = bytesByProvider(models);
    const bytes = (m: Model) => new TextEncoder().encode(JSON.stringify(m)).byteLength + 1;
    expect(sizes.get('a')).toBe(bytes(model('a', 'x')) + bytes(model('a', 'y')));
    // 'ü' is two bytes twice (id and upstream_id): counted in bytes, not UTF-16 units.
    expect(sizes.get('b')).toBe(JSON.stringify(model('b', 'ü')).length + 2 + 1);
    // Every model's bytes plus the envelope `{"object":"list","data":[` + `]}` minus the last comma.
    const body = JSON.stringify({ object: 'list', data: models });
    const total = [...sizes.values()].reduce((sum, n) => sum + n, 0);
    expect(new TextEncoder().encode(body).byteLength).toBe(total - 1 + '{"object":"list","data":[]}'.length);
  });
});
