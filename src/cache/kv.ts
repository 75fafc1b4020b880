/** @module The only code that touches Workers KV: the stored list, its status, and their limits. */
import { logEvent } from '../log.ts';
import type { CacheStatus } from './status.ts';

/** The merged list, pre-serialised so a hit is served without parse or stringify. */
export const LIST_KEY = 'models:list:v1';
/** Per-provider outcomes for `/admin/cache/status` and last-known-good bookkeeping. */
export const STATUS_KEY = 'models:status:v1';
/** KV refuses a shorter `expirationTtl`. */
export const KV_MIN_TTL_SECONDS = 60;
/** KV's largest value; a larger list is recorded as an error, never written half. */
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;

/** Travels as KV metadata (at most 1024 bytes), so a read gets freshness without parsing the list. */
export interface ListMeta {
  /** Unix ms. */
  fetchedAt: number;
  freshUntil: number;
  expiresAt: number;
  /** Strong ETag of `body`, quotes included, computed once at write time. */
  etag: string;
  modelCount: number;
}

export interface StoredList {
  body: string;
  meta: ListMeta;
}

export async function readList(kv: KVNamespace): Promise<StoredList | null> {
  const { value, metadata } = await kv.getWithMetadata<ListMeta>(LIST_KEY, 'text');
  return value === null || metadata === null ? null : { body: value, meta: metadata };
}

export async function readStatus(kv: KVNamespace): Promise<CacheStatus | null> {
  return kv.get<CacheStatus>(STATUS_KEY, 'json');
}

/**
 * Writes the status, then the list (so a reader that sees the new list finds its status).
 * KV allows one write per second per key: a 429 means a concurrent refresh just wrote the same
 * data, so it is logged and otherwise ignored. Returns whether the list was written.
 */
export async function writeList(kv: KVNamespace, list: StoredList, status: CacheStatus, ttlSeconds: number): Promise<boolean> {
  const expirationTtl = Math.max(ttlSeconds, KV_MIN_TTL_SECONDS);
  return (
    (await tolerateRateLimit(() => kv.put(STATUS_KEY, JSON.stringify(status), { expirationTtl }))) &&
    (await tolerateRateLimit(() => kv.put(LIST_KEY, list.body, { expirationTtl, metadata: list.meta })))
  );
}

/** Records a refresh that changed no models (every provider failed) without touching the list. */
export async function writeStatus(kv: KVNamespace, status: CacheStatus, ttlSeconds: number): Promise<void> {
  const expirationTtl = Math.max(ttlSeconds, KV_MIN_TTL_SECONDS);
  await tolerateRateLimit(() => kv.put(STATUS_KEY, JSON.stringify(status), { expirationTtl }));
}

export async function deleteAll(kv: KVNamespace): Promise<void> {
  await Promise.all([kv.delete(LIST_KEY), kv.delete(STATUS_KEY)]);
}

async function tolerateRateLimit(write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/429|too many requests/i.test(message)) throw error;
    logEvent('kv_write_rate_limited', { message });
    return false;
  }
}
