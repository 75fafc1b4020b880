/** @module This isolate's copy of the stored list, in front of KV, and the id index built from it. */
import type { Model } from '../model.ts';
import type { StoredList } from './kv.ts';

/**
 * How long an isolate answers from memory before reading KV again. It bounds how late this
 * isolate sees a purge or refresh made in another isolate: KV propagation (~60 s) plus this.
 */
export const MEMORY_TTL_MS = 5_000;

let held: { list: StoredList; until: number } | undefined;
let index: { etag: string; byId: Map<string, Model> } | undefined;

export function recall(now: number): StoredList | undefined {
  return held !== undefined && now < held.until ? held.list : undefined;
}

export function remember(list: StoredList, now: number): void {
  held = { list, until: now + MEMORY_TTL_MS };
}

export function forget(): void {
  held = undefined;
  index = undefined;
}

/** Models by id, parsed once per stored version (ETag), not once per request. */
export function modelsById(list: StoredList): Map<string, Model> {
  if (index?.etag !== list.meta.etag) {
    const { data } = JSON.parse(list.body) as { data: Model[] };
    index = { etag: list.meta.etag, byId: new Map(data.map((model) => [model.id, model])) };
  }
  return index.byId;
}
