/**
 * @module Read-through: memory, then KV, then one shared refresh. It sits above cache/ and refresh/
 * (it calls down into both) and below the routes: the list, retrieve and inference all read here. A fresh list is a HIT, a list
 * past its freshness but not its expiry is served STALE while it refreshes behind the response,
 * and only an empty cache makes a client wait (MISS).
 */
import { readList, type StoredList } from '../cache/kv.ts';
import { forget, recall, remember } from '../cache/memory.ts';
import { failureReasons } from '../cache/status.ts';
import { apiError } from '../errors.ts';
import { refreshShared, revalidate, type Background, type RefreshDeps } from '../refresh/shared.ts';
import { forgetAnswers } from './answers.ts';

export type CacheState = 'HIT' | 'STALE' | 'MISS';

/** The KV read under way in this isolate: requests arriving while it runs share it. */
let reading: Promise<StoredList | null> | undefined;

export async function currentList(deps: RefreshDeps, ctx: Background): Promise<{ list: StoredList; state: CacheState }> {
  const now = Date.now();
  let list = recall(now);
  if (list === undefined) {
    reading ??= readList(deps.kv).finally(() => {
      reading = undefined;
    });
    list = (await reading) ?? undefined;
    if (list !== undefined) remember(list, now);
  }
  // A list made under another configuration is stale at once: it refreshes behind this answer, and
  // serve/answers.ts leaves out the providers it has but the configuration no longer names.
  const sameConfig = list?.meta.fingerprint === deps.config.fingerprint;
  if (list !== undefined && sameConfig && now < list.meta.freshUntil) return { list, state: 'HIT' };
  if (list !== undefined && now < list.meta.expiresAt) {
    revalidate(deps, ctx);
    return { list, state: 'STALE' };
  }
  const outcome = await refreshShared(deps, 'miss');
  if (outcome.list !== null) return { list: outcome.list, state: 'MISS' };
  throw apiError(502, 'upstreams_unavailable', `No model list could be fetched or served: ${failureReasons(outcome.status)}`);
}

/** Drops this isolate's list and every answer derived from it (a purge). */
export function forgetList(): void {
  forget();
  forgetAnswers();
}
