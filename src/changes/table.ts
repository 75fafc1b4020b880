/**
 * @module The change feed in the coordinator's SQLite: every change numbered (`seq`) with its time and
 * list version, kept 30 days; and the baseline the next list version is compared with (diff.ts), one
 * row per model, updated by the changes alone (a refresh that changes nothing writes nothing).
 */
import type { Change, Compared } from './diff.ts';
import { CHANGE_RETENTION_MS, type RecordedChange } from './record.ts';
import type { Cursor } from './page.ts';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, version TEXT NOT NULL,
    type TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, fields TEXT)`,
  'CREATE INDEX IF NOT EXISTS changes_at ON changes (at)',
  `CREATE TABLE IF NOT EXISTS change_baseline (id TEXT PRIMARY KEY, provider TEXT NOT NULL, owned_by TEXT, name TEXT,
    context_length INTEGER, max_output_tokens INTEGER, created INTEGER)`,
  'CREATE TABLE IF NOT EXISTS change_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)',
];

type Row = Record<string, SqlStorageValue>;

export function createChangeTables(sql: SqlStorage): void {
  for (const statement of SCHEMA) sql.exec(statement);
}

/** The list version the stored baseline is of, or null before the first. */
export function baselineVersion(sql: SqlStorage): string | null {
  const row = sql.exec<{ value: string }>('SELECT value FROM change_meta WHERE name = ?', 'baseline').toArray()[0];
  return row?.value ?? null;
}

/** The models the last version had (sorted by id in code-unit order, as diff.ts needs), or null before the first. */
export function readBaseline(sql: SqlStorage): Compared[] | null {
  if (baselineVersion(sql) === null) return null;
  // SQLite orders TEXT by UTF-8 bytes, JavaScript by UTF-16 code units: sort here.
  return sql.exec<Row>('SELECT * FROM change_baseline').toArray().map(comparedOf).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Records `changes` (from diff.ts) for list `version` built `at`, and moves the baseline to `baseline`
 * by those changes. Run inside one transaction (`transactionSync`). Returns them as recorded.
 */
export function recordChanges(sql: SqlStorage, changes: readonly Change[], baseline: readonly Compared[], at: number, version: string): RecordedChange[] {
  if (baselineVersion(sql) === null) {
    for (const model of baseline) upsertModel(sql, model);
    sql.exec('INSERT INTO change_meta (name, value) VALUES (?, ?)', 'baseline', version);
    return [];
  }
  const byId = changes.some((c) => c.type !== 'removed') ? new Map(baseline.map((m) => [m.id, m])) : undefined;
  const recorded: RecordedChange[] = [];
  for (const change of changes) {
    const fields = change.type === 'changed' ? JSON.stringify(change.fields) : null;
    const { seq } = sql
      .exec<{ seq: number }>('INSERT INTO changes (at, version, type, model, provider, fields) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq', at, version, change.type, change.model, change.provider, fields)
      .one();
    recorded.push({ ...change, seq, at, version });
    const model = byId?.get(change.model);
    if (change.type === 'removed') sql.exec('DELETE FROM change_baseline WHERE id = ?', change.model);
    else if (model !== undefined) upsertModel(sql, model);
  }
  sql.exec('UPDATE change_meta SET value = ? WHERE name = ?', version, 'baseline');
  return recorded;
}

/** Changes after `cursor`, oldest first. */
export function changesAfter(sql: SqlStorage, cursor: Cursor, max: number): RecordedChange[] {
  const rows = 'after' in cursor
    ? sql.exec<Row>('SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?', cursor.after, max)
    : sql.exec<Row>('SELECT * FROM changes WHERE at > ? ORDER BY seq LIMIT ?', cursor.since, max);
  return rows.toArray().map(changeOf);
}

/** Changes before `seq` (the newest when null), newest first. */
export function changesBefore(sql: SqlStorage, seq: number | null, max: number): RecordedChange[] {
  return sql.exec<Row>('SELECT * FROM changes WHERE seq < ? ORDER BY seq DESC LIMIT ?', seq ?? Number.MAX_SAFE_INTEGER, max).toArray().map(changeOf);
}

/** Forgets changes older than the retention. */
export function pruneChanges(sql: SqlStorage, now: number): void {
  sql.exec('DELETE FROM changes WHERE at < ?', now - CHANGE_RETENTION_MS);
}

function upsertModel(sql: SqlStorage, m: Compared): void {
  sql.exec(
    `INSERT INTO change_baseline (id, provider, owned_by, name, context_length, max_output_tokens, created) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET provider = excluded.provider, owned_by = excluded.owned_by, name = excluded.name,
       context_length = excluded.context_length, max_output_tokens = excluded.max_output_tokens, created = excluded.created`,
    m.id, m.provider, m.owned_by ?? null, m.name ?? null, m.context_length ?? null, m.max_output_tokens ?? null, m.created ?? null,
  );
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const number = (value: unknown) => (typeof value === 'number' ? value : undefined);

function comparedOf(row: Row): Compared {
  const model: Compared = { id: String(row.id), provider: String(row.provider), owned_by: text(row.owned_by) ?? '' };
  const name = text(row.name);
  const context = number(row.context_length);
  const maxOutput = number(row.max_output_tokens);
  const created = number(row.created);
  if (name !== undefined) model.name = name;
  if (context !== undefined) model.context_length = context;
  if (maxOutput !== undefined) model.max_output_tokens = maxOutput;
  if (created !== undefined) model.created = created;
  return model;
}

function changeOf(row: Row): RecordedChange {
  const base = { seq: Number(row.seq), at: Number(row.at), version: String(row.version), model: String(row.model), provider: String(row.provider) };
  if (row.type === 'changed') return { ...base, type: 'changed', fields: JSON.parse(String(row.fields)) as Extract<Change, { type: 'changed' }>['fields'] };
  return { ...base, type: row.type === 'added' ? 'added' : 'removed' };
}
