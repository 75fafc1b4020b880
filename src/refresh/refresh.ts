/**
 * @module The one refresh path: the cron, a cache miss, a stale read and the admin route all land
 * here (through refresh/shared.ts). Fans out to every provider, keeps a failed provider's last good
 * models, and replaces the stored list only with a usable result.
 */
import { KV_MAX_VALUE_BYTES, tryReadListAndStatus, writeList, writeStatus, type StoredList } from '../cache/kv.ts';
import { purgeCount, remember } from '../cache/memory.ts';
import type { CacheStatus, ProviderStatus } from '../cache/status.ts';
import type { Config } from '../config.ts';
import { logEvent } from '../log.ts';
import { fetchProvider, type ProviderResult } from './fetch-provider.ts';
import { bytesByProvider, largestToDrop } from './fit.ts';
import { inSlots } from './in-slots.ts';
import { listBody, storedModels, type ListEntry, type StoredModel } from './list-body.ts';
import { merge } from './merge.ts';

/**
 * A Worker may have 6 connections waiting for response headers at once; a seventh fetch would
 * queue with its timeout already running, so a provider past the sixth waits for a free slot instead.
 */
export const MAX_PARALLEL_PROVIDERS = 6;

export type RefreshTrigger = 'cron' | 'admin' | 'miss' | 'stale';

export interface RefreshOutcome {
  /** The list stored after this refresh: the new one, or the previous one it declined to replace. */
  list: StoredList | null;
  status: CacheStatus;
  /**
   * Whether this refresh replaced the stored list (false after a 429). With `background`, whether it
   * left the new list to be written there.
   */
  written: boolean;
  /** Whether it produced a new list; false opens the failure pause (refresh/shared.ts). */
  succeeded: boolean;
  /** Settles once its KV writes are done (at once without `background`), to whether the list was written. */
  landed: Promise<boolean>;
  /** False once this isolate has purged since the refresh began: then it stores nothing more. */
  current(): boolean;
}

export interface RefreshDeps {
  kv: KVNamespace;
  config: Config;
  fetcher?: typeof fetch;
  /**
   * Where a refresh someone is waiting for (a miss) leaves its KV writes: they run after the answer,
   * the new list already in this isolate's memory. Without it the writes are awaited (cron, admin).
   */
  background?: { waitUntil(promise: Promise<unknown>): void };
}

export async function refresh({ kv, config, fetcher = fetch, background }: RefreshDeps, trigger: RefreshTrigger): Promise<RefreshOutcome> {
  const started = Date.now();
  const purges = purgeCount();
  const current = () => purgeCount() === purges;
  const results = await inSlots(config.providers, MAX_PARALLEL_PROVIDERS, (entry) => fetchProvider(entry, fetcher, config.secretValues));
  const now = Date.now();
  const keepFor = (config.cacheTtlSeconds + config.staleTtlSeconds) * 1000;
  // The stored list is read only when it can matter: a provider failed, or the new list is unusable.
  // When every provider answered, the previous list is neither read nor parsed.
  let previousRead: Promise<Previous> | undefined;
  const previous = () => (previousRead ??= readPrevious(kv, now));

  const failed = results.flatMap((result) => (result.ok ? [] : [result.id]));
  const lastGood = failed.length === 0 ? new Map<string, LastGood>() : lastGoodModels(await previous(), failed, now - keepFor);
  const contributions = results.map((result) => contribution(result, lastGood.get(result.id), now));
  const prefixes = new Map(config.providers.map((entry) => [entry.id, entry.prefix]));
  const mergeAll = () => merge(contributions.map(({ provider, models }) => ({ provider, prefix: prefixes.get(provider) ?? '', models })));
  let merged = mergeAll();
  let fresh = results.some((result) => result.ok) ? await storedList(merged.models, now, config) : null;
  if (fresh !== null && fresh.bytes > KV_MAX_VALUE_BYTES) {
    // The largest contributors sit out this version with a named error; the others are written (fit.ts).
    const sizes = bytesByProvider(merged.models);
    for (const dropped of largestToDrop(sizes, fresh.bytes, KV_MAX_VALUE_BYTES)) {
      const part = contributions.find((c) => c.provider === dropped);
      if (part === undefined) continue;
      part.models = [];
      part.status = { ...part.status, ok: false, stale: false, fetchedAt: null, error: tooLargeError(dropped, sizes.get(dropped) ?? 0, fresh.bytes) };
    }
    merged = mergeAll();
    fresh = await storedList(merged.models, now, config);
  }
  const { models, clashes, counts } = merged;
  const status: CacheStatus = {
    refreshedAt: now,
    providers: contributions.map(({ status }) => ({ ...status, modelCount: counts.get(status.id) ?? 0 })),
    clashes,
  };
  if (fresh !== null && fresh.bytes > KV_MAX_VALUE_BYTES) {
    status.error = `the merged list is ${fresh.bytes} bytes, over KV's ${KV_MAX_VALUE_BYTES}-byte value limit`;
  }
  if (fresh !== null && models.length === 0 && ((await previous()).list?.meta.modelCount ?? 0) > 0) {
    status.error = 'the new list is empty; the previous list was kept';
  }
  const replacement = fresh !== null && status.error === undefined ? fresh.list : null;
  const replacing = replacement !== null;
  let list: StoredList | null;
  let write: () => Promise<boolean>;
  if (replacement !== null) {
    list = replacement;
    write = () => writeList(kv, replacement, status, keepFor / 1000);
  } else {
    // Nothing new: keep the list as it is (its own expiry still applies) and record why.
    const kept = (await previous()).list;
    list = kept;
    const remaining = kept === null ? keepFor : kept.meta.expiresAt - now;
    write = async () => {
      await writeStatus(kv, status, Math.ceil(remaining / 1000));
      return false;
    };
  }
  // Remembered before the writes, so this isolate's next read finds it whether or not they are done.
  if (list !== null && current()) remember(list, now);

  const persist = async () => {
    // A purge since the start wins: nothing is written back.
    const written = current() ? await write() : false;
    logEvent('refresh', {
      trigger,
      written,
      modelCount: list?.meta.modelCount ?? 0,
      durationMs: Date.now() - started,
      providers: status.providers.map(({ id, ok, stale, modelCount, latencyMs, error, skipped, skippedExample }) => ({
        id, ok, stale, modelCount, latencyMs, error, skipped, skippedExample,
      })),
      clashes: clashes.length,
      ...(status.error === undefined ? {} : { error: status.error }),
    });
    return written;
  };
  const succeeded = replacing;
  if (background === undefined) {
    const written = await persist();
    return { list, status, written, succeeded, landed: Promise.resolve(written), current };
  }
  const landed = behindAnswer(persist).catch((error: unknown) => {
    logEvent('refresh_write_failed', { trigger, message: error instanceof Error ? error.message : String(error) });
    return false;
  });
  background.waitUntil(landed);
  return { list, status, written: replacing, succeeded, landed, current };
}

