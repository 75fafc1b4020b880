/**
 * @module The stored list's bytes. A model kept from the previous list (found there by
 * refresh/list-scan.ts) is carried into the next one as the JSON text it was stored as: never parsed,
 * never serialised again, and the bytes come out exactly as `JSON.stringify` would write them for the
 * model itself, so a list carrying kept models has the same ETag as one fetched fresh.
 */
import type { Model } from '../model.ts';

/** A model of the previous list, as its JSON text there. */
export interface StoredModel {
  readonly id: string;
  readonly provider: string;
  readonly json: string;
}

/** What a list is built from: fresh models, and kept ones. */
export type ListEntry = Model | StoredModel;

const isStored = (entry: ListEntry): entry is StoredModel => 'json' in entry;

/** `{"object":"list","data":[…]}`, exactly as `JSON.stringify` writes it, whichever entries were kept. */
export function listBody(entries: readonly ListEntry[]): string {
  const parts: string[] = [];
  let run = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as ListEntry;
    if (!isStored(entry)) continue;
    if (i > run) parts.push(JSON.stringify(entries.slice(run, i)).slice(1, -1));
    parts.push(entry.json);
    run = i + 1;
  }
  // The usual refresh: every provider answered, one JSON.stringify of the whole list.
  if (parts.length === 0) return JSON.stringify({ object: 'list', data: entries });
  if (run < entries.length) parts.push(JSON.stringify(entries.slice(run)).slice(1, -1));
  return `{"object":"list","data":[${parts.join(',')}]}`;
}

/** The UTF-8 bytes one entry takes in the list, without its separating comma. */
export function entryJson(entry: ListEntry): string {
  return isStored(entry) ? entry.json : JSON.stringify(entry);
}
