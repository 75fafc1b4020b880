/**
 * @module The coordinator's part in the change feed, usage and history (docs/api.md, "Change feed",
 * "Webhooks", "Usage per key"): it records each list version it writes (changes/recorder.ts), works
 * through webhook deliveries on its alarm, and sums the isolates' usage batches. A failure here is
 * logged and never fails the refresh or the call it came with.
 */
import { changesAfter, changesBefore } from '../changes/table.ts';
import type { Cursor } from '../changes/page.ts';
import { createFeedTables, recordVersion, type BaselineMemo, type Version } from '../changes/recorder.ts';
import { changeItem, type RecordedChange } from '../changes/record.ts';
import { configOrError, ConfigError, type Config } from '../config.ts';
import type { Env } from '../env.ts';
import { historyOf } from '../history/table.ts';
import { logEvent } from '../log.ts';
import type { UsageRow } from '../usage/batch.ts';
import { addUsage, createUsageTable, pruneUsage, usageByKey, type KeyUsage } from '../usage/table.ts';
import { hookStates, runDue } from '../webhooks/queue.ts';
import { alarmBy } from './alarm.ts';
import type { FeedState } from './api.ts';

/** The status page's list of recent changes. */
const RECENT_CHANGES = 20;

export class Feed {
  private readonly storage: DurableObjectStorage;
  private readonly env: Env;
  private readonly baseline: BaselineMemo = { version: null, models: null };

  constructor(storage: DurableObjectStorage, env: Env) {
    this.storage = storage;
    this.env = env;
    createFeedTables(storage.sql);
    createUsageTable(storage.sql);
  }

  /** A list version the coordinator wrote (`written` null: the refresh wrote none); webhooks queued are sent at once. */
  async onVersion(version: Version): Promise<void> {
    const config = this.config();
    if (config === undefined) return;
    try {
      const { changes, queued } = recordVersion(this.storage, version, config, Date.now(), this.baseline);
      if (changes.length > 0) logEvent('changes_recorded', { changes: changes.length, webhooks: queued });
      if (queued > 0) await alarmBy(this.storage, Date.now());
    } catch (error) {
      logEvent('changes_failed', { message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Webhook deliveries due now; the alarm again when the next one is. */
  async onAlarm(): Promise<void> {
    const config = this.config();
    if (config === undefined) return;
    const next = await runDue(this.storage.sql, config.webhooks, Date.now());
    if (next !== null) await alarmBy(this.storage, next);
  }

  addUsage(rows: UsageRow[]): void {
    const now = Date.now();
    addUsage(this.storage.sql, rows, now);
    pruneUsage(this.storage.sql, now);
  }

  keyUsage(): Record<string, KeyUsage> {
    return Object.fromEntries(usageByKey(this.storage.sql, Date.now()));
  }

  changesAfter(cursor: Cursor, max: number): RecordedChange[] {
    return changesAfter(this.storage.sql, cursor, max);
  }

  changesBefore(seq: number | null, max: number): RecordedChange[] {
    return changesBefore(this.storage.sql, seq, max);
  }

  state(): FeedState {
    const config = this.config();
    return {
      history: historyOf(this.storage.sql, Date.now()),
      recentChanges: changesBefore(this.storage.sql, null, RECENT_CHANGES).map(changeItem),
      webhooks: config === undefined ? [] : hookStates(this.storage.sql, config.webhooks),
    };
  }

  /** Under a broken configuration nothing is recorded or sent: which providers and hooks exist is unknown. */
  private config(): Config | undefined {
    const config = configOrError(this.env);
    return config instanceof ConfigError ? undefined : config;
  }
}
