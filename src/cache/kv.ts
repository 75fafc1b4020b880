/** @module The only code that touches Workers KV: the stored list, its status, and their limits. */
import { logEvent } from '../log.ts';
import type { CacheStatus } from './status.ts';

/** The merged list, pre-serialised so a hit is served without parse or stringify. */
export const LIST_KEY = 'models:list:v1';
/** Per-provider outcomes for `/admin/cache/status` and last-known-good bookkeeping. */
export const STATUS_KEY = 'models:status:v1';
/** KV refuses a shorter `expirationTtl`. */
export const KV_MIN_TTL_SECONDS = 60;
/** KV accepts one write per second to one key. */
export const KV_WRITE_INTERVAL_MS = 1000;
/**
 * How long a data centre's KV cache may answer the list without asking KV's central stores: KV's
 * minimum, below its 60 s default, so a purge or refresh reaches other data centres sooner.
 */
export const KV_CACHE_TTL_SECONDS = 30;
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
  /** `Config.fingerprint` of the configuration that produced the list (absent in lists from before it existed). */
  fingerprint?: string;
}

export interface StoredList {
  body: string;
  meta: ListMeta;
}

export async function readList(kv: KVNamespace): Promise<StoredList | null> {
  const { value, metadata } = await kv.getWithMetadata<ListMeta>(LIST_KEY, { type: 'text', cacheTtl: KV_CACHE_TTL_SECONDS });
  return value === null || metadata === null ? null : { body: value, meta: metadata };
}

export async function readStatus(kv: KVNamespace): Promise<CacheStatus | null> {
  return kv.get<CacheStatus>(STATUS_KEY, 'json');
}

/**
 * Writes the list and its status. KV allows one write per second per key: a 429 means a
 * concurrent refresh just wrote, so it is logged and otherwise ignored. Returns whether the list
 * was written.
 */
export async function writeList(kv: KVNamespace, list: StoredList, status: CacheStatus, ttlSeconds: number): Promise<boolean> {
  const expirationTtl = Math.max(ttlSeconds, KV_MIN_TTL_SECONDS);
  const [listWritten] = await Promise.all([
    tolerateRateLimit(() => kv.put(LIST_KEY, list.body, { expirationTtl, metadata: list.meta })),
    tolerateRateLimit(() => kv.put(STATUS_KEY, JSON.stringify(status), { expirationTtl })),
  ]);
  return listWritten;
}

/** Records a refresh that changed no models (every provider failed) without touching the list. */
export async function writeStatus(kv: KVNamespace, status: CacheStatus, ttlSeconds: number): Promise<void> {
  const expirationTtl = Math.max(ttlSeconds, KV_MIN_TTL_SECONDS);
  await tolerateRateLimit(() => kv.put(STATUS_KEY, JSON.stringify(status), { expirationTtl }));
}

/** A delete is a write too: one that meets the per-key limit right after a refresh is retried once. */
export async function deleteAll(kv: KVNamespace): Promise<void> {
  await Promise.all(
    [LIST_KEY, STATUS_KEY].map(async (key) => {
      if (await tolerateRateLimit(() => kv.delete(key))) return;
      await new Promise((resolve) => setTimeout(resolve, KV_WRITE_INTERVAL_MS));
      await kv.delete(key);
    }),
  );
}

async function tolerateRateLimit(write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (!isRateLimited(error)) throw error;
    logEvent('kv_write_rate_limited', { message: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

function isRateLimited(error: unknown): boolean {
  return /429|too many requests/i.test(error instanceof Error ? error.message : String(error));
}
