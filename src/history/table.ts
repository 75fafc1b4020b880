/**
 * @module The last 24 h of refreshes per provider in the coordinator's SQLite (health, latency, model
 * count), for the status page's chart: one row per provider per refresh, older rows deleted.
 */
import type { CacheStatus } from '../cache/status.ts';

export const HISTORY_MS = 24 * 3_600_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS refresh_history (at INTEGER NOT NULL, provider TEXT NOT NULL, ok INTEGER NOT NULL,
  latency_ms INTEGER, model_count INTEGER NOT NULL)`;

export interface ProviderHistory {
  provider: string;
  refreshes: { at: string; ok: boolean; latencyMs: number | null; modelCount: number }[];
}

export function createHistoryTable(sql: SqlStorage): void {
  sql.exec(SCHEMA);
  sql.exec('CREATE INDEX IF NOT EXISTS refresh_history_at ON refresh_history (at)');
}

/** One row per provider of a refresh's status; rows older than 24 h go. */
export function recordRefresh(sql: SqlStorage, status: CacheStatus): void {
  for (const p of status.providers) {
    sql.exec('INSERT INTO refresh_history (at, provider, ok, latency_ms, model_count) VALUES (?, ?, ?, ?, ?)', status.refreshedAt, p.id, p.ok ? 1 : 0, p.latencyMs ?? null, p.modelCount);
  }
  sql.exec('DELETE FROM refresh_history WHERE at < ?', status.refreshedAt - HISTORY_MS);
}

/** The last 24 h before `now`, per provider (in the order first seen), oldest refresh first. */
export function historyOf(sql: SqlStorage, now: number): ProviderHistory[] {
  const byProvider = new Map<string, ProviderHistory>();
  const rows = sql.exec<Record<string, number | string | null>>('SELECT * FROM refresh_history WHERE at >= ? ORDER BY at, rowid', now - HISTORY_MS).toArray();
  for (const r of rows) {
    const provider = String(r.provider);
    let history = byProvider.get(provider);
    if (history === undefined) byProvider.set(provider, (history = { provider, refreshes: [] }));
    history.refreshes.push({ at: new Date(Number(r.at)).toISOString(), ok: r.ok === 1, latencyMs: typeof r.latency_ms === 'number' ? r.latency_ms : null, modelCount: Number(r.model_count) });
  }
  return [...byProvider.values()];
}
