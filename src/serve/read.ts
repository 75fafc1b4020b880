/**
 * @module Read-through: memory, then KV, then one shared refresh. It sits above cache/ and refresh/
 * (it calls down into both) and below the routes: the list, retrieve and inference all read here. A fresh list is a HIT, a list
 * past its freshness but not its expiry is served STALE while it refreshes behind the response,
 * and only an empty cache makes a client wait (MISS). When KV fails, this isolate's last list and
 * then the data centre's copy (cache/edge.ts) stand in for it, STALE, before the upstreams are asked.
 */
import { getListCopy, listCopied, putListCopy } from '../cache/edge.ts';
import { storeOk, tryReadList, tryReadListAndStatus, type StoredList, type StoredPair, type StoreRead } from '../cache/kv.ts';
import { forget, hold, lastKnown, notePurge, recall, remember } from '../cache/memory.ts';
import type { CacheStatus } from '../cache/status.ts';
import type { ConfigError } from '../config.ts';
import { apiError } from '../errors.ts';
import {
  FAILURE_PAUSE_MS,
  failedBefore,
  failedElsewhere,
  failedRecently,
  paused,
  refreshShared,
  revalidate,
  storeFailedRecently,
  type Background,
  type FailedRefresh,
  type RefreshDeps,
} from '../refresh/shared.ts';
import { forgetAnswers } from './answers.ts';

export type CacheState = 'HIT' | 'STALE' | 'MISS';
/** Whether Workers KV is answering; `unavailable` becomes the header `X-Store: unavailable`. */
export type StoreState = 'ok' | 'unavailable';

export interface CurrentList {
  list: StoredList;
  state: CacheState;
  store: StoreState;
}

/** The KV read under way in this isolate: requests arriving while it runs share it. */
let reading: Promise<StoreRead<KvRead>> | undefined;

/** The list, and the status when it was read beside it. */
type KvRead = Pick<StoredPair, 'list'> & Partial<Pick<StoredPair, 'status'>>;

export async function currentList(deps: RefreshDeps, ctx: Background): Promise<CurrentList> {
  const now = Date.now();
  const remembered = recall(now);
  if (remembered !== undefined && now < remembered.meta.expiresAt) {
    if (isFresh(remembered, deps, now)) return { list: remembered, state: 'HIT', store: storeState() };
    revalidate(deps, ctx);
    return { list: remembered, state: 'STALE', store: storeState() };
  }
  const pausedBefore = paused(now);
  // While KV has failed within the pause, this isolate does not ask it again.
  // The status matters only to a miss that no failure in this isolate already holds back.
  const withStatus = lastKnown(now) === undefined && failedRecently(now) === undefined;
  const read = storeFailedRecently(now) ? undefined : await readShared(deps.kv, withStatus);
  if (read?.ok === true) {
    const { list, status } = read.value;
    if (list === null || now >= list.meta.expiresAt) return fill(deps, ctx, now, true, status);
    remember(list, now);
    if (!listCopied(list)) ctx.waitUntil(putListCopy(list));
    // A list made under another configuration is stale at once: it refreshes behind this answer, and
    // serve/answers.ts leaves out the providers it has but the configuration no longer names.
    if (isFresh(list, deps, now)) return { list, state: 'HIT', store: 'ok' };
    revalidate(deps, ctx);
    return { list, state: 'STALE', store: 'ok' };
  }
  const fallback = lastKnown(now) ?? (await copyOutsideKv(now));
  if (fallback === undefined) return fill(deps, ctx, now, false);
  // At most one fan-out per pause: a read that was not paused before its own KV read failed may refresh.
  if (!isFresh(fallback, deps, now)) revalidate(deps, ctx, pausedBefore);
  return { list: fallback, state: 'STALE', store: 'unavailable' };
}

/**
 * Under a configuration error nothing can be refreshed, but what is stored can still be served:
 * this isolate's list, KV's, or the data centre's copy, as long as it has not expired. With none,
 * the configuration error itself is the answer.
 */
