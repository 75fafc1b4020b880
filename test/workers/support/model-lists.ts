/** @module Two versions of a 10,000-model list for the change feed's tests and its cost check: every 100th model changed, every 250th removed, 40 added. */
import type { Compared } from '../../../src/changes/diff.ts';

const byId = (a: Compared, b: Compared) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function tenThousand(): { previous: Compared[]; next: Compared[] } {
  const previous = Array.from({ length: 10_000 }, (_, i): Compared => {
    const id = `provider-${i % 7}/model-${String(i).padStart(5, '0')}`;
    return { id, provider: `p${i % 7}`, owned_by: `p${i % 7}`, name: id, context_length: 8192, created: 1_700_000_000 };
  }).sort(byId);
  const next = previous
    .filter((_, i) => i % 250 !== 0)
    .map((m, i) => (i % 100 === 0 ? { ...m, context_length: 16384 } : m))
    .concat(Array.from({ length: 40 }, (_, i): Compared => ({ id: `zz-new-${i}`, provider: 'p0', owned_by: 'p0' })))
    .sort(byId);
  return { previous, next };
}
