/**
 * @module Webhook deliveries in the coordinator's SQLite, worked through by its alarm: one pending batch
 * per row, tried oldest first and one at a time per hook (a receiver gets batches in order), each try
 * judged by schedule.ts. A hook's state (last delivery, last error, turned off by a 410) is what the
 * status shows, by the hook's origin and view only.
 */
import type { Webhook } from '../config/webhooks.ts';
import { deliver } from './deliver.ts';
import { afterTry } from './schedule.ts';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS webhook_deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, hook TEXT NOT NULL, body TEXT NOT NULL,
    first_tried_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS webhook_state (hook TEXT PRIMARY KEY, disabled_at INTEGER, last_status INTEGER, last_error TEXT,
    last_tried_at INTEGER, last_delivered_at INTEGER, given_up INTEGER NOT NULL DEFAULT 0)`,
];

type Row = Record<string, SqlStorageValue>;

/** A hook's identity: its URL and view. A hook turned off stays off until one of them changes. */
export const hookId = (hook: Pick<Webhook, 'url' | 'view'>) => `${hook.url} ${hook.view ?? '*'}`;

export function createWebhookTables(sql: SqlStorage): void {
  for (const statement of SCHEMA) sql.exec(statement);
}

/** Queues `batchFor(hook)` (a JSON array of changes, or null when the hook sees none) for every hook still on. */
export function enqueue(sql: SqlStorage, hooks: readonly Webhook[], batchFor: (hook: Webhook) => string | null, now: number): number {
  let queued = 0;
  for (const hook of hooks) {
    const id = hookId(hook);
    if (isDisabled(sql, id)) continue;
    const body = batchFor(hook);
    if (body === null) continue;
    sql.exec('INSERT INTO webhook_deliveries (hook, body, next_at) VALUES (?, ?, ?)', id, body, now);
    queued++;
  }
  return queued;
}

/**
 * Tries every delivery that is due (the oldest of each hook); answers when the next one is due, or
 * null when none is pending. Deliveries of hooks no longer configured are dropped.
 */
export async function runDue(sql: SqlStorage, hooks: readonly Webhook[], now: number, fetcher: typeof fetch = fetch, random = Math.random): Promise<number | null> {
  const configured = new Map(hooks.map((hook) => [hookId(hook), hook]));
  for (const row of sql.exec<Row>('SELECT DISTINCT hook FROM webhook_deliveries').toArray()) {
    if (!configured.has(String(row.hook))) sql.exec('DELETE FROM webhook_deliveries WHERE hook = ?', row.hook ?? null);
  }
  const due = sql.exec<Row>('SELECT * FROM webhook_deliveries WHERE id IN (SELECT MIN(id) FROM webhook_deliveries GROUP BY hook) AND next_at <= ?', now).toArray();
  for (const row of due) {
    const id = String(row.hook);
    const hook = configured.get(id);
    if (hook === undefined) continue;
    const attempts = Number(row.attempts) + 1;
    const firstTriedAt = typeof row.first_tried_at === 'number' ? row.first_tried_at : now;
    const { status, error } = await deliver(hook.url, hook.secret, String(row.body), now, fetcher);
    const outcome = afterTry(status, attempts, firstTriedAt, now, random());
    const state = stateRow(sql, id);
    sql.exec('UPDATE webhook_state SET last_status = ?, last_error = ?, last_tried_at = ? WHERE hook = ?', status, error, now, state);
    if (outcome.kind === 'retry') {
      sql.exec('UPDATE webhook_deliveries SET attempts = ?, first_tried_at = ?, next_at = ? WHERE id = ?', attempts, firstTriedAt, outcome.at, row.id ?? null);
      continue;
    }
    sql.exec('DELETE FROM webhook_deliveries WHERE id = ?', row.id ?? null);
    if (outcome.kind === 'delivered') sql.exec('UPDATE webhook_state SET last_delivered_at = ? WHERE hook = ?', now, id);
    if (outcome.kind === 'given_up') sql.exec('UPDATE webhook_state SET given_up = given_up + 1 WHERE hook = ?', id);
    if (outcome.kind === 'disabled') {
      sql.exec('UPDATE webhook_state SET disabled_at = ? WHERE hook = ?', now, id);
      sql.exec('DELETE FROM webhook_deliveries WHERE hook = ?', id);
    }
  }
  // A hook whose oldest batch was delivered may have the next one due at once.
  const next = sql.exec<{ next: number | null }>('SELECT MIN(next_at) AS next FROM webhook_deliveries').one().next;
  return typeof next === 'number' ? next : null;
}

export interface HookState {
  /** The receiver's origin: its path and query may hold its own key. */
  origin: string;
  view: string | null;
  state: 'idle' | 'retrying' | 'off';
  pending: number;
  lastDeliveredAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  /** Batches dropped after 24 h of failures. */
  givenUp: number;
}

/** Each configured hook's state, for the status. */
export function hookStates(sql: SqlStorage, hooks: readonly Webhook[]): HookState[] {
  return hooks.map((hook) => {
    const id = hookId(hook);
    const row = sql.exec<Row>('SELECT * FROM webhook_state WHERE hook = ?', id).toArray()[0];
    const pending = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM webhook_deliveries WHERE hook = ?', id).one().n;
    const retrying = sql.exec('SELECT 1 FROM webhook_deliveries WHERE hook = ? AND attempts > 0', id).toArray().length > 0;
    const iso = (value: unknown) => (typeof value === 'number' ? new Date(value).toISOString() : null);
    return {
      origin: new URL(hook.url).origin,
      view: hook.view,
      state: typeof row?.disabled_at === 'number' ? 'off' : retrying ? 'retrying' : 'idle',
      pending,
      lastDeliveredAt: iso(row?.last_delivered_at),
      lastStatus: typeof row?.last_status === 'number' ? row.last_status : null,
      lastError: typeof row?.last_error === 'string' ? row.last_error : null,
      givenUp: typeof row?.given_up === 'number' ? row.given_up : 0,
    };
  });
}

function isDisabled(sql: SqlStorage, id: string): boolean {
  return sql.exec('SELECT 1 FROM webhook_state WHERE hook = ? AND disabled_at IS NOT NULL', id).toArray().length > 0;
}

/** The hook's state row, made on first use; answers its id. */
function stateRow(sql: SqlStorage, id: string): string {
  sql.exec('INSERT OR IGNORE INTO webhook_state (hook) VALUES (?)', id);
  return id;
}
