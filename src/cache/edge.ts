/**
 * @module A copy of a value outside Workers KV, in this data centre's Cache API, read only when KV
 * fails. It works on custom domains (and routes) only: on `*.workers.dev`, and in front of
 * Cloudflare Access, the Cache API does nothing
 * (https://developers.cloudflare.com/workers/runtime-apis/cache/).
 */
import { logEvent } from '../log.ts';
import type { ListMeta, StoredList } from './kv.ts';

/**
 * Cache API keys are URLs. `.invalid` never resolves (RFC 6761), so a key can never be mistaken for a
 * page of the zone, nor be reached from outside: only `cache.match` in this worker reads it.
 */
const KEY_ORIGIN = 'https://models-edge.invalid/copies/';
/** The copy's metadata travels in a header, so a read needs no second entry. */
const META_HEADER = 'X-Copy-Meta';

/** What a copy needs besides its body: a version (one put per version per isolate) and when it stops being servable. */
export interface CopyTerms {
  version: string;
  /** Unix ms. */
  expiresAt: number;
}

export interface EdgeCopy {
  body: string;
  /** As stored: the caller narrows it. */
  meta: unknown;
}

/** Isolate cache: the version of each copy this isolate has put, so a copy is written once per version, never per request. */
const copiedVersions = new Map<string, string>();

/**
 * Puts `body` and `meta` under `name` until `terms.expiresAt`, unless this isolate already put that
 * version. `cache` defaults to `caches.default`, looked up inside the try: never throws.
 */
export async function edgePut(name: string, body: string, meta: unknown, terms: CopyTerms, cache?: Cache): Promise<void> {
  const ttlSeconds = Math.floor((terms.expiresAt - Date.now()) / 1000);
  if (copiedVersions.get(name) === terms.version || ttlSeconds <= 0) return;
  copiedVersions.set(name, terms.version);
  try {
    const headers = { 'Content-Type': 'application/json', 'Cache-Control': `public, s-maxage=${ttlSeconds}`, [META_HEADER]: JSON.stringify(meta) };
    await (cache ?? caches.default).put(keyOf(name), new Response(body, { headers }));
  } catch (error) {
    copiedVersions.delete(name);
    logEvent('edge_copy_failed', { name, message: error instanceof Error ? error.message : String(error) });
  }
}

/** The copy under `name`, or null when there is none or the Cache API fails. */
export async function edgeGet(name: string, cache?: Cache): Promise<EdgeCopy | null> {
  try {
    const response = await (cache ?? caches.default).match(keyOf(name));
    if (response === undefined) return null;
    const meta: unknown = JSON.parse(response.headers.get(META_HEADER) ?? 'null');
    return { body: await response.text(), meta };
  } catch {
    return null;
  }
}

/** Drops the copy in this data centre (a purge); other data centres keep theirs until it expires. */
export async function edgeDelete(name: string, cache?: Cache): Promise<void> {
  copiedVersions.delete(name);
  try {
    await (cache ?? caches.default).delete(keyOf(name));
  } catch {
    // Nothing to drop where the Cache API does nothing.
  }
}

const keyOf = (name: string) => KEY_ORIGIN + encodeURIComponent(name);

/** The merged list's copy. */
export const LIST_COPY = 'list';

/** Whether this isolate already put this version of the list's copy: then a read has nothing to hand to `waitUntil`. */
export function listCopied(list: StoredList): boolean {
  return copiedVersions.get(LIST_COPY) === listVersion(list);
}

/** Keeps the list outside KV, once per version. */
export function putListCopy(list: StoredList): Promise<void> {
  return edgePut(LIST_COPY, list.body, list.meta, { version: listVersion(list), expiresAt: list.meta.expiresAt });
}

/**
 * A version of the list's copy: its bytes and its purge generation. The same bytes refilled after a
 * purge are a new version, so the data centre's copy is put again under the new generation (readers
 * that know of the purge refuse the old one).
 */
const listVersion = (list: StoredList) => `${list.meta.etag}@${list.meta.generation ?? ''}`;

/** The list's copy, if this data centre has one that has not expired. */
export async function getListCopy(now: number): Promise<StoredList | null> {
  const copy = await edgeGet(LIST_COPY);
  const meta = copy === null ? null : asListMeta(copy.meta);
  return copy === null || meta === null || now >= meta.expiresAt ? null : { body: copy.body, meta };
}

function asListMeta(value: unknown): ListMeta | null {
  if (typeof value !== 'object' || value === null) return null;
  const meta = value as Record<string, unknown>;
  const numbers = ['fetchedAt', 'freshUntil', 'expiresAt', 'modelCount'].every((field) => typeof meta[field] === 'number');
  return numbers && typeof meta.etag === 'string' ? (value as ListMeta) : null;
}

/** What a new isolate knows: no copy put yet. */
export function forgetCopiedVersions(): void {
  copiedVersions.clear();
}
