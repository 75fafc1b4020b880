/**
 * @module What changed between two list versions: models added, removed, and changed in a field a
 * client relies on. One merge pass over two lists sorted by id (as every stored list is), so 10,000
 * models cost one walk, no map. A provider that failed this refresh changes nothing: its models stay
 * as last seen (they come back unannounced when it recovers); a provider taken out of `PROVIDERS` has
 * its models removed.
 */
import type { Model } from '../model.ts';

/** The fields whose change is news to a client; anything else (`upstream_id`, `object`) is not. */
export const WATCHED_FIELDS = ['name', 'context_length', 'max_output_tokens', 'created', 'owned_by', 'provider'] as const;
export type WatchedField = (typeof WATCHED_FIELDS)[number];

/** A watched field's value before and after; null where the model had none. */
export interface FieldChange {
  from: string | number | null;
  to: string | number | null;
}

export type Change =
  | { type: 'added'; model: string; provider: string }
  | { type: 'removed'; model: string; provider: string }
  | { type: 'changed'; model: string; provider: string; fields: Partial<Record<WatchedField, FieldChange>> };

/** What a model needs for a diff: the watched fields and its id. */
export type Compared = Pick<Model, 'id' | WatchedField>;

export interface DiffContext {
  /** The providers `PROVIDERS` names now. */
  configured: ReadonlySet<string>;
  /** The providers whose fetch failed this refresh (kept from their last good list, or absent). */
  failed: ReadonlySet<string>;
}

export interface Diff<T extends Compared> {
  changes: Change[];
  /**
   * The list the next diff compares with: `next`, plus the models a failed provider had before and
   * no longer has in `next` (its last good list aged out or was left out to fit), so they are neither
   * removed now nor added again when it recovers. Sorted by id.
   */
  baseline: T[];
}

/**
 * The changes from `previous` to `next`, both sorted by id in code-unit order. With no previous
 * version (the first list ever seen) nothing is news: the feed starts from that list.
 */
export function diffLists<T extends Compared>(previous: readonly T[] | null, next: readonly T[], context: DiffContext): Diff<T> {
  if (previous === null) return { changes: [], baseline: next.slice() };
  const changes: Change[] = [];
  const baseline: T[] = [];
  let i = 0;
  let j = 0;
  let lastId: string | undefined;
  while (i < previous.length || j < next.length) {
    const before = previous[i];
    const after = next[j];
    const id = before !== undefined && (after === undefined || before.id <= after.id) ? before.id : (after?.id ?? '');
    if (lastId !== undefined && id <= lastId) throw new Error(`diffLists: lists must be sorted by id with unique ids ('${id}' after '${lastId}')`);
    lastId = id;
    if (before !== undefined && before.id === id && after !== undefined && after.id === id) {
      const fields = changedFields(before, after);
      if (fields !== undefined) changes.push({ type: 'changed', model: id, provider: after.provider, fields });
      baseline.push(after);
      i++;
      j++;
    } else if (before !== undefined && before.id === id) {
      // Gone from the list: removed, unless its provider is configured and only failed this time.
      if (context.failed.has(before.provider) && context.configured.has(before.provider)) baseline.push(before);
      else changes.push({ type: 'removed', model: id, provider: before.provider });
      i++;
    } else if (after !== undefined) {
      changes.push({ type: 'added', model: id, provider: after.provider });
      baseline.push(after);
      j++;
    }
  }
  return { changes, baseline };
}

/** The watched fields that differ, or undefined when none does (the common case: no allocation). */
function changedFields(before: Compared, after: Compared): Partial<Record<WatchedField, FieldChange>> | undefined {
  let fields: Partial<Record<WatchedField, FieldChange>> | undefined;
  for (const field of WATCHED_FIELDS) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (from !== to) (fields ??= {})[field] = { from, to };
  }
  return fields;
}
