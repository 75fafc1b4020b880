/**
 * @module The read path: one small state machine per request, whose state lives in the isolate caches
 * named in serve/isolate.ts. Routes (the list, one model, inference) call `currentList`; every
 * answer comes from the first state that has a list:
 *
 *   MEMORY   this isolate's list, remembered less than MEMORY_TTL_MS ago, not expired, and not from
 *            before a purge this isolate knows of (cache/memory.ts)
 *              fresh                              -> HIT
 *              past freshUntil (or made under
 *              another configuration)             -> STALE, and REVALIDATE behind the answer
 *              none                               -> KV
 *   KV       one read, shared by the requests that arrive while it runs (with the status when this
 *            isolate knows no list: a miss needs both); skipped while KV failed within the pause
 *              a list                             -> remember it, copy it to EDGE once per version;
 *                                                    HIT, or STALE and REVALIDATE
 *              from before a purge this isolate
 *              knows of                           -> this isolate's newer list if it holds one (HIT or
 *                                                    STALE, as MEMORY), else FILL
 *              none, or expired                   -> FILL
 *              KV failed                          -> EDGE
 *   EDGE     this isolate's last list at any age short of its expiry, else the data centre's Cache
 *            API copy (cache/edge.ts)
 *              a list                             -> STALE with `X-Store: unavailable`; REVALIDATE
 *                                                    unless a failure paused reads before this one
 *              none                               -> FILL
 *   FILL     nothing to serve: the client waits
 *              a failure within the pause (this isolate's, the stored status's, or the
 *              coordinator's)                     -> 502 upstreams_unavailable, at once
 *              else REFRESH and wait              -> MISS, or 502 when it produced nothing
 *
 *   REFRESH (refresh/shared.ts): one per isolate; with the COORDINATOR bound, one worldwide (lead,
 *   join, or held back by the pause); without it, or when it does not answer, this isolate's own.
 *   REVALIDATE is a REFRESH behind the answer, skipped while a failure pauses reads.
 *
 * Hits never ask the coordinator. The rules behind each arrow: docs/behaviour.md.
 */
