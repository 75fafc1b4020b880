/**
 * @module Usage counted in this isolate, per client key per hour, and sent to the coordinator in one
 * batch a few seconds after the first call counted: no KV write and no coordinator call per request,
 * and never on an answer's path (the send runs in `waitUntil`). A batch that cannot be sent is kept
 * for the next one, up to a bound; an isolate evicted before its send loses those seconds of counts
 * (docs/api.md, "Usage", says so).
 */
import { logEvent } from '../log.ts';
import type { Tokens } from './extract.ts';

/** How long an isolate gathers counts before sending them: one coordinator call per isolate per this, at most. */
export const FLUSH_AFTER_MS = 5_000;
/** Rows kept while the coordinator cannot be reached: beyond this the oldest counts are dropped, not memory. */
const MAX_PENDING_ROWS = 2_000;
const HOUR_MS = 3_600_000;

/** One key's counts for one hour. */
export interface UsageRow {
  key: string;
  /** The hour's start, epoch ms. */
  hour: number;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** The last call's time, epoch ms. */
  lastUsedAt: number;
}

export type SendUsage = (rows: UsageRow[]) => Promise<void>;

export interface CountedCall {
  /** The client key's id (never the key itself). */
  key: string;
  /** When the call was made, epoch ms. */
  at: number;
  /** An error answer, or none at all (unreachable, cut short). */
  failed: boolean;
  tokens: Tokens | null;
}

/** Isolate cache: counts not yet sent, by `key hour`. */
let pending = new Map<string, UsageRow>();
/** Whether a send is already scheduled in some request's `waitUntil`. */
let scheduled = false;
/** FLUSH_AFTER_MS, but for tests that drive calls through a context they wait on (flushUsageAfter). */
let flushAfterMs = FLUSH_AFTER_MS;

/** Tests that wait on each call's `waitUntil` set 0: each count is then sent at once, not 5 s later. */
export function flushUsageAfter(ms: number): void {
  flushAfterMs = ms;
}

/** Counts one call; the first count after a send schedules the next one in `background`. */
export function countCall(call: CountedCall, send: SendUsage, background: { waitUntil(promise: Promise<unknown>): void }): void {
  add({
    key: call.key,
    hour: Math.floor(call.at / HOUR_MS) * HOUR_MS,
    requests: 1,
    errors: call.failed ? 1 : 0,
    inputTokens: call.tokens?.input ?? 0,
    outputTokens: call.tokens?.output ?? 0,
    lastUsedAt: call.at,
  });
  if (scheduled) return;
  scheduled = true;
  const wait = flushAfterMs === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, flushAfterMs));
  background.waitUntil(wait.then(() => sendPending(send)));
}

/** Sends what is pending now (the scheduled send; tests call it instead of waiting). */
export async function sendPending(send: SendUsage): Promise<void> {
  scheduled = false;
  if (pending.size === 0) return;
  const rows = [...pending.values()];
  pending = new Map();
  try {
    await send(rows);
  } catch (error) {
    logEvent('usage_send_failed', { rows: rows.length, message: error instanceof Error ? error.message : String(error) });
    for (const row of rows) add(row);
  }
}

/** What is counted and not yet sent (for tests and the status). */
export function pendingUsage(): UsageRow[] {
  return [...pending.values()];
}

/** A new isolate's state (tests start each case here). */
export function forgetPendingUsage(): void {
  pending = new Map();
  scheduled = false;
}

function add(row: UsageRow): void {
  const id = `${row.key} ${row.hour}`;
  const known = pending.get(id);
  if (known === undefined) {
    if (pending.size >= MAX_PENDING_ROWS) {
      const oldest = pending.keys().next().value;
      if (oldest !== undefined) pending.delete(oldest);
    }
    pending.set(id, { ...row });
    return;
  }
  known.requests += row.requests;
  known.errors += row.errors;
  known.inputTokens += row.inputTokens;
  known.outputTokens += row.outputTokens;
  known.lastUsedAt = Math.max(known.lastUsedAt, row.lastUsedAt);
}
