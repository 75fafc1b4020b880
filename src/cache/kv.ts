/**
 * @module The only code that touches Workers KV: the stored list, its status, the client-key index,
 * their limits, and how KV itself is doing.
 */
import { logEvent } from '../log.ts';
import type { CacheStatus } from './status.ts';

/** The merged list, pre-serialised so a hit is served without parse or stringify. */
export const LIST_KEY = 'models:list:v1';
/** Per-provider outcomes for `/admin/cache/status` and last-known-good bookkeeping. */
export const STATUS_KEY = 'models:status:v1';
/** The index of every client key (keys/store.ts reads it; the coordinator writes it). */
export const KEYS_KEY = 'clientkeys:v1';
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
/** A KV error message enters the status and the logs cut to this, like upstream text. */
const MAX_ERROR_CHARS = 200;

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
  /**
   * The purge generation it was written under: the coordinator's, or, written without it, the newest
   * this isolate had heard of. Absent only on a list built but not yet written, or stored before generations existed.
   */
  generation?: number;
}

export interface StoredList {
  body: string;
  meta: ListMeta;
}

/** A KV read as a value: KV failing is expected (it happened for hours on 2025-06-12), not a bug. */
export type StoreRead<T> = { ok: true; value: T } | { ok: false; error: string };

export function tryReadList(kv: KVNamespace): Promise<StoreRead<StoredList | null>> {
  return attemptRead(LIST_KEY, () => listRead(kv));
}

async function listRead(kv: KVNamespace): Promise<StoredList | null> {
  const { value, metadata } = await kv.getWithMetadata<ListMeta>(LIST_KEY, { type: 'text', cacheTtl: KV_CACHE_TTL_SECONDS });
  return value === null || metadata === null ? null : { body: value, meta: metadata };
}

/** The list and the status as one KV read holds them. */
export interface StoredPair {
  list: StoredList | null;
  /** Null when there is none, or when what is stored is not JSON (a status never costs the list). */
  status: CacheStatus | null;
}

/**
 * The list and the status in one bulk read: one round trip where a cold miss would wait for two
 * (the list, then whether a fill just failed elsewhere). KV bills each key, so readers that expect
 * a list read it alone (`tryReadList`). KV refuses a bulk read whose values pass 25 MB together (a
 * list near the value limit plus its status): a refused bulk read is tried again as two reads, so the
 * status never costs the list, and only the list's own read failing is a failed read.
 */
export function tryReadListAndStatus(kv: KVNamespace): Promise<StoreRead<StoredPair>> {
  return attemptRead(LIST_KEY, async () => {
    let read: Map<string, KVNamespaceGetWithMetadataResult<string, ListMeta> | null>;
    try {
      read = await kv.getWithMetadata<ListMeta>([LIST_KEY, STATUS_KEY], { type: 'text', cacheTtl: KV_CACHE_TTL_SECONDS });
    } catch {
      const [list, status] = await Promise.all([listRead(kv), kv.get(STATUS_KEY, 'text').catch(() => null)]);
      return { list, status: status === null ? null : parsedStatus(status) };
    }
    // A key that is not there maps to null itself, not to `{ value: null }`.
    const list = read.get(LIST_KEY) ?? null;
    const status = read.get(STATUS_KEY)?.value ?? null;
    return {
      list: list === null || list.value === null || list.metadata === null ? null : { body: list.value, meta: list.metadata },
      status: status === null ? null : parsedStatus(status),
    };
  });
}

/** Stored text that is not JSON is no status: it never counts as KV failing. */
function parsedStatus(text: string): CacheStatus | null {
  try {
    return JSON.parse(text) as CacheStatus;
  } catch {
    return null;
  }
}

export function tryReadStatus(kv: KVNamespace): Promise<StoreRead<CacheStatus | null>> {
  return attemptRead(STATUS_KEY, async () => {
    const text = await kv.get(STATUS_KEY, 'text');
    return text === null ? null : parsedStatus(text);
  });
}

/** For callers that can do without the stored status: null when there is none or KV fails. */
export async function readStatus(kv: KVNamespace): Promise<CacheStatus | null> {
  const read = await tryReadStatus(kv);
  return read.ok ? read.value : null;
}

/**
 * Writes the list and its status. KV allows one write per second per key: a 429 means a
 * concurrent refresh just wrote, so it is logged and otherwise ignored. Any other failure is KV
 * failing: logged and recorded, never thrown, so a fetched list is still served. Returns whether
 * the list was written.
 */
export async function writeList(kv: KVNamespace, list: StoredList, status: CacheStatus, ttlSeconds: number): Promise<boolean> {
  const expirationTtl = Math.max(ttlSeconds, KV_MIN_TTL_SECONDS);
  const [listWritten] = await Promise.all([
    attemptWrite(LIST_KEY, () => kv.put(LIST_KEY, list.body, { expirationTtl, metadata: list.meta })),
    attemptWrite(STATUS_KEY, () => kv.put(STATUS_KEY, JSON.stringify(status), { expirationTtl })),
  ]);
  return listWritten;
}

