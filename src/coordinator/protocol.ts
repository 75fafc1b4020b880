/**
 * @module What isolates and the coordinator (coordinator/coordinator.ts) say to each other: plain
 * values, structured-cloned by Workers RPC.
 */
import type { StoredList } from '../cache/kv.ts';
import type { CacheStatus } from '../cache/status.ts';
import type { KeySnapshot } from '../keys/store.ts';

/**
 * How long after a failure no read starts a fan-out: after a refresh that produced nothing new (in
 * this isolate, or worldwide as the coordinator or the stored status tells), a miss answers 502 at
 * once and a stale read does not revalidate; after a failed KV read or write, a stale read does not
 * revalidate either. The cron and the admin refresh are not held back.
 */
export const FAILURE_PAUSE_MS = 30_000;

/** A refresh that produced no new list: when, and how many providers failed in it. */
export interface FailedRefresh {
  /** Unix ms. */
  at: number;
  failed: number;
  providers: number;
}

/** What started a refresh: the cron, the admin API, a read that found no list, or a stale one. */
export type RefreshTrigger = 'cron' | 'admin' | 'miss' | 'stale';

/** A lead's built list, handed to the coordinator's `finish` (refresh/build.ts builds it). */
export interface Built {
  /** The new list, or null when this refresh must not replace the stored one (`status` says why). */
  replacement: StoredList | null;
  /** The previous list, kept when there is no replacement (null when there was none). */
  kept: StoredList | null;
  status: CacheStatus;
  /** How long a written list (and its status) is kept: fresh + stale, in seconds. */
  keepSeconds: number;
}

/** What the asking isolate does next about a refresh. */
export type Begin =
  /** Nobody is refreshing: this isolate fans out, then calls `finish` with the ticket. */
  | { kind: 'lead'; ticket: string; generation: number }
  /** A refresh is running: `join` it (it waits at most `waitMs`, what is left of its lease). */
  | { kind: 'running'; ticket: string; generation: number; waitMs: number }
  /** A refresh was running (or had just written a list a read may use) and has finished: its outcome. */
  | Joined
  /** A refresh failed worldwide within the failure pause: reads start none. */
  | { kind: 'paused'; generation: number; failure: FailedRefresh };

/** A finished refresh's outcome, for an isolate that waited for it. */
export interface Joined {
  kind: 'joined';
  generation: number;
  outcome: Finished;
}

export interface Finished {
  /** The list readers are served: the new one, or the one the refresh kept. */
  list: StoredList | null;
  /** The purge generation it was begun under (a joiner's list is held under it, not under a later one). */
  generation: number;
  status: CacheStatus;
  /** Whether it produced a new list. */
  succeeded: boolean;
  /** Whether the coordinator wrote it to KV. */
  written: boolean;
  /** A purge overtook it: nothing was written, and nobody may keep its list. */
  fenced: boolean;
}

/** The coordinator's state, for `GET /admin/cache/status`. */
export interface CoordinatorState {
  generation: number;
  refreshing: boolean;
  failure: FailedRefresh | null;
  /** Why KV did not take the last change to the client keys (it is tried again), or null. */
  keyMirrorError: string | null;
}

/** A key change: done (and mirrored to KV), or refused with the error the route answers. */
export type KeyChange<T> =
  | { ok: true; value: T; snapshot: KeySnapshot }
  | { ok: false; status: 400 | 404 | 409 | 503; code: string; message: string };
