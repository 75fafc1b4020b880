/**
 * @module Who refreshes when: one refresh at a time per isolate (concurrent misses, revalidations,
 * cron runs and admin refreshes share it), and through the coordinator one at a time worldwide
 * (refresh/coordinated.ts); a failure pause so an outage — of the upstreams or of Workers KV — costs
 * one fan-out per pause, not one per read.
 */
import { putListCopy } from '../cache/edge.ts';
import { readStatus, storeHealth } from '../cache/kv.ts';
import type { CacheStatus } from '../cache/status.ts';
import { purgeCount } from '../cache/memory.ts';
import { coordinatorOf } from '../coordinator/client.ts';
import { FAILURE_PAUSE_MS, type FailedRefresh } from '../coordinator/protocol.ts';
import { refreshCoordinated } from './coordinated.ts';
import { behindAnswer, refresh, type RefreshDeps, type RefreshOutcome, type RefreshTrigger } from './refresh.ts';

export type { RefreshDeps, RefreshOutcome, RefreshTrigger } from './refresh.ts';
export { FAILURE_PAUSE_MS, type FailedRefresh } from '../coordinator/protocol.ts';

/**
 * Isolate cache: the refresh under way in this isolate, which every other ask here joins — unless a
 * purge here came after it began (`purges`): a purge fences it, and the next ask starts a new one at
 * once rather than wait for a fan-out whose list nobody may keep. `writesBehindAnswer`: whether it
 * leaves its writes behind an answer.
 */
let underWay: { refresh: Promise<RefreshOutcome>; purges: number; writesBehindAnswer: boolean } | undefined;
/** Isolate cache: the last refresh that produced nothing new (here, or as KV or the coordinator told), until one succeeds. */
let lastFailedRefresh: FailedRefresh | undefined;

/**
 * Joins the refresh already running in this isolate, or starts one: concurrent misses and
 * revalidations share one fan-out. A list it leaves is also copied outside KV (once per version),
 * behind the answer when the refresh has somewhere to run there (`deps.background`). A caller with
 * nowhere to run work after its answer (the cron, the admin refresh) that joins such a refresh
 * still waits for its writes.
 */
export function refreshShared(deps: RefreshDeps, trigger: RefreshTrigger): Promise<RefreshOutcome> {
  underWay = joinable() ?? start(deps, trigger);
  const { refresh: running, writesBehindAnswer } = underWay;
  if (deps.background !== undefined || !writesBehindAnswer) return running;
  return running.then(async (outcome) => {
    await outcome.landed;
    return outcome;
  });
}

/** The refresh under way that this isolate may join, if any. */
function joinable(): typeof underWay {
  return underWay !== undefined && underWay.purges === purgeCount() ? underWay : undefined;
}

function start(deps: RefreshDeps, trigger: RefreshTrigger): NonNullable<typeof underWay> {
  const purges = purgeCount();
  const coordinator = coordinatorOf(deps.coordinator);
  const running: Promise<RefreshOutcome> = (coordinator === undefined ? refresh(deps, trigger) : refreshCoordinated(coordinator, deps, trigger))
    .then(async (outcome) => {
      // A success ends the pause; a failure starts it (the coordinator's own when it said `paused`). A
      // refresh a purge here fenced says nothing any more: a newer one may have ended already.
      if (purgeCount() === purges) lastFailedRefresh = outcome.succeeded ? undefined : (outcome.failure ?? failedRefresh(outcome.status, Date.now()));
      const { list } = outcome;
      if (list === null) return outcome;
      const copy = () => (outcome.current() ? putListCopy(list) : Promise.resolve());
      if (deps.background === undefined) {
        await copy();
        return outcome;
      }
      // After the writes: a list the coordinator refused (a purge overtook it) is copied nowhere.
      const copied = outcome.landed.then(() => behindAnswer(copy));
      deps.background.waitUntil(copied);
      const landed = outcome.landed.then(async (written) => {
        await copied;
        return written;
      });
      return { ...outcome, landed };
    })
    .finally(() => {
      if (underWay?.refresh === running) underWay = undefined;
    });
  return { refresh: running, purges, writesBehindAnswer: deps.background !== undefined };
}

/** The failed refresh a miss must not repeat yet: one in this isolate within `FAILURE_PAUSE_MS`. */
export function failedRecently(now: number): FailedRefresh | undefined {
  return lastFailedRefresh !== undefined && now - lastFailedRefresh.at < FAILURE_PAUSE_MS ? lastFailedRefresh : undefined;
}

/** Whether Workers KV failed in this isolate within `FAILURE_PAUSE_MS`. */
export function storeFailedRecently(now: number): boolean {
  const { lastFailureAt } = storeHealth();
  return lastFailureAt !== null && now - lastFailureAt < FAILURE_PAUSE_MS;
}

/** Whether any failure holds back a read's fan-out now. */
export function paused(now: number): boolean {
  return failedRecently(now) !== undefined || storeFailedRecently(now);
}

/**
 * Reads the stored status and notes a refresh that produced nothing within `FAILURE_PAUSE_MS` in
 * another isolate (`noteFailureIn`); undefined when there was none or KV cannot say.
 */
export async function noteFailureInKv(kv: KVNamespace, now: number): Promise<FailedRefresh | undefined> {
  return noteFailureIn(await readStatus(kv), now);
}

/**
 * Notes (it sets this isolate's pause) the failed refresh a status already read records, when it is
 * within `FAILURE_PAUSE_MS`; answers it.
 */
export function noteFailureIn(status: CacheStatus | null, now: number): FailedRefresh | undefined {
  if (status === null || status.providers.some((p) => p.ok) || now - status.refreshedAt >= FAILURE_PAUSE_MS) return undefined;
  lastFailedRefresh = failedRefresh(status, status.refreshedAt);
  return lastFailedRefresh;
}

/** What a fresh isolate knows: no failure (tests start each case here). */
export function forgetFailures(): void {
  lastFailedRefresh = undefined;
}

/** The part of `ExecutionContext` a revalidation needs: somewhere to run after the response. */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Refreshes behind a stale read, unless a failure holds it back (`pausedNow`, by default whether
 * `paused` now): an outage must not make every isolate hammer the failing upstreams (and KV's one
 * write per second) every few seconds. A read whose own KV read just failed passes whether it was
 * paused before, so a long KV outage still refreshes a stale list once per pause.
 */
export function revalidate(deps: RefreshDeps, ctx: Background, pausedNow = paused(Date.now())): void {
  if (joinable() === undefined && pausedNow) return;
  // A timer turn later, behind the answer: its KV read and coordinator call, started before the stale
  // answer left, held it back (3,000 models under `wrangler dev`: 16–24 ms instead of 10–12).
  ctx.waitUntil(behindAnswer(() => revalidateUnlessFailedElsewhere(deps)));
}

async function revalidateUnlessFailedElsewhere(deps: RefreshDeps): Promise<void> {
  if (joinable() === undefined && (await noteFailureInKv(deps.kv, Date.now())) !== undefined) return;
  await refreshShared(deps, 'stale');
}

function failedRefresh(status: CacheStatus, at: number): FailedRefresh {
  return { at, failed: status.providers.filter((p) => !p.ok).length, providers: status.providers.length };
}
