/**
 * @module The coordinator's client keys: one SQLite table, each change one transaction (a name is
 * taken once, the limit holds, a revocation is final), expired keys deleted in the same transactions.
 */
import type { KeyRecord } from '../keys/store.ts';

const SCHEMA = `CREATE TABLE IF NOT EXISTS client_keys (
  id TEXT PRIMARY KEY, hash TEXT NOT NULL, name TEXT NOT NULL UNIQUE, view TEXT,
  created_at INTEGER NOT NULL, created_by TEXT, expires_at INTEGER)`;

type Row = Record<string, SqlStorageValue>;

export function createKeyTable(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

export function allKeys(sql: SqlStorage): KeyRecord[] {
  return sql.exec<Row>('SELECT * FROM client_keys ORDER BY created_at, id').toArray().map(recordOf);
}

export function keyCount(sql: SqlStorage): number {
  return sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM client_keys').one().n;
}

export function nameTaken(sql: SqlStorage, name: string): boolean {
  return sql.exec('SELECT 1 FROM client_keys WHERE name = ?', name).toArray().length > 0;
}

/** `orIgnore`: a key already there (by id or name) is left as it is. */
export function insertKey(sql: SqlStorage, r: KeyRecord, orIgnore = false): void {
  sql.exec(
    `INSERT ${orIgnore ? 'OR IGNORE ' : ''}INTO client_keys (id, hash, name, view, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    r.id, r.hash, r.name, r.view, r.createdAt, r.createdBy, r.expiresAt,
  );
}

/** The deleted key, or undefined when there was none. */
export function deleteKey(sql: SqlStorage, id: string): KeyRecord | undefined {
  const row = sql.exec<Row>('DELETE FROM client_keys WHERE id = ? RETURNING *', id).toArray()[0];
  return row === undefined ? undefined : recordOf(row);
}

/** Deletes the keys expired by `now`; how many. */
export function deleteExpired(sql: SqlStorage, now: number): number {
  return sql.exec('DELETE FROM client_keys WHERE expires_at IS NOT NULL AND expires_at <= ?', now).rowsWritten;
}

/** When the next key expires (unix ms), if any does. */
export function nextExpiry(sql: SqlStorage): number | null {
  const value = sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM client_keys').one().at;
  return typeof value === 'number' ? value : null;
}

function recordOf(row: Row): KeyRecord {
  const text = (value: SqlStorageValue | undefined) => (typeof value === 'string' ? value : null);
  const number = (value: SqlStorageValue | undefined) => (typeof value === 'number' ? value : null);
  return {
    id: String(row.id),
    hash: String(row.hash),
    name: String(row.name),
    view: text(row.view),
    createdAt: number(row.created_at) ?? 0,
    createdBy: text(row.created_by),
    expiresAt: number(row.expires_at),
  };
}
