/**
 * @module What the coordinator does with each list version it writes: one row of history per
 * provider (history/table.ts), the changes from the version before (diff.ts, kept in table.ts), and a
 * webhook batch per hook that sees any of them (webhooks/queue.ts). Runs in the coordinator, once per
 * version worldwide, after the list is in KV: never on a read's path.
 */
import type { StoredList } from '../cache/kv.ts';
import type { CacheStatus } from '../cache/status.ts';
import type { Config } from '../config.ts';
import { createHistoryTable, recordRefresh } from '../history/table.ts';
import type { Model } from '../model.ts';
import { createWebhookTables, enqueue } from '../webhooks/queue.ts';
import { diffLists, type Compared } from './diff.ts';
import { changeItem, changesSeenBy, type RecordedChange } from './record.ts';
import { baselineVersion, createChangeTables, pruneChanges, readBaseline, recordChanges } from './table.ts';

/** A refresh's outcome as the coordinator has it: the list written (null: none) and the status. */
export interface Version {
  written: StoredList | null;
  status: CacheStatus;
}

/**
 * The baseline as last recorded, kept by the coordinator between versions so a refresh does not read
 * 10,000 rows back: used only while SQLite's baseline is still the version it was made for.
 */
export interface BaselineMemo {
  version: string | null;
  models: Compared[] | null;
}

export function createFeedTables(sql: SqlStorage): void {
  createChangeTables(sql);
  createHistoryTable(sql);
  createWebhookTables(sql);
}

/** Records `version`; answers the changes recorded and how many webhook batches were queued. */
export function recordVersion(storage: DurableObjectStorage, version: Version, config: Config, now: number, memo: BaselineMemo): { changes: RecordedChange[]; queued: number } {
  const { sql } = storage;
  recordRefresh(sql, version.status);
  if (version.written === null) return { changes: [], queued: 0 };
  const { data } = JSON.parse(version.written.body) as { data: Model[] };
  const stored = baselineVersion(sql);
  const previous = memo.version !== null && memo.version === stored ? memo.models : readBaseline(sql);
  // The providers of the configuration that built this version (the coordinator's own may lag a deployment).
  const configured = new Set(version.status.providers.map((p) => p.id));
  const failed = new Set(version.status.providers.filter((p) => !p.ok).map((p) => p.id));
  const diff = diffLists(previous, data, { configured, failed });
  const tag = version.written.meta.etag.replace(/^(W\/)?"|"$/g, '');
  const changes = storage.transactionSync(() => recordChanges(sql, diff.changes, diff.baseline, version.status.refreshedAt, tag));
  memo.version = tag;
  memo.models = diff.baseline;
  pruneChanges(sql, now);
  if (changes.length === 0) return { changes, queued: 0 };
  const queued = enqueue(
    sql,
    config.webhooks,
    (hook) => {
      const items = changes.filter(changesSeenBy(config, hook.view)).map(changeItem);
      return items.length === 0 ? null : JSON.stringify(items);
    },
    now,
  );
  return { changes, queued };
}
