import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/model.ts';
import { merge } from '../../src/refresh/merge.ts';

/** A normalised model as fetchProvider yields it. */
function model(provider: string, id: string): Model {
  return { id, object: 'model', owned_by: provider, provider, upstream_id: id };
}

describe('merge', () => {
  it('sorts by id in code-unit order, the same on every machine whatever its locale', () => {
    const ids = ['gpt-4o', 'ärger', 'Zephyr', 'claude-3', 'a/b', 'a-b', 'A'];
    const { models } = merge([{ provider: 'p', prefix: '', models: ids.map((id) => model('p', id)) }]);
    // Locale order would put 'A' next to 'a-b' and 'ärger' among the a's.
    expect(models.map((m) => m.id)).toStrictEqual(['A', 'Zephyr', 'a-b', 'a/b', 'claude-3', 'gpt-4o', 'ärger']);
  });

  it('gives a clashing id to the provider listed first, whatever the order of its models', () => {
    const { models } = merge([
      { provider: 'openai', prefix: '', models: [model('openai', 'gpt-4o'), model('openai', 'gpt-4.1')] },
      { provider: 'azure', prefix: '', models: [model('azure', 'gpt-4o')] },
    ]);
    expect(models).toStrictEqual([model('openai', 'gpt-4.1'), model('openai', 'gpt-4o')]);
  });

  it('records every clash as {id, kept, dropped}', () => {
    const { clashes } = merge([
      { provider: 'openai', prefix: '', models: [model('openai', 'gpt-4o')] },
      { provider: 'azure', prefix: '', models: [model('azure', 'gpt-4o'), model('azure', 'o3')] },
      { provider: 'proxy', prefix: '', models: [model('proxy', 'o3'), model('proxy', 'gpt-4o')] },
    ]);
    expect(clashes).toStrictEqual([
      { id: 'gpt-4o', kept: 'openai', dropped: 'azure' },
      { id: 'o3', kept: 'azure', dropped: 'proxy' },
      { id: 'gpt-4o', kept: 'openai', dropped: 'proxy' },
    ]);
  });

  it('keeps one copy of an id a provider lists twice, without calling it a clash', () => {
    const { models, clashes, counts } = merge([{ provider: 'vllm', prefix: '', models: [model('vllm', 'qwen'), model('vllm', 'qwen')] }]);
    expect(models).toStrictEqual([model('vllm', 'qwen')]);
    expect(clashes).toStrictEqual([]);
    expect(counts.get('vllm')).toBe(1);
  });

  it('counts what each provider contributes after clashes, zero included, in PROVIDERS order', () => {
    const { counts } = merge([
      { provider: 'openai', prefix: '', models: [model('openai', 'gpt-4o'), model('openai', 'o3')] },
      { provider: 'azure', prefix: '', models: [model('azure', 'gpt-4o'), model('azure', 'dall-e-3')] },
      { provider: 'mirror', prefix: '', models: [model('mirror', 'o3')] },
      { provider: 'down', prefix: '', models: [] },
    ]);
    expect([...counts]).toStrictEqual([
      ['openai', 2],
      ['azure', 1],
      ['mirror', 0],
      ['down', 0],
    ]);
  });

  describe('a non-empty prefix belongs to its provider', () => {
    const victim = { provider: 'victim', prefix: 'victim/', models: [model('victim', 'victim/gpt-4o')] };
    const attacker = {
      provider: 'attacker',
      prefix: '',
      models: [model('attacker', 'victim/gpt-4o'), model('attacker', 'victim/admin-only'), model('attacker', 'llama-3')],
    };

    it.each([
      ['listed first', [victim, attacker]],
      ['listed last', [attacker, victim]],
    ])('another provider never takes an id under it, whether the owner is %s', (_, lists) => {
      const { models, clashes, counts } = merge(lists);
      expect(models).toStrictEqual([model('attacker', 'llama-3'), model('victim', 'victim/gpt-4o')]);
      expect(clashes).toStrictEqual([
        { id: 'victim/gpt-4o', kept: 'victim', dropped: 'attacker', prefix: 'victim/' },
        { id: 'victim/admin-only', kept: 'victim', dropped: 'attacker', prefix: 'victim/' },
      ]);
      expect(counts.get('attacker')).toBe(1);
    });

    it('gives an id to the longest prefix it starts with, so a nested prefix keeps its own ids', () => {
      const outer = { provider: 'azure', prefix: 'azure/', models: [model('azure', 'azure/gpt-4o'), model('azure', 'azure/eu/gpt-4o')] };
      const inner = { provider: 'azure-eu', prefix: 'azure/eu/', models: [model('azure-eu', 'azure/eu/gpt-4o')] };
      const { models, clashes } = merge([outer, inner]);
      expect(models).toStrictEqual([model('azure-eu', 'azure/eu/gpt-4o'), model('azure', 'azure/gpt-4o')]);
      expect(clashes).toStrictEqual([{ id: 'azure/eu/gpt-4o', kept: 'azure-eu', dropped: 'azure', prefix: 'azure/eu/' }]);
    });

    it('leaves providers sharing one prefix to the first-listed rule', () => {
      const { models, clashes } = merge([
        { provider: 'a', prefix: 'shared/', models: [model('a', 'shared/x')] },
        { provider: 'b', prefix: 'shared/', models: [model('b', 'shared/x'), model('b', 'shared/y')] },
      ]);
      expect(models).toStrictEqual([model('a', 'shared/x'), model('b', 'shared/y')]);
      expect(clashes).toStrictEqual([{ id: 'shared/x', kept: 'a', dropped: 'b' }]);
    });
  });
});