export async function storedListOnly(kv: KVNamespace, error: ConfigError): Promise<CurrentList> {
  const now = Date.now();
  const read = lastKnown(now) === undefined && !storeFailedRecently(now) ? await readShared(kv, false) : undefined;
  const stored = read?.ok === true ? read.value.list : undefined;
  const list = (stored !== null && stored !== undefined && now < stored.meta.expiresAt ? stored : undefined) ?? lastKnown(now) ?? (await copyOutsideKv(now));
  if (list === undefined) throw error;
  if (stored === list) remember(list, now);
  return { list, state: now < list.meta.freshUntil ? 'HIT' : 'STALE', store: read?.ok === false ? 'unavailable' : storeState() };
}

/**
 * Drops this isolate's list and every answer derived from it (a purge), and keeps a refresh already
 * under way from storing its list afterwards. Called before the stored copies are deleted.
 */
export function forgetList(): void {
  notePurge();
  forget();
  forgetAnswers();
}

/**
 * The stored list, and with `withStatus` the status beside it in the same KV request. An isolate that
 * knows no list (it has just started, or purged, or its list expired) is the one likely to find none,
 * and a miss needs the status before it may fan out: one round trip where it would wait for two. An
 * isolate whose list only aged out of memory reads the list alone, so the usual read bills one key;
 * should it find none, the miss reads the status after it. A read already under way is shared as it is.
 */
function readShared(kv: KVNamespace, withStatus: boolean): Promise<StoreRead<KvRead>> {
  reading ??= (withStatus ? tryReadListAndStatus(kv) : tryReadList(kv).then(listOnly)).finally(() => {
    reading = undefined;
  });
  return reading;
}

const listOnly = (read: StoreRead<StoredList | null>): StoreRead<KvRead> => (read.ok ? { ok: true, value: { list: read.value } } : read);

function isFresh(list: StoredList, deps: RefreshDeps, now: number): boolean {
  return list.meta.fingerprint === deps.config.fingerprint && now < list.meta.freshUntil;
}

const storeState = (): StoreState => (storeOk() ? 'ok' : 'unavailable');

/** The data centre's copy, held in this isolate once found so the next failed read needs no Cache API call. */
async function copyOutsideKv(now: number): Promise<StoredList | undefined> {
  const copy = await getListCopy(now);
  if (copy === null) return undefined;
  hold(copy);
  return copy;
}

/**
 * Nothing to serve: fetch, unless a fill failed within the pause — in this isolate, or (when KV
 * answers) in another, as the stored status tells (`status`, when it was read with the list) — so a
 * failing fill fans out and writes the status at most once per pause. The client waits for the
 * fan-out only: the list is in this isolate's memory before the answer, and its KV writes and copy
 * outside KV run behind it (`ctx`).
 */
async function fill(deps: RefreshDeps, ctx: Background, now: number, kvAnswered: boolean, status?: CacheStatus | null): Promise<CurrentList> {
  if (failedRecently(now) === undefined && kvAnswered) {
    if (status === undefined) await failedElsewhere(deps.kv, now);
    else failedBefore(status, now);
  }
  const failure = failedRecently(Date.now());
  if (failure !== undefined) throw unavailable(failure);
  const outcome = await refreshShared({ ...deps, background: ctx }, 'miss');
  if (outcome.list !== null) return { list: outcome.list, state: 'MISS', store: storeState() };
  const failed = outcome.status.providers.filter((p) => !p.ok).length;
  throw unavailable(failedRecently(Date.now()) ?? { at: Date.now(), failed, providers: outcome.status.providers.length });
}

/**
 * The public 502: how many providers failed and where admins see why, never an upstream's URL or
 * text (contract §11); the admin refresh's 502 names each error.
 */
function unavailable(failure: FailedRefresh) {
  const retryAfterSeconds = Math.max(1, Math.ceil((failure.at + FAILURE_PAUSE_MS - Date.now()) / 1000));
  const why = failure.failed > 0 ? `${failure.failed} of ${failure.providers} providers failed` : 'the fetched list could not be used';
  return apiError(
    502,
    'upstreams_unavailable',
    `No model list can be served: nothing is cached and ${why}. Admins see why in GET /admin/cache/status.`,
    { headers: { 'Retry-After': String(retryAfterSeconds) } },
  );
}
