/**
 * @module The coordinator's RPC surface: what an isolate may call on it (coordinator/coordinator.ts
 * implements it). The worker's env and the callers type the binding with this interface, never with
 * the class, so they do not import the Durable Object and everything it imports.
 */
import type { Cursor } from '../changes/page.ts';
import type { ChangeItem, RecordedChange } from '../changes/record.ts';
import type { ProviderHistory } from '../history/table.ts';
import type { KeyRecord, KeySnapshot } from '../keys/store.ts';
import type { UsageRow } from '../usage/batch.ts';
import type { KeyUsage } from '../usage/table.ts';
import type { HookState } from '../webhooks/queue.ts';
import type { Begin, Built, CoordinatorState, Finished, Joined, KeyChange, RefreshTrigger } from './protocol.ts';

/** The change feed's part of the admin status: each provider's history, the latest changes, each webhook's state. */
export interface FeedState {
  history: ProviderHistory[];
  recentChanges: ChangeItem[];
  webhooks: HookState[];
}

/** Each method's meaning is documented where the class implements it. */
export interface CoordinatorApi extends Rpc.DurableObjectBranded {
  begin(trigger: RefreshTrigger, leaseMs: number, fingerprint: string): Promise<Begin>;
  join(ticket: string): Promise<Joined | undefined>;
  finish(ticket: string, built: Built): Promise<Finished>;
  abandon(ticket: string): Promise<void>;
  purge(): Promise<{ generation: number; error: string | null }>;
  state(): Promise<CoordinatorState>;
  listKeys(): Promise<KeySnapshot>;
  createKey(record: KeyRecord, maxKeys: number): Promise<KeyChange<null>>;
  revokeKey(id: string): Promise<KeyChange<{ id: string; name: string }>>;
  addUsage(rows: UsageRow[]): Promise<void>;
  keyUsage(): Promise<Record<string, KeyUsage>>;
  changesAfter(cursor: Cursor, max: number): Promise<RecordedChange[]>;
  changesBefore(seq: number | null, max: number): Promise<RecordedChange[]>;
  feedState(): Promise<FeedState>;
}