import { getListCopy, listCopied, putListCopy } from '../cache/edge.ts';
import { storeOk, tryReadList, tryReadListAndStatus, type StoredList, type StoredPair, type StoreRead } from '../cache/kv.ts';
import { forget, hold, lastKnown, noteGeneration, notePurge, purgedSince, recall, remember } from '../cache/memory.ts';
import type { CacheStatus } from '../cache/status.ts';
import type { ConfigError } from '../config.ts';
import { apiError } from '../errors.ts';
import {
  FAILURE_PAUSE_MS,
  failedRecently,
  noteFailureIn,
  noteFailureInKv,
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

/** Isolate cache: the KV read under way, shared by the requests that arrive while it runs. */
let kvReadUnderWay: Promise<StoreRead<KvRead>> | undefined;

/** The list, and the status when it was read beside it. */
type KvRead = Pick<StoredPair, 'list'> & Partial<Pick<StoredPair, 'status'>>;

/** The list a request is answered from, and how (see the state machine above). */
export async function currentList(deps: RefreshDeps, ctx: Background): Promise<CurrentList> {
  const now = Date.now();
  return fromMemory(deps, ctx, now) ?? (await fromKv(deps, ctx, now));
}

/** MEMORY. */
function fromMemory(deps: RefreshDeps, ctx: Background, now: number): CurrentList | undefined {
  const remembered = recall(now);
  if (remembered === undefined || now >= remembered.meta.expiresAt) return undefined;
  return served(remembered, deps, ctx, now, storeState());
}

/** KV. */
async function fromKv(deps: RefreshDeps, ctx: Background, now: number): Promise<CurrentList> {
  const pausedBefore = paused(now);
  // The status matters only to a miss that no failure in this isolate already holds back.
  const withStatus = lastKnown(now) === undefined && failedRecently(now) === undefined;
  const read = storeFailedRecently(now) ? undefined : await readShared(deps.kv, withStatus);
  if (read?.ok !== true) return fromEdge(deps, ctx, now, pausedBefore);
  const { list, status } = read.value;
  if (list !== null && purgedSince(list)) {
    // KV here still shows a list a purge removed (it may, for about a minute): the newer list this
    // isolate holds, if any, is served on; else it is a miss.
    const held = lastKnown(now);
    if (held === undefined) return fill(deps, ctx, now, true, status);
    remember(held, now);
    return served(held, deps, ctx, now, 'ok');
  }
  if (list === null || now >= list.meta.expiresAt) return fill(deps, ctx, now, true, status);
  noteGeneration(list.meta.generation);
  remember(list, now);
  if (!listCopied(list)) ctx.waitUntil(putListCopy(list));
  return served(list, deps, ctx, now, 'ok');
}

/** EDGE: KV failed (or failed within the pause). At most one fan-out per pause: a read not paused before its own KV read failed may revalidate. */
async function fromEdge(deps: RefreshDeps, ctx: Background, now: number, pausedBefore: boolean): Promise<CurrentList> {
  const fallback = lastKnown(now) ?? (await copyOutsideKv(now));
  if (fallback === undefined) return fill(deps, ctx, now, false);
  if (!isFresh(fallback, deps, now)) revalidate(deps, ctx, pausedBefore);
  return { list: fallback, state: 'STALE', store: 'unavailable' };
}

/**
 * A list that is there: HIT while fresh, else STALE with a revalidation behind the answer. A list
 * made under another configuration is stale at once (serve/answers.ts leaves out the providers the
 * configuration no longer names).
 */
function served(list: StoredList, deps: RefreshDeps, ctx: Background, now: number, store: StoreState): CurrentList {
  if (isFresh(list, deps, now)) return { list, state: 'HIT', store };
  revalidate(deps, ctx);
  return { list, state: 'STALE', store };
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
  const list = (stored !== null && stored !== undefined && now < stored.meta.expiresAt && !purgedSince(stored) ? stored : undefined) ?? lastKnown(now) ?? (await copyOutsideKv(now));
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
  kvReadUnderWay ??= (withStatus ? tryReadListAndStatus(kv) : tryReadList(kv).then(listOnly)).finally(() => {
    kvReadUnderWay = undefined;
  });
  return kvReadUnderWay;
}

const listOnly = (read: StoreRead<StoredList | null>): StoreRead<KvRead> => (read.ok ? { ok: true, value: { list: read.value } } : read);

function isFresh(list: StoredList, deps: RefreshDeps, now: number): boolean {
  return list.meta.fingerprint === deps.config.fingerprint && now < list.meta.freshUntil;
}

const storeState = (): StoreState => (storeOk() ? 'ok' : 'unavailable');

/** The data centre's copy, held in this isolate once found so the next failed read needs no Cache API call. */
async function copyOutsideKv(now: number): Promise<StoredList | undefined> {
  const copy = await getListCopy(now);
  if (copy === null || purgedSince(copy)) return undefined;
  hold(copy);
  return copy;
}

/**
 * FILL. Nothing to serve: fetch, unless a fill failed within the pause — in this isolate, or (when KV
 * answers) in another, as the stored status tells (`status`, when it was read with the list) — so a
 * failing fill fans out and writes the status at most once per pause. The client waits for the
 * fan-out only: the list is in this isolate's memory before the answer, and its KV writes and copy
 * outside KV run behind it (`ctx`).
 */
async function fill(deps: RefreshDeps, ctx: Background, now: number, kvAnswered: boolean, status?: CacheStatus | null): Promise<CurrentList> {
  if (failedRecently(now) === undefined && kvAnswered) {
    if (status === undefined) await noteFailureInKv(deps.kv, now);
    else noteFailureIn(status, now);
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
 * text (docs/behaviour.md, "What upstreams may not do"); the admin refresh's 502 names each error.
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
