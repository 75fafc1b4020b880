/**
 * @module The merged list always fits KV's value limit (docs/behaviour.md, "Refresh"): when it would not, the largest
 * contributors are left out of this version, never the whole write. Only runs on an oversized list,
 * so the usual refresh pays nothing for it.
 */
import { entryJson, type ListEntry } from './list-body.ts';

/** UTF-8 bytes each provider's models take in the serialised list, each with its separating comma. */
export function bytesByProvider(models: readonly ListEntry[]): Map<string, number> {
  const encoder = new TextEncoder();
  const sizes = new Map<string, number>();
  for (const model of models) {
    sizes.set(model.provider, (sizes.get(model.provider) ?? 0) + encoder.encode(entryJson(model)).byteLength + 1);
  }
  return sizes;
}

/**
 * The providers to leave out so a list of `total` bytes fits in `budget`: the largest first, until
 * what remains fits. Ties go to the provider named first in `sizes`, so the choice is stable.
 */
export function largestToDrop(sizes: ReadonlyMap<string, number>, total: number, budget: number): string[] {
  const bySize = Array.from(sizes).sort((a, b) => b[1] - a[1]);
  const dropped: string[] = [];
  let remaining = total;
  for (const [provider, bytes] of bySize) {
    if (remaining <= budget) break;
    dropped.push(provider);
    remaining -= bytes;
  }
  return dropped;
}
