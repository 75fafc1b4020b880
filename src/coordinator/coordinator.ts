/**
 * @module The `Coordinator` Durable Object: one instance, named `global`, makes every decision that
 * must be made once worldwide (docs/behaviour.md, "The coordinator"). It grants one refresh at a time
 * (the others wait for it and share its outcome), holds reads' refreshes back for the failure pause
 * after a failure, fences purges with a generation number, writes the list to KV itself, and keeps
 * the client keys in SQLite, mirrored to KV. It never fans out: the isolate that leads a refresh does.
 */
import { DurableObject } from 'cloudflare:workers';
import { deleteAll } from '../cache/kv.ts';
import type { Env } from '../env.ts';
import { logEvent } from '../log.ts';
import { persistBuilt } from '../refresh/persist.ts';
import type { CoordinatorApi } from './api.ts';
import { Feed } from './feed.ts';
import { KeyMirror } from './key-mirror.ts';
import { FAILURE_PAUSE_MS, type Begin, type Built, type CoordinatorState, type FailedRefresh, type Finished, type Joined, type RefreshTrigger } from './protocol.ts';

/** The one instance's name. */
export const COORDINATOR_NAME = 'global';
/**
 * How long a written list answers a read's ask without a new fan-out: KV's propagation time. An
 * isolate in another data centre may find no list (or the old one) in KV that long after the write.
 */
export const RECENT_MS = 60_000;

const SETTINGS = 'CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)';

interface Running {
  ticket: string;
  generation: number;
  /** Unix ms after which the lead counts as gone and another isolate may lead. */
  until: number;
  done: Promise<Finished | undefined>;
  settle(outcome: Finished | undefined): void;
}

