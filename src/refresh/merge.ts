/**
 * @module Merges per-provider model lists into one: unique ids, sorted by id. A non-empty `prefix`
 * belongs to its provider (contract §11); any other shared id goes to the provider listed first.
 */
import type { Clash } from '../cache/status.ts';
import type { Model } from '../model.ts';

export interface Merged {
  models: Model[];
  clashes: Clash[];
  /** How many models each provider contributes after clashes. */
  counts: Map<string, number>;
}

export interface ProviderModels {
  provider: string;
  /** The entry's `prefix` ('' for none). */
  prefix: string;
  models: Model[];
}

/** `lists` in `PROVIDERS` order: on a shared id the earlier provider keeps it, unless the id is under another's prefix. */
export function merge(lists: ProviderModels[]): Merged {
  const owners = prefixOwners(lists);
  const byId = new Map<string, Model>();
  const clashes: Clash[] = [];
  const counts = new Map<string, number>();
  for (const { provider, prefix, models } of lists) {
    counts.set(provider, 0);
    // Only a prefix longer than this provider's own (and starting with it) can claim its ids.
    const rivals = owners.filter((owner) => owner.prefix.length > prefix.length && owner.prefix.startsWith(prefix));
    let count = 0;
    for (const model of models) {
      const owner = rivals.length === 0 ? undefined : rivals.find((rival) => model.id.startsWith(rival.prefix));
      if (owner !== undefined) {
        clashes.push({ id: model.id, kept: owner.providers[0] ?? '', dropped: provider, prefix: owner.prefix });
        continue;
      }
      const kept = byId.get(model.id);
      if (kept === undefined) {
        byId.set(model.id, model);
        count++;
      } else if (kept.provider !== provider) {
        clashes.push({ id: model.id, kept: kept.provider, dropped: provider });
      }
    }
    counts.set(provider, count);
  }
  // Code-unit order, not locale order: the same bytes (and ETag) on every machine.
  const models = Array.from(byId.values()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { models, clashes, counts };
}

interface PrefixOwner {
  prefix: string;
  /** Every provider with this prefix, in `PROVIDERS` order: among them the first listed wins. */
  providers: string[];
}

/** Each non-empty prefix and its providers, longest first, so the longest matching prefix decides. */
function prefixOwners(lists: ProviderModels[]): PrefixOwner[] {
  const byPrefix = new Map<string, string[]>();
  for (const { provider, prefix } of lists) {
    if (prefix === '') continue;
    const providers = byPrefix.get(prefix);
    if (providers === undefined) byPrefix.set(prefix, [provider]);
    else providers.push(provider);
  }
  return Array.from(byPrefix, ([prefix, providers]) => ({ prefix, providers })).sort((a, b) => b.prefix.length - a.prefix.length);
}
