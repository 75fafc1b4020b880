/** @module What the last refresh learnt about each provider, as stored and as answered. */

export interface ProviderStatus {
  id: string;
  /** Whether the last refresh got a usable list from this provider. */
  ok: boolean;
  /** Whether the models it contributes now come from an earlier, successful refresh. */
  stale: boolean;
  /** How many models it contributes to the stored list. */
  modelCount: number;
  latencyMs: number;
  error: string | null;
  /** Unix ms of the fetch its models come from (the last success), null if never. */
  fetchedAt: number | null;
  /** Unix ms of the last attempt. */
  checkedAt: number;
  /** Entries of its last listing that could not be listed (no id, a bad id): left out, the rest kept. */
  skipped?: number;
  /** Why the first of them was left out, in our words. */
  skippedExample?: string;
}

/**
 * Two providers yielding one final id: the first in `PROVIDERS` keeps it; or an id under another
 * provider's `prefix`: that provider owns it (`prefix` says which), whatever the order.
 */
export interface Clash {
  id: string;
  kept: string;
  dropped: string;
  prefix?: string;
}

export interface CacheStatus {
  /** Unix ms of the last refresh attempt, whether or not it replaced the list. */
  refreshedAt: number;
  providers: ProviderStatus[];
  clashes: Clash[];
  /** Why the last refresh kept the previous list although some provider answered. */
  error?: string;
}

/** Every error a refresh met, for a message that says why nothing could be served. */
export function failureReasons(status: CacheStatus): string {
  return [...status.providers.map((p) => p.error), status.error].filter((e) => e != null).join('; ');
}
