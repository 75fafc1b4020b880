/**
 * @module Who refreshes when: one refresh at a time per isolate (concurrent misses, revalidations,
 * cron runs and admin refreshes share it), and a pause after a failure so an outage does not turn
 * every read into a fan-out.
 */
import { readStatus } from '../cache/kv.ts';
import { refresh, type RefreshDeps, type RefreshOutcome, type RefreshTrigger } from './refresh.ts';

export type { RefreshDeps, RefreshOutcome, RefreshTrigger } from './refresh.ts';

/** How long after a failed refresh a stale read waits before trying again in this isolate. */
export const STALE_RETRY_MS = 30_000;

let running: Promise<RefreshOutcome> | undefined;
let lastFailureAt = -Infinity;

/**
 * Joins the refresh already running in this isolate, or starts one: concurrent misses and
 * revalidations share one fan-out.
 */
export function refreshShared(deps: RefreshDeps, trigger: RefreshTrigger): Promise<RefreshOutcome> {
  running ??= refresh(deps, trigger)
    .then((outcome) => {
      // A success ends the pause; a failure starts it.
      lastFailureAt = outcome.succeeded ? -Infinity : Date.now();
      return outcome;
    })
    .finally(() => {
      running = undefined;
    });
  return running;
}

/** The part of `ExecutionContext` a revalidation needs: somewhere to run after the response. */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Refreshes behind a stale read, unless a refresh failed within `STALE_RETRY_MS` — in this isolate,
 * or anywhere, as the stored status tells — so an outage does not make every isolate hammer the
 * failing upstreams (and KV's one write per second) every few seconds.
 */
export function revalidate(deps: RefreshDeps, ctx: Background): void {
  if (running === undefined && Date.now() - lastFailureAt < STALE_RETRY_MS) return;
  ctx.waitUntil(revalidateUnlessFailedElsewhere(deps));
}

async function revalidateUnlessFailedElsewhere(deps: RefreshDeps): Promise<void> {
  if (running === undefined) {
    const status = await readStatus(deps.kv);
    const failedRecently = status !== null && !status.providers.some((p) => p.ok) && Date.now() - status.refreshedAt < STALE_RETRY_MS;
    if (failedRecently) {
      lastFailureAt = status.refreshedAt;
      return;
    }
  }
  await refreshShared(deps, 'stale');
}