/** Records a refresh that changed no models (every provider failed) without touching the list. */
export async function writeStatus(kv: KVNamespace, status: CacheStatus, ttlSeconds: number): Promise<void> {
  const expirationTtl = Math.max(ttlSeconds, KV_MIN_TTL_SECONDS);
  await attemptWrite(STATUS_KEY, () => kv.put(STATUS_KEY, JSON.stringify(status), { expirationTtl }));
}

/**
 * A delete is a write too: one that meets the per-key limit right after a refresh is retried once.
 * Throws when KV fails: a purge that did not happen must not look like one.
 */
export async function deleteAll(kv: KVNamespace): Promise<void> {
  await Promise.all(
    [LIST_KEY, STATUS_KEY].map(async (key) => {
      try {
        if (!(await tolerateRateLimit(() => kv.delete(key)))) {
          await new Promise((resolve) => setTimeout(resolve, KV_WRITE_INTERVAL_MS));
          await kv.delete(key);
        }
        noteSuccess('write');
      } catch (error) {
        logEvent('kv_write_failed', { key, message: noteFailure('write', error) });
        throw error;
      }
    }),
  );
}

/** How KV has been doing in this isolate: the status shows it, and a failure opens the failure pause. */
export interface StoreHealth {
  ok: boolean;
  /** The last failure's message, cut and cleaned. */
  error: string | null;
  /** Unix ms of the first failure in the current streak. */
  since: number | null;
  /** Unix ms of the last failure, whatever came after it. */
  lastFailureAt: number | null;
}

/** The client-key index's reads are an operation of their own: a list read that succeeds says nothing about them. */
type Operation = 'read' | 'write' | 'key read';

/** Isolate cache: KV's current failure streaks. Reads and writes fail and recover apart (a write-only outage, a read-only one), so each keeps its own. */
const kvFailureStreaks = new Map<Operation, { error: string; since: number }>();
/** Isolate cache: KV's last failure in this isolate, whatever came after it. */
let lastKvFailure: { error: string; at: number } | undefined;

/** `storeHealth().ok` without building the rest: read on every memory hit. */
export function storeOk(): boolean {
  return kvFailureStreaks.size === 0;
}

export function storeHealth(): StoreHealth {
  const current = [...kvFailureStreaks.values()];
  const latest = lastKvFailure;
  return {
    ok: current.length === 0,
    error: current.length === 0 ? null : (latest?.error ?? null),
    since: current.length === 0 ? null : Math.min(...current.map((s) => s.since)),
    lastFailureAt: latest?.at ?? null,
  };
}

/** What a fresh isolate knows about KV: nothing has failed (tests start each case here). */
export function forgetStoreHealth(): void {
  kvFailureStreaks.clear();
  lastKvFailure = undefined;
}

async function attemptRead<T>(key: string, read: () => Promise<T>, operation: Operation = 'read'): Promise<StoreRead<T>> {
  try {
    const value = await read();
    noteSuccess(operation);
    return { ok: true, value };
  } catch (error) {
    const message = noteFailure(operation, error);
    logEvent('kv_read_failed', { key, message });
    return { ok: false, error: message };
  }
}

/** True when written; false when KV refused it (logged, and recorded unless it was the tolerated 429). */
async function attemptWrite(key: string, write: () => Promise<void>): Promise<boolean> {
  try {
    const written = await tolerateRateLimit(write);
    noteSuccess('write');
    return written;
  } catch (error) {
    const message = noteFailure('write', error);
    logEvent('kv_write_failed', { key, message });
    return false;
  }
}

function noteSuccess(operation: Operation): void {
  kvFailureStreaks.delete(operation);
}

function noteFailure(operation: Operation, error: unknown): string {
  const message = `KV ${operation} failed: ${cleanMessage(error)}`;
  const now = Date.now();
  kvFailureStreaks.set(operation, { error: message, since: kvFailureStreaks.get(operation)?.since ?? now });
  lastKvFailure = { error: message, at: now };
  return message;
}

function cleanMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, MAX_ERROR_CHARS);
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

/** KV's one-write-per-second-per-key refusal. */
export function isRateLimited(error: unknown): boolean {
  return /429|too many requests/i.test(error instanceof Error ? error.message : String(error));
}

/** The client-key index as stored: its text and version, or a null value when there is none. A failure shows in `storeHealth`, as the list's do. */
export function tryReadKeyIndex(kv: KVNamespace): Promise<StoreRead<{ value: string | null; version: string | undefined }>> {
  return attemptRead(KEYS_KEY, async () => {
    const { value, metadata } = await kv.getWithMetadata<{ version?: unknown }>(KEYS_KEY, { type: 'text', cacheTtl: KV_CACHE_TTL_SECONDS });
    return { value, version: typeof metadata?.version === 'string' ? metadata.version : undefined };
  }, 'key read');
}

/** Writes the client-key index; one write refused by the per-key limit is made again a second later. Throws when KV fails. */
export async function writeKeyIndex(kv: KVNamespace, body: string, version: string): Promise<void> {
  const put = () => kv.put(KEYS_KEY, body, { metadata: { version } });
  if (!(await tolerateRateLimit(put))) {
    await new Promise((resolve) => setTimeout(resolve, KV_WRITE_INTERVAL_MS));
    await put();
  }
}