export class Coordinator extends DurableObject<Env> implements CoordinatorApi {
  private running: Running | undefined;
  /** The last list written, under which generation and when: a read's ask within RECENT_MS gets it. */
  private recent: { outcome: Finished; generation: number; at: number } | undefined;
  /** The last refresh that finished, for a `join` that arrives just after. */
  private lastFinished: { ticket: string; outcome: Finished } | undefined;
  private readonly keyMirror: KeyMirror;
  /** The change feed, usage and history (coordinator/feed.ts). */
  private readonly feed: Feed;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SETTINGS);
    this.keyMirror = new KeyMirror(ctx.storage, env.MODELS_KV);
    this.feed = new Feed(ctx.storage, env);
  }

  /**
   * Asks to refresh: a decision, answered at once (docs/behaviour.md, "The coordinator"). Leads when
   * nobody is refreshing; else names the running refresh to `join`. A read's refresh (`miss`,
   * `stale`) is held back by a failure within the pause, and answered with the list written within
   * RECENT_MS, if any: KV may not show it there yet.
   */
  async begin(trigger: RefreshTrigger, leaseMs: number, fingerprint: string): Promise<Begin> {
    const now = Date.now();
    const running = this.running;
    if (running !== undefined && now < running.until) return { kind: 'running', ticket: running.ticket, generation: this.generation(), waitMs: running.until - now };
    // A lead gone past its lease without `finish`: another may lead in its place.
    if (running !== undefined) this.running = undefined;
    const read = trigger === 'miss' || trigger === 'stale';
    const recent = this.recent;
    if (read && recent !== undefined && this.stillRecent(recent, fingerprint, now)) {
      return { kind: 'joined', generation: recent.generation, outcome: recent.outcome };
    }
    const failure = this.failure();
    if (read && failure !== null && now - failure.at < FAILURE_PAUSE_MS) {
      return { kind: 'paused', generation: this.generation(), failure };
    }
    const ticket = crypto.randomUUID();
    let settle: (outcome: Finished | undefined) => void = () => undefined;
    const done = new Promise<Finished | undefined>((resolve) => (settle = resolve));
    this.running = { ticket, generation: this.generation(), until: now + leaseMs, done, settle };
    return { kind: 'lead', ticket, generation: this.generation() };
  }

  /**
   * Waits for the refresh `begin` named, at most until its lease ends: its outcome, or undefined when
   * it produced none to share (its lead gave up or vanished, or a purge fenced it): ask `begin` again.
   */
  async join(ticket: string): Promise<Joined | undefined> {
    const running = this.running;
    if (running?.ticket !== ticket) {
      // It finished between `begin` and this call.
      const last = this.lastFinished;
      return last?.ticket === ticket && !last.outcome.fenced ? { kind: 'joined', generation: this.generation(), outcome: last.outcome } : undefined;
    }
    const outcome = await within(running.done, running.until - Date.now());
    if (this.running === running && outcome === undefined) this.running = undefined;
    return outcome === undefined || outcome.fenced ? undefined : { kind: 'joined', generation: this.generation(), outcome };
  }

  /**
   * The lead's built list. Written to KV only if no purge came since `begin` (the generation is
   * checked and the writes issued in one turn, so a purge's deletes always come after them).
   */
  async finish(ticket: string, built: Built): Promise<Finished> {
    const running = this.running?.ticket === ticket ? this.running : undefined;
    const list = built.replacement ?? built.kept;
    const succeeded = built.replacement !== null;
    const begunUnder = running?.generation ?? this.generation();
    const fencedBefore = running === undefined || begunUnder !== this.generation();
    const writing = fencedBefore ? Promise.resolve(false) : persistBuilt(this.env.MODELS_KV, built, begunUnder);
    if (!fencedBefore) this.noteOutcome(succeeded, built);
    const wrote = await writing;
    // A purge while KV took the writes deleted them after: the list is fenced all the same.
    const fenced = fencedBefore || begunUnder !== this.generation();
    const written = wrote && !fenced;
    const outcome: Finished = { list, generation: begunUnder, status: built.status, succeeded, written, fenced };
    if (written && running !== undefined) this.recent = { outcome, generation: running.generation, at: Date.now() };
    if (running !== undefined) {
      this.lastFinished = { ticket, outcome };
      running.settle(outcome);
      if (this.running === running) this.running = undefined;
    }
    // Each version once, worldwide: its changes, its webhooks, a row of history per provider. After the
    // joiners have their outcome; the lead's answer waits for it, so a refresh's changes are readable once it returns.
    if (!fenced) await this.feed.onVersion({ written: written ? built.replacement : null, status: built.status });
    return outcome;
  }

  /** The lead gave up (its fan-out threw): waiting isolates may lead in its place. */
  async abandon(ticket: string): Promise<void> {
    const running = this.running;
    if (running?.ticket !== ticket) return;
    this.running = undefined;
    running.settle(undefined);
  }

  /**
   * A purge: the generation moves on first (a refresh begun before it can no longer write), then
   * the list and status leave KV. Answers the new generation, or KV's error (nothing deleted).
   */
  async purge(): Promise<{ generation: number; error: string | null }> {
    const generation = this.generation() + 1;
    this.setSetting('generation', String(generation));
    this.recent = undefined;
    // The running refresh is fenced: those waiting for it ask again, and the next to ask leads at once.
    const running = this.running;
    this.running = undefined;
    running?.settle(undefined);
    try {
      await deleteAll(this.env.MODELS_KV);
      return { generation, error: null };
    } catch (error) {
      return { generation, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async state(): Promise<CoordinatorState> {
    const refreshing = this.running !== undefined && Date.now() < this.running.until;
    return { generation: this.generation(), refreshing, failure: this.failure(), keyMirrorError: this.keyMirror.mirrorError };
  }

  /** Client keys: see coordinator/key-mirror.ts. */
  async listKeys() {
    return this.keyMirror.snapshot();
  }

  async createKey(...args: Parameters<KeyMirror['create']>) {
    return this.keyMirror.create(...args);
  }

  async revokeKey(id: string) {
    return this.keyMirror.revoke(id);
  }

  /** Usage batches from the isolates (usage/batch.ts), and what the admin API and the feed routes read. */
  async addUsage(...args: Parameters<Feed['addUsage']>) {
    return this.feed.addUsage(...args);
  }

  async keyUsage() {
    return this.feed.keyUsage();
  }

  async changesAfter(...args: Parameters<Feed['changesAfter']>) {
    return this.feed.changesAfter(...args);
  }

  async changesBefore(...args: Parameters<Feed['changesBefore']>) {
    return this.feed.changesBefore(...args);
  }

  async feedState() {
    return this.feed.state();
  }

  /** Expired keys leave, a mirror KV refused is tried again, and webhook deliveries due are tried (coordinator/alarm.ts). */
  override async alarm(): Promise<void> {
    await this.keyMirror.onAlarm();
    await this.feed.onAlarm();
  }

  /** A written list a read may be answered with: this generation's, still fresh, made under the asker's configuration. */
  private stillRecent({ outcome, generation, at }: NonNullable<Coordinator['recent']>, fingerprint: string, now: number): boolean {
    const meta = outcome.list?.meta;
    return generation === this.generation() && now - at < RECENT_MS && meta !== undefined && now < meta.freshUntil && meta.fingerprint === fingerprint;
  }

  private generation(): number {
    return Number(this.setting('generation') ?? 0);
  }

  private failure(): FailedRefresh | null {
    const text = this.setting('failure');
    return text === undefined ? null : (JSON.parse(text) as FailedRefresh);
  }

  /** A success ends the pause; a failure starts it, worldwide. */
  private noteOutcome(succeeded: boolean, built: Built): void {
    if (succeeded) {
      this.ctx.storage.sql.exec('DELETE FROM settings WHERE name = ?', 'failure');
      return;
    }
    const { providers, refreshedAt } = built.status;
    const failure: FailedRefresh = { at: refreshedAt, failed: providers.filter((p) => !p.ok).length, providers: providers.length };
    this.setSetting('failure', JSON.stringify(failure));
    logEvent('coordinator_pause', { ...failure });
  }

  private setting(name: string): string | undefined {
    const row = this.ctx.storage.sql.exec<{ value: string }>('SELECT value FROM settings WHERE name = ?', name).toArray()[0];
    return row?.value;
  }

  private setSetting(name: string, value: string): void {
    this.ctx.storage.sql.exec('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value', name, value);
  }
}

/** `promise`'s value, or undefined once `ms` have passed; the timer is cleared either way (a pending one keeps the object awake). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
