/** @module This isolate's copy of the stored list, in front of KV. */
import type { StoredList } from './kv.ts';

/**
 * How long an isolate answers from memory before reading KV again. It bounds how late this
 * isolate sees a purge or refresh made in another isolate: KV propagation plus this.
 */
export const MEMORY_TTL_MS = 5_000;

let held: { list: StoredList; until: number } | undefined;

export function recall(now: number): StoredList | undefined {
  return held !== undefined && now < held.until ? held.list : undefined;
}

export function remember(list: StoredList, now: number): void {
  held = { list, until: now + MEMORY_TTL_MS };
}

export function forget(): void {
  held = undefined;
}
