/**
 * @module The coordinator's client keys and their mirror in KV. SQLite holds the truth (each change
 * one transaction: coordinator/key-table.ts); KV holds the whole index for the hot path
 * (keys/store.ts reads it, never the coordinator). Writes to KV are coalesced, at most one per
 * second (KV's per-key limit): a change is answered once a mirror holding it is written, so an admin
 * who sees `revoked: true` knows KV has it.
 */
import { KEYS_KEY, KV_WRITE_INTERVAL_MS, tryReadKeyIndex, writeKeyIndex } from '../cache/kv.ts';
import type { KeyRecord, KeySnapshot } from '../keys/store.ts';
import { logEvent } from '../log.ts';
import { alarmBy } from './alarm.ts';
import { allKeys, createKeyTable, deleteExpired, deleteKey, insertKey, keyCount, nameTaken, nextExpiry } from './key-table.ts';
import type { KeyChange } from './protocol.ts';

/** After KV refused a mirror, the alarm tries again this soon. */
const MIRROR_RETRY_MS = 5_000;

export class KeyMirror {
  private readonly storage: DurableObjectStorage;
  private readonly kv: KVNamespace;
  /** Changes made, and changes known to be in KV: a change waits until the second reaches it. */
  private changes = 0;
  private mirrored = 0;
  private writing: Promise<void> | undefined;
  private lastWriteAt = 0;
  /** The version of the index last written to KV (the isolates' `KeyIndex.version`). */
  private version = 'unmirrored';
  private importing: Promise<void> | undefined;
  /** Why the last mirror failed, until one succeeds: the status shows it. */
  mirrorError: string | null = null;

  constructor(storage: DurableObjectStorage, kv: KVNamespace) {
    this.storage = storage;
    this.kv = kv;
    createKeyTable(storage.sql);
  }

  async snapshot(): Promise<KeySnapshot> {
    await this.importOnce();
    return { version: this.version, keys: allKeys(this.storage.sql) };
  }

  /** One transaction: the name is free, the limit holds, the key is in. */
  async create(record: KeyRecord, maxKeys: number): Promise<KeyChange<null>> {
    await this.importOnce();
    const refused = this.storage.transactionSync((): KeyChange<null> | undefined => {
      deleteExpired(this.storage.sql, Date.now());
      if (nameTaken(this.storage.sql, record.name)) {
        return { ok: false, status: 409, code: 'key_name_taken', message: `A key named '${record.name}' exists; revoke it or pick another name.` };
      }
      if (keyCount(this.storage.sql) >= maxKeys) {
        return { ok: false, status: 400, code: 'key_limit_reached', message: `At most ${maxKeys} client keys; revoke unused ones first.` };
      }
      insertKey(this.storage.sql, record);
      return undefined;
    });
    return refused ?? this.committed(null);
  }

  /** One transaction: the key is gone, for good. */
  async revoke(id: string): Promise<KeyChange<{ id: string; name: string }>> {
    await this.importOnce();
    const removed = this.storage.transactionSync(() => deleteKey(this.storage.sql, id));
    if (removed === undefined) return { ok: false, status: 404, code: 'key_not_found', message: `No client key with id '${id}'.` };
    return this.committed({ id, name: removed.name });
  }

  async onAlarm(): Promise<void> {
    const expired = this.storage.transactionSync(() => deleteExpired(this.storage.sql, Date.now()));
    if (expired > 0) this.changes++;
    if (this.mirrored < this.changes) await this.mirror().catch(() => undefined);
    await this.scheduleAlarm();
  }

  /** Waits for a mirror holding this change; a KV failure is a 503 that says the change is kept. */
  private async committed<T>(value: T): Promise<KeyChange<T>> {
    this.changes++;
    try {
      await this.mirror();
    } catch (error) {
      this.mirrorError = `KV did not take the key index: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
      logEvent('key_mirror_failed', { message: this.mirrorError });
      await alarmBy(this.storage, Date.now() + MIRROR_RETRY_MS);
      return { ok: false, status: 503, code: 'store_unavailable', message: 'The change is recorded but Workers KV did not take it yet; it is retried within seconds. Check GET /admin/keys.' };
    }
    await this.scheduleAlarm();
    return { ok: true, value, snapshot: { version: this.version, keys: allKeys(this.storage.sql) } };
  }

  /** Until KV holds every change made so far: one write at a time, each carrying all changes before it. */
  private async mirror(): Promise<void> {
    const wanted = this.changes;
    while (this.mirrored < wanted) {
      this.writing ??= this.writeOnce().finally(() => {
        this.writing = undefined;
      });
      await this.writing;
    }
  }

  private async writeOnce(): Promise<void> {
    const wait = this.lastWriteAt + KV_WRITE_INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const covered = this.changes;
    const keys = allKeys(this.storage.sql);
    // A new version per write: an isolate holding the old one parses the index again.
    const version = crypto.randomUUID();
    await writeKeyIndex(this.kv, JSON.stringify({ keys }), version);
    this.lastWriteAt = Date.now();
    this.version = version;
    this.mirrorError = null;
    this.mirrored = Math.max(this.mirrored, covered);
  }

  /** At the next expiry, or sooner when a mirror is owed. */
  private async scheduleAlarm(): Promise<void> {
    const next = nextExpiry(this.storage.sql);
    if (next !== null) await alarmBy(this.storage, next);
  }

  /** Keys made before the coordinator existed live in KV's index: taken over once, the first time keys are touched. */
  private importOnce(): Promise<void> {
    this.importing ??= this.importFromKv().catch((error: unknown) => {
      this.importing = undefined;
      throw error;
    });
    return this.importing;
  }

  private async importFromKv(): Promise<void> {
    const row = this.storage.sql.exec('SELECT 1 FROM settings WHERE name = ?', 'keys_imported').toArray()[0];
    if (row === undefined) {
      const read = await tryReadKeyIndex(this.kv);
      if (!read.ok) throw new Error(read.error);
      const { value } = read.value;
      const keys = value === null ? [] : (JSON.parse(value) as { keys: KeyRecord[] }).keys;
      this.storage.transactionSync(() => {
        for (const record of keys) insertKey(this.storage.sql, record, true);
        this.storage.sql.exec("INSERT OR IGNORE INTO settings (name, value) VALUES ('keys_imported', ?)", KEYS_KEY);
      });
    }
  }
}
