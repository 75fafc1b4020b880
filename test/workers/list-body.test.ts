import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/model.ts';
import { entryJson, listBody, type ListEntry } from '../../src/refresh/list-body.ts';
import { storedModels } from '../../src/refresh/list-scan.ts';

function model(provider: string, id: string, name?: string): Model {
  const m: Model = { id, object: 'model', owned_by: provider, provider, upstream_id: id };
  if (name !== undefined) m.name = name;
  return m;
}

// Ids and names with every character that could confuse a scan: quotes, backslashes, braces, and the
// text of a model start and of a provider field inside strings.
const models = [
  model('openai', 'a"quoted"', 'name with } and {"id":"x","object":"model"}'),
  model('openai-eu', 'b\\slash', '"provider":"openai"'),
  model('openai', 'c/ünïcode-✓', 'plain'),
  model('anthropic', 'd}{', undefined),
  model('openai', 'e', '\\'),
];
const body = JSON.stringify({ object: 'list', data: models });

describe('the stored list body', () => {
  it('is what JSON.stringify writes for the list', () => {
    expect(listBody(models)).toBe(body);
    expect(listBody([])).toBe('{"object":"list","data":[]}');
  });

  it('finds exactly one provider\'s models in it, as their own JSON text, whatever their ids and names hold', () => {
    const found = storedModels(body, ['openai', 'openai-eu', 'anthropic', 'gone']);
    for (const provider of ['openai', 'openai-eu', 'anthropic', 'gone']) {
      const expected = models.filter((m) => m.provider === provider);
      expect(found.get(provider)?.map((s) => s.id)).toStrictEqual(expected.map((m) => m.id));
      expect(found.get(provider)?.map((s) => s.json)).toStrictEqual(expected.map((m) => JSON.stringify(m)));
      expect(found.get(provider)?.every((s) => s.provider === provider)).toBe(true);
    }
  });

  it('writes kept models back byte for byte: a list mixing kept and fresh models is the list of all of them fresh', () => {
    const kept = storedModels(body, ['openai']).get('openai') ?? [];
    const mixed: ListEntry[] = models.map((m) => kept.find((k) => k.id === m.id) ?? m);
    expect(mixed.filter((e) => 'json' in e)).toHaveLength(3);
    expect(listBody(mixed)).toBe(body);
    expect(listBody(kept)).toBe(JSON.stringify({ object: 'list', data: models.filter((m) => m.provider === 'openai') }));
    expect(mixed.map(entryJson)).toStrictEqual(models.map((m) => JSON.stringify(m)));
  });

  it('reads a body stored one model per line, and parses whole one it cannot scan', () => {
    const lines = `{"object":"list","data":[\n${models.map((m) => JSON.stringify(m)).join(',\n')}\n]}`;
    const indented = JSON.stringify({ object: 'list', data: models }, null, 2);
    for (const stored of [lines, indented]) {
      const found = storedModels(stored, ['openai']).get('openai') ?? [];
      expect(found.map((s) => s.json)).toStrictEqual(models.filter((m) => m.provider === 'openai').map((m) => JSON.stringify(m)));
    }
  });
});
