import { describe, expect, it } from 'vitest';
import { diffLists, type Compared } from '../../src/changes/diff.ts';
import { tenThousand } from './support/model-lists.ts';

function model(provider: string, id: string, extra: Partial<Compared> = {}): Compared {
  return { id, owned_by: provider, provider, ...extra };
}
const context = (configured: string[], failed: string[] = []) => ({ configured: new Set(configured), failed: new Set(failed) });
const byId = (a: Compared, b: Compared) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('diffLists', () => {
  it('finds models added, removed and changed between two versions', () => {
    const previous = [model('openai', 'gpt-4o', { context_length: 128000 }), model('openai', 'gpt-4o-mini'), model('openai', 'o1')];
    const next = [model('openai', 'gpt-4o', { context_length: 200000 }), model('openai', 'gpt-5'), model('openai', 'o1')];
    const { changes } = diffLists(previous, next, context(['openai']));
    expect(changes).toStrictEqual([
      { type: 'changed', model: 'gpt-4o', provider: 'openai', fields: { context_length: { from: 128000, to: 200000 } } },
      { type: 'removed', model: 'gpt-4o-mini', provider: 'openai' },
      { type: 'added', model: 'gpt-5', provider: 'openai' },
    ]);
  });

  it('names every watched field that changed, a field that appears or goes included, and ignores the others', () => {
    const before = { ...model('a', 'm', { name: 'M', created: 1, max_output_tokens: 4096 }), upstream_id: 'm' };
    const after = { ...model('b', 'm', { name: 'M 2', owned_by: 'someone', context_length: 8192 }), upstream_id: 'other' };
    const { changes } = diffLists([before], [after], context(['a', 'b']));
    expect(changes).toStrictEqual([
      {
        type: 'changed',
        model: 'm',
        provider: 'b',
        fields: {
          name: { from: 'M', to: 'M 2' },
          context_length: { from: null, to: 8192 },
          max_output_tokens: { from: 4096, to: null },
          created: { from: 1, to: null },
          owned_by: { from: 'a', to: 'someone' },
          provider: { from: 'a', to: 'b' },
        },
      },
    ]);
  });

  it('does not remove the models of a provider that failed, even when its last good list is no longer in the new version', () => {
    const previous = [model('anthropic', 'claude-a'), model('openai', 'gpt-4o'), model('anthropic', 'claude-b')].sort(byId);
    const next = [model('openai', 'gpt-4o')];
    const first = diffLists(previous, next, context(['openai', 'anthropic'], ['anthropic']));
    expect(first.changes).toStrictEqual([]);
    // The baseline keeps them: when the provider answers again with the same models, nothing is "added".
    expect(first.baseline.map((m) => m.id)).toStrictEqual(['claude-a', 'claude-b', 'gpt-4o']);
    const recovered = diffLists(first.baseline, previous, context(['openai', 'anthropic']));
    expect(recovered.changes).toStrictEqual([]);
  });

  it('does not remove the models of a failed provider kept from its last good list', () => {
    const list = [model('anthropic', 'claude-a'), model('openai', 'gpt-4o')];
    expect(diffLists(list, list, context(['openai', 'anthropic'], ['anthropic'])).changes).toStrictEqual([]);
  });

  it('removes every model of a provider taken out of PROVIDERS, failing or not', () => {
    const previous = [model('anthropic', 'claude-a'), model('openai', 'gpt-4o'), model('anthropic', 'claude-z')].sort(byId);
    const next = [model('openai', 'gpt-4o')];
    // `failed` may still name it (a stale status): gone from PROVIDERS wins.
    const { changes, baseline } = diffLists(previous, next, context(['openai'], ['anthropic']));
    expect(changes).toStrictEqual([
      { type: 'removed', model: 'claude-a', provider: 'anthropic' },
      { type: 'removed', model: 'claude-z', provider: 'anthropic' },
    ]);
    expect(baseline.map((m) => m.id)).toStrictEqual(['gpt-4o']);
  });

  it('removes a model a working provider no longer lists', () => {
    const { changes } = diffLists([model('openai', 'a'), model('openai', 'b')], [model('openai', 'a')], context(['openai'], ['ollama']));
    expect(changes).toStrictEqual([{ type: 'removed', model: 'b', provider: 'openai' }]);
  });

  it('announces nothing for the first list ever seen', () => {
    const next = [model('openai', 'a')];
    expect(diffLists(null, next, context(['openai']))).toStrictEqual({ changes: [], baseline: next });
  });

  it('refuses lists that are not sorted by id', () => {
    expect(() => diffLists([model('p', 'b'), model('p', 'a')], [], context(['p']))).toThrow(/sorted by id/);
  });

  it('compares two lists of 10,000 models: 40 added, 40 removed, 100 changed', () => {
    const { previous, next } = tenThousand();
    const { changes, baseline } = diffLists(previous, next, context(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']));
    const count = (type: string) => changes.filter((c) => c.type === type).length;
    expect([count('added'), count('removed'), count('changed')]).toStrictEqual([40, 40, 100]);
    expect(baseline).toHaveLength(next.length);
  });
});