/**
 * Runs `work` once the answer is on its way: one timer tick lets the runtime start sending the
 * response before the work's own CPU runs (under `wrangler dev` KV and the Cache API are simulated
 * in the same process, and writing a large list there held the answer back by tens of ms).
 */
export function behindAnswer<T>(work: () => Promise<T>): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, 0)).then(work);
}

interface Contribution {
  provider: string;
  models: readonly ListEntry[];
  status: Omit<ProviderStatus, 'modelCount'>;
}

/** A provider's part of the new list: its fresh models, or on failure its last good ones. */
function contribution(result: ProviderResult, lastGood: LastGood | undefined, now: number): Contribution {
  const base = { id: result.id, latencyMs: result.latencyMs, checkedAt: now };
  if (result.ok) {
    const skipped = { skipped: result.skipped, ...(result.skippedExample === undefined ? {} : { skippedExample: result.skippedExample }) };
    return { provider: result.id, models: result.models, status: { ...base, ok: true, stale: false, error: null, fetchedAt: now, ...skipped } };
  }
  return {
    provider: result.id,
    models: lastGood?.models ?? [],
    status: { ...base, ok: false, stale: lastGood !== undefined, error: result.error, fetchedAt: lastGood?.fetchedAt ?? null },
  };
}

/** The stored list, if readers could still be served it, and the status that says when each provider's models were fetched. */
interface Previous {
  list: StoredList | null;
  status: CacheStatus | null;
}

async function readPrevious(kv: KVNamespace, now: number): Promise<Previous> {
  const read = await tryReadListAndStatus(kv);
  const { list: stored, status } = read.ok ? read.value : { list: null, status: null };
  // KV may hold a list past its expiresAt (KV's TTL floor is 60 s): for readers it is gone.
  return { list: stored !== null && now < stored.meta.expiresAt ? stored : null, status };
}

interface LastGood {
  /** As their JSON text in the stored list: carried over, never parsed. */
  models: StoredModel[];
  fetchedAt: number;
}

/** The `failed` providers' models in the previous list, unless they were fetched before `oldestKept`. */
function lastGoodModels({ list, status }: Previous, failed: string[], oldestKept: number): Map<string, LastGood> {
  const lastGood = new Map<string, LastGood>();
  if (list === null) return lastGood;
  const fetchedAt = new Map(status?.providers.map((p) => [p.id, p.fetchedAt]) ?? []);
  const keptSince = new Map<string, number>();
  for (const id of failed) {
    const since = fetchedAt.get(id) ?? list.meta.fetchedAt;
    if (since !== null && since >= oldestKept) keptSince.set(id, since);
  }
  if (keptSince.size === 0) return lastGood;
  for (const [id, models] of storedModels(list.body, [...keptSince.keys()])) {
    const since = keptSince.get(id);
    if (since !== undefined && models.length > 0) lastGood.set(id, { models, fetchedAt: since });
  }
  return lastGood;
}

function tooLargeError(provider: string, providerBytes: number, listBytes: number): string {
  return (
    `[${provider}] left out of this version: its models take ${providerBytes} bytes of a ${listBytes}-byte merged list, ` +
    `over KV's ${KV_MAX_VALUE_BYTES}-byte value limit; narrow it with include/exclude or maxModels`
  );
}

/** The list to store, and its size in UTF-8 bytes (encoded once, for the hash and the size alike). */
const UTF8 = new TextEncoder();

async function storedList(models: readonly ListEntry[], now: number, config: Config): Promise<{ list: StoredList; bytes: number }> {
  const body = listBody(models);
  const bytes = UTF8.encode(body);
  const list: StoredList = {
    body,
    meta: {
      fetchedAt: now,
      freshUntil: now + config.cacheTtlSeconds * 1000,
      expiresAt: now + (config.cacheTtlSeconds + config.staleTtlSeconds) * 1000,
      etag: await strongEtag(bytes),
      modelCount: models.length,
      fingerprint: config.fingerprint,
    },
  };
  return { list, bytes: bytes.byteLength };
}

/** SHA-256 of the body, computed once here so no request ever hashes the list. */
async function strongEtag(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hex = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `"${hex}"`;
}
