/** @module Merges per-provider model lists into one: unique ids, first provider wins, sorted by id. */
import type { Clash } from '../cache/status.ts';
import type { Model } from '../model.ts';

export interface Merged {
  models: Model[];
  clashes: Clash[];
  /** How many models each provider contributes after clashes. */
  counts: Map<string, number>;
}

/** `lists` in `PROVIDERS` order: on a shared id the earlier provider keeps it. */
export function merge(lists: { provider: string; models: Model[] }[]): Merged {
  const byId = new Map<string, Model>();
  const clashes: Clash[] = [];
  const counts = new Map<string, number>();
  for (const { provider, models } of lists) {
    counts.set(provider, 0);
    for (const model of models) {
      const kept = byId.get(model.id);
      if (kept === undefined) {
        byId.set(model.id, model);
        counts.set(provider, (counts.get(provider) ?? 0) + 1);
      } else if (kept.provider !== provider) {
        clashes.push({ id: model.id, kept: kept.provider, dropped: provider });
      }
    }
  }
  // Code-unit order, not locale order: the same bytes (and ETag) on every machine.
  const models = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { models, clashes, counts };
}
