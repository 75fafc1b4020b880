/**
 * @module Merges per-provider model lists into one: unique ids, sorted by id. A non-empty `prefix`
 * belongs to its provider (docs/behaviour.md, "What upstreams may not do"); any other shared id goes to the provider listed first.
 */
import type { Clash } from '../cache/status.ts';

/** What merging needs of a model: a fresh `Model`, or one carried over as its stored text (list-body.ts). */
export interface Listed {
  readonly id: string;
  readonly provider: string;
}

export interface Merged<T extends Listed> {
  models: T[];
  clashes: Clash[];
  /** How many models each provider contributes after clashes. */
  counts: Map<string, number>;
}

export interface ProviderModels<T extends Listed> {
  provider: string;
  /** The entry's `prefix` ('' for none). */
  prefix: string;
  models: readonly T[];
}

/**
 * `lists` in `PROVIDERS` order: on a shared id the earlier provider keeps it, unless the id is under
 * another's prefix. Each model is its own object (as `normalise` and `storedModels` make them): a
 * clash is reported at its model's place, found by identity. One sort and one pass, no map of ids: hashing thousands of fresh id strings costs
 * V8 more than sorting them, and in a sorted list a shared id is a run of neighbours.
 */
export function merge<T extends Listed>(lists: readonly ProviderModels<T>[]): Merged<T> {
  const owners = prefixOwners(lists);
  // Every model not claimed by another's prefix, in PROVIDERS order then each provider's own order:
  // its place in `all` is what decides who keeps a shared id, and the order clashes are reported in.
  const all: T[] = [];
  const claimed: { at: number; clash: Clash }[] = [];
  const counts = new Map<string, number>();
  for (const { provider, prefix, models } of lists) {
    counts.set(provider, 0);
    // Only a prefix longer than this provider's own (and starting with it) can claim its ids.
    const rivals = owners.filter((owner) => owner.prefix.length > prefix.length && owner.prefix.startsWith(prefix));
    for (const model of models) {
      const owner = rivals.length === 0 ? undefined : rivals.find((rival) => model.id.startsWith(rival.prefix));
      if (owner === undefined) all.push(model);
      // Reported between the model before it in `all` and the next one, as if it had a place there.
      else claimed.push({ at: all.length - 0.5, clash: { id: model.id, kept: owner.providers[0] ?? '', dropped: provider, prefix: owner.prefix } });
    }
  }
  // Code-unit order, not locale order: the same bytes (and ETag) on every machine. The sort is
  // stable, so of each run of equal ids the first is the earliest in `all`: the one kept.
  const sorted = all.slice().sort(byId);
  const models: T[] = [];
  const dropped: T[] = [];
  let kept: T | undefined;
  for (const model of sorted) {
    if (kept !== undefined && kept.id === model.id) {
      if (kept.provider !== model.provider) dropped.push(model);
      continue;
    }
    kept = model;
    models.push(model);
    counts.set(model.provider, (counts.get(model.provider) ?? 0) + 1);
  }
  if (dropped.length > 0) {
    // Rare: each clash is reported at its model's place in `all`, found once here.
    const places = new Map(all.map((model, at) => [model, at]));
    const keeper = new Map(models.map((model) => [model.id, model.provider]));
    for (const model of dropped) claimed.push({ at: places.get(model) ?? 0, clash: { id: model.id, kept: keeper.get(model.id) ?? '', dropped: model.provider } });
  }
  const clashes = claimed.sort((a, b) => a.at - b.at).map(({ clash }) => clash);
  return { models, clashes, counts };
}

const byId = (a: Listed, b: Listed) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

interface PrefixOwner {
  prefix: string;
  /** Every provider with this prefix, in `PROVIDERS` order: among them the first listed wins. */
  providers: string[];
}

/** Each non-empty prefix and its providers, longest first, so the longest matching prefix decides. */
function prefixOwners(lists: readonly ProviderModels<Listed>[]): PrefixOwner[] {
  const byPrefix = new Map<string, string[]>();
  for (const { provider, prefix } of lists) {
    if (prefix === '') continue;
    const providers = byPrefix.get(prefix);
    if (providers === undefined) byPrefix.set(prefix, [provider]);
    else providers.push(provider);
  }
  return Array.from(byPrefix, ([prefix, providers]) => ({ prefix, providers })).sort((a, b) => b.prefix.length - a.prefix.length);
}
