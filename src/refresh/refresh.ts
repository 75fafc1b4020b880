/**
 * @module The one refresh path: the cron, a cache miss, a stale read and the admin route all land
 * here (through refresh/shared.ts). Fans out to every provider, keeps a failed provider's last good
 * models, and replaces the stored list only with a usable result.
 */
import { KV_MAX_VALUE_BYTES, readList, readStatus, writeList, writeStatus, type StoredList } from '../cache/kv.ts';
import { remember } from '../cache/memory.ts';
import type { CacheStatus, ProviderStatus } from '../cache/status.ts';
import type { Config } from '../config.ts';
import { logEvent } from '../log.ts';
import type { Model } from '../model.ts';
import { fetchProvider, type ProviderResult } from './fetch-provider.ts';
import { inSlots } from './in-slots.ts';
import { bytesByProvider, largestToDrop } from './fit.ts';
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
  /** Whether this refresh replaced the stored list. */
  written: boolean;
  /** Whether it produced a new list; false opens the failure pause (refresh/shared.ts). */
  succeeded: boolean;
}

export interface RefreshDeps {
  kv: KVNamespace;
  config: Config;
  fetcher?: typeof fetch;
}

export async function refresh({ kv, config, fetcher = fetch }: RefreshDeps, trigger: RefreshTrigger): Promise<RefreshOutcome> {
  const started = Date.now();
  const [stored, previousStatus, results] = await Promise.all([
    readList(kv),
    readStatus(kv),
    inSlots(config.providers, MAX_PARALLEL_PROVIDERS, (entry) => fetchProvider(entry, fetcher)),
  ]);
  const now = Date.now();
  // KV may hold a list past its expiresAt (KV's TTL floor is 60 s): for readers it is gone.
  const previous = stored !== null && now < stored.meta.expiresAt ? stored : null;
  const keepFor = (config.cacheTtlSeconds + config.staleTtlSeconds) * 1000;
  const lastGood = lastGoodModels(previous, previousStatus, now - keepFor);

  const contributions = results.map((result) => contribution(result, lastGood.get(result.id), now));
  const prefixes = new Map(config.providers.map((entry) => [entry.id, entry.prefix]));
  const mergeAll = () => merge(contributions.map(({ provider, models }) => ({ provider, prefix: prefixes.get(provider) ?? '', models })));
  let merged = mergeAll();
  let fresh = results.some((result) => result.ok) ? await storedList(merged.models, now, config) : null;
  let bytes = fresh === null ? 0 : new TextEncoder().encode(fresh.body).byteLength;
  if (fresh !== null && bytes > KV_MAX_VALUE_BYTES) {
    // The largest contributors sit out this version with a named error; the others are written (fit.ts).
    const sizes = bytesByProvider(merged.models);
    for (const dropped of largestToDrop(sizes, bytes, KV_MAX_VALUE_BYTES)) {
      const part = contributions.find((c) => c.provider === dropped);
      if (part === undefined) continue;
      part.models = [];
      part.status = { ...part.status, ok: false, stale: false, fetchedAt: null, error: tooLargeError(dropped, sizes.get(dropped) ?? 0, bytes) };
    }
    merged = mergeAll();
    fresh = await storedList(merged.models, now, config);
    bytes = new TextEncoder().encode(fresh.body).byteLength;
  }
  const { models, clashes, counts } = merged;
  const status: CacheStatus = {
    refreshedAt: now,
    providers: contributions.map(({ status }) => ({ ...status, modelCount: counts.get(status.id) ?? 0 })),
    clashes,
  };

  let list = previous;
  let written = false;
  if (bytes > KV_MAX_VALUE_BYTES) {
    status.error = `the merged list is ${bytes} bytes, over KV's ${KV_MAX_VALUE_BYTES}-byte value limit`;
  }
  if (fresh !== null && models.length === 0 && previous !== null && previous.meta.modelCount > 0) {
    status.error = 'the new list is empty; the previous list was kept';
  }
  if (fresh !== null && status.error === undefined) {
    list = fresh;
    written = await writeList(kv, list, status, keepFor / 1000);
  } else {
    // Nothing new: keep the list as it is (its own expiry still applies) and record why.
    const remaining = previous === null ? keepFor : previous.meta.expiresAt - now;
    await writeStatus(kv, status, Math.ceil(remaining / 1000));
  }
  if (list !== null) remember(list, now);

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
  return { list, status, written, succeeded: list === fresh && fresh !== null };
}

interface Contribution {
  provider: string;
  models: Model[];
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

interface LastGood {
  models: Model[];
  fetchedAt: number;
}

/** Each provider's models in the previous list, unless they were fetched before `oldestKept`. */
function lastGoodModels(previous: StoredList | null, status: CacheStatus | null, oldestKept: number): Map<string, LastGood> {
  const lastGood = new Map<string, LastGood>();
  if (previous === null) return lastGood;
  const fetchedAt = new Map(status?.providers.map((p) => [p.id, p.fetchedAt]) ?? []);
  const { data } = JSON.parse(previous.body) as { data: Model[] };
  for (const model of data) {
    const since = fetchedAt.get(model.provider) ?? previous.meta.fetchedAt;
    if (since === null || since < oldestKept) continue;
    const entry = lastGood.get(model.provider) ?? { models: [], fetchedAt: since };
    entry.models.push(model);
    lastGood.set(model.provider, entry);
  }
  return lastGood;
}

function tooLargeError(provider: string, providerBytes: number, listBytes: number): string {
  return (
    `[${provider}] left out of this version: its models take ${providerBytes} bytes of a ${listBytes}-byte merged list, ` +
    `over KV's ${KV_MAX_VALUE_BYTES}-byte value limit; narrow it with include/exclude or maxModels`
  );
}

async function storedList(models: Model[], now: number, config: Config): Promise<StoredList> {
  const body = JSON.stringify({ object: 'list', data: models });
  return {
    body,
    meta: {
      fetchedAt: now,
      freshUntil: now + config.cacheTtlSeconds * 1000,
      expiresAt: now + (config.cacheTtlSeconds + config.staleTtlSeconds) * 1000,
      etag: await strongEtag(body),
      modelCount: models.length,
      fingerprint: config.fingerprint,
    },
  };
}

/** SHA-256 of the body, computed once here so no request ever hashes the list. */
async function strongEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const hex = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `"${hex}"`;
}
