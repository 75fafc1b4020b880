/**
 * @module Usage per client key per hour in the coordinator's SQLite, added to by the isolates' batches
 * (batch.ts), summed for `GET /admin/keys` over the last 24 h and 30 days, and kept 30 days.
 */
import type { UsageRow } from './batch.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Hours older than this are deleted: the longest total shown is 30 days. */
export const USAGE_RETENTION_MS = 30 * DAY_MS;

const SCHEMA = `CREATE TABLE IF NOT EXISTS key_usage (key TEXT NOT NULL, hour INTEGER NOT NULL, requests INTEGER NOT NULL,
  errors INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, last_used_at INTEGER NOT NULL,
  PRIMARY KEY (key, hour))`;

export interface Totals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
}

export interface KeyUsage {
  usage: { '24h': Totals; '30d': Totals };
  /** ISO-8601, or null when the key was never used (within 30 days). */
  lastUsedAt: string | null;
}

export const NO_USAGE: KeyUsage = {
  usage: { '24h': { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0 }, '30d': { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0 } },
  lastUsedAt: null,
};

export function createUsageTable(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

/** Adds a batch from an isolate; hours older than the retention are dropped on arrival. */
export function addUsage(sql: SqlStorage, rows: readonly UsageRow[], now: number): void {
  for (const r of rows) {
    if (r.hour < now - USAGE_RETENTION_MS) continue;
    sql.exec(
      `INSERT INTO key_usage (key, hour, requests, errors, input_tokens, output_tokens, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(key, hour) DO UPDATE SET requests = requests + excluded.requests, errors = errors + excluded.errors,
         input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
         last_used_at = MAX(last_used_at, excluded.last_used_at)`,
      r.key, r.hour, r.requests, r.errors, r.inputTokens, r.outputTokens, r.lastUsedAt,
    );
  }
}

/**
 * Each key's totals: the last 24 h is the 24 hours before the current one plus the current one so far
 * (hourly rows: the window is 24 to 25 h wide), the last 30 days likewise.
 */
export function usageByKey(sql: SqlStorage, now: number): Map<string, KeyUsage> {
  const dayFrom = Math.floor(now / HOUR_MS) * HOUR_MS - 24 * HOUR_MS;
  const rows = sql
    .exec<Record<string, number | string>>(
      `SELECT key,
         SUM(CASE WHEN hour >= ?1 THEN requests ELSE 0 END) AS d_requests, SUM(CASE WHEN hour >= ?1 THEN errors ELSE 0 END) AS d_errors,
         SUM(CASE WHEN hour >= ?1 THEN input_tokens ELSE 0 END) AS d_input, SUM(CASE WHEN hour >= ?1 THEN output_tokens ELSE 0 END) AS d_output,
         SUM(requests) AS m_requests, SUM(errors) AS m_errors, SUM(input_tokens) AS m_input, SUM(output_tokens) AS m_output,
         MAX(last_used_at) AS last_used_at
       FROM key_usage WHERE hour >= ?2 GROUP BY key`,
      dayFrom,
      now - USAGE_RETENTION_MS,
    )
    .toArray();
  const n = (value: unknown) => (typeof value === 'number' ? value : 0);
  return new Map(
    rows.map((r) => [
      String(r.key),
      {
        usage: {
          '24h': { requests: n(r.d_requests), errors: n(r.d_errors), inputTokens: n(r.d_input), outputTokens: n(r.d_output) },
          '30d': { requests: n(r.m_requests), errors: n(r.m_errors), inputTokens: n(r.m_input), outputTokens: n(r.m_output) },
        },
        lastUsedAt: typeof r.last_used_at === 'number' ? new Date(r.last_used_at).toISOString() : null,
      },
    ]),
  );
}

export function pruneUsage(sql: SqlStorage, now: number): void {
  sql.exec('DELETE FROM key_usage WHERE hour < ?', now - USAGE_RETENTION_MS - HOUR_MS);
}
