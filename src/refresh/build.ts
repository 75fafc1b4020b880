/**
 * @module The merged list a refresh produces, as a pure function of what the providers answered, the
 * previous list and the configuration: no KV, no memory, no clock (the caller gives `now`). Keeps a
 * failed provider's last good models, leaves out the largest contributors when the list would not
 * fit KV's value limit, and declines to replace a usable list with an unusable one
 * (docs/behaviour.md, "Refresh").
 */
import { KV_MAX_VALUE_BYTES, type StoredList } from '../cache/kv.ts';
import type { CacheStatus, ProviderStatus } from '../cache/status.ts';
import type { Config } from '../config.ts';
import type { Built } from '../coordinator/protocol.ts';
import type { ProviderResult } from './fetch-provider.ts';
import { bytesByProvider, largestToDrop } from './fit.ts';
import { listBody, type ListEntry, type StoredModel } from './list-body.ts';
import { storedModels } from './list-scan.ts';
import { merge } from './merge.ts';

/** The stored list, if readers could still be served it, and the status that says when each provider's models were fetched. */
export interface Previous {
  list: StoredList | null;
  status: CacheStatus | null;
}

export const NO_PREVIOUS: Previous = { list: null, status: null };

/**
 * Whether `buildList` needs the previous list for these results: a provider failed (its last good
 * models) or answered nothing (an empty list never replaces a full one). When every provider
 * answered with models, the previous list is neither read nor parsed.
 */
export function needsPrevious(results: readonly ProviderResult[]): boolean {
  return results.some((result) => !result.ok || result.models.length === 0);
}

/**
 * The list to store and its status. `previous` must be the stored list when `needsPrevious(results)`;
 * otherwise `NO_PREVIOUS` will do unless `mayNeedPrevious(built)` says so afterwards (a merge that
 * lost every id to clashes, a list too large to store): then the caller builds again with it.
 */
export async function buildList(results: readonly ProviderResult[], previous: Previous, config: Config, now: number): Promise<Built> {
  const keepFor = (config.cacheTtlSeconds + config.staleTtlSeconds) * 1000;
  const failed = results.flatMap((result) => (result.ok ? [] : [result.id]));
  const lastGood = failed.length === 0 ? new Map<string, LastGood>() : lastGoodModels(previous, failed, now - keepFor);
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
    providers: contributions.map(({ status: s }) => ({ ...s, modelCount: counts.get(s.id) ?? 0 })),
    clashes,
  };
  if (fresh !== null && fresh.bytes > KV_MAX_VALUE_BYTES) {
    status.error = `the merged list is ${fresh.bytes} bytes, over KV's ${KV_MAX_VALUE_BYTES}-byte value limit`;
  }
  if (fresh !== null && models.length === 0 && (previous.list?.meta.modelCount ?? 0) > 0) {
    status.error = 'the new list is empty; the previous list was kept';
  }
  const replacement = fresh !== null && status.error === undefined ? fresh.list : null;
  return { replacement, kept: replacement === null ? previous.list : null, status, keepSeconds: keepFor / 1000 };
}

/** Whether a list built without the previous one might have used it: it replaces nothing, or with nothing. */
export function mayNeedPrevious(built: Built): boolean {
  return built.replacement === null || built.replacement.meta.modelCount === 0;
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
