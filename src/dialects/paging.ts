/**
 * @module Cursor paging over a scope's models, for the dialects' own list shapes. The list is sorted
 * by id (code-unit order, as merge sorts it), so a cursor is an id and its place is found by binary
 * search: a cursor whose model has since left the list still pages on from where it stood.
 */
import type { Model } from '../model.ts';

/** The index of the first model whose id is after `id` (`inclusive`: at or after). */
export function positionAfter(models: readonly Model[], id: string, inclusive: boolean): number {
  let low = 0;
  let high = models.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const at = models[middle]?.id ?? '';
    if (at < id || (!inclusive && at === id)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A whole number in [min, max] from a query value, `fallback` when absent, or undefined when it is not one. */
export function pageSize(raw: string | undefined, fallback: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,7}$/.test(raw)) return undefined;
  const size = Number(raw);
  return size >= 1 && size <= max ? size : undefined;
}
