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
    const { models } = merge([{ provider: 'p', models: ids.map((id) => model('p', id)) }]);
    // Locale order would put 'A' next to 'a-b' and 'ärger' among the a's.
    expect(models.map((m) => m.id)).toStrictEqual(['A', 'Zephyr', 'a-b', 'a/b', 'claude-3', 'gpt-4o', 'ärger']);
  });

  it('gives a clashing id to the provider listed first, whatever the order of its models', () => {
    const { models } = merge([
      { provider: 'openai', models: [model('openai', 'gpt-4o'), model('openai', 'gpt-4.1')] },
      { provider: 'azure', models: [model('azure', 'gpt-4o')] },
    ]);
    expect(models).toStrictEqual([model('openai', 'gpt-4.1'), model('openai', 'gpt-4o')]);
  });

  it('records every clash as {id, kept, dropped}', () => {
    const { clashes } = merge([
      { provider: 'openai', models: [model('openai', 'gpt-4o')] },
      { provider: 'azure', models: [model('azure', 'gpt-4o'), model('azure', 'o3')] },
      { provider: 'proxy', models: [model('proxy', 'o3'), model('proxy', 'gpt-4o')] },
    ]);
    expect(clashes).toStrictEqual([
      { id: 'gpt-4o', kept: 'openai', dropped: 'azure' },
      { id: 'o3', kept: 'azure', dropped: 'proxy' },
      { id: 'gpt-4o', kept: 'openai', dropped: 'proxy' },
    ]);
  });

  it('keeps one copy of an id a provider lists twice, without calling it a clash', () => {
    const { models, clashes, counts } = merge([{ provider: 'vllm', models: [model('vllm', 'qwen'), model('vllm', 'qwen')] }]);
    expect(models).toStrictEqual([model('vllm', 'qwen')]);
    expect(clashes).toStrictEqual([]);
    expect(counts.get('vllm')).toBe(1);
  });

  it('counts what each provider contributes after clashes, zero included, in PROVIDERS order', () => {
    const { counts } = merge([
      { provider: 'openai', models: [model('openai', 'gpt-4o'), model('openai', 'o3')] },
      { provider: 'azure', models: [model('azure', 'gpt-4o'), model('azure', 'dall-e-3')] },
      { provider: 'mirror', models: [model('mirror', 'o3')] },
      { provider: 'down', models: [] },
    ]);
    expect([...counts]).toStrictEqual([
      ['openai', 2],
      ['azure', 1],
      ['mirror', 0],
      ['down', 0],
    ]);
  });
});
