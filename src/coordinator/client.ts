/**
 * @module How an isolate reaches the coordinator: its one instance, every call bounded in time
 * (docs/behaviour.md, "The coordinator"), or none when it is not bound or failed to answer within
 * the failure pause (then this isolate refreshes on its own, as without one).
 */
import type { Env } from '../env.ts';
import { logEvent } from '../log.ts';
import type { CoordinatorApi as Coordinator } from './api.ts';
import { COORDINATOR_NAME } from './coordinator.ts';
import { FAILURE_PAUSE_MS, type CoordinatorState } from './protocol.ts';

export type CoordinatorNamespace = DurableObjectNamespace<Coordinator>;
export type CoordinatorStub = DurableObjectStub<Coordinator>;

/**
 * A decision (begin, purge, state, a read of keys, feed or usage) takes the coordinator one turn and a
 * SQLite query: this long means it is overloaded or unreachable, and the caller takes its fallback.
 */
export const COORDINATOR_DECISION_BUDGET_MS = 2_000;
/**
 * A key change is a decision too (contract §13), though its answer waits for KV to hold the key's copy;
 * KV takes one write per key a second (src/cache/kv.ts), well inside this.
 */
export const COORDINATOR_KEY_CHANGE_BUDGET_MS = COORDINATOR_DECISION_BUDGET_MS;
/** A lead's `finish` waits while the coordinator writes the list to KV and records its changes: the lease's margin. */
export const COORDINATOR_FINISH_BUDGET_MS = 10_000;

/** Isolate cache: the last failure to reach the coordinator, which holds this isolate off it for the pause. */
let lastUnreachable: { error: string; at: number } | undefined;

/** The coordinator to ask now, or undefined: not bound, or unreachable within the pause. */
export function coordinatorOf(namespace: CoordinatorNamespace | undefined, now = Date.now()): CoordinatorClient | undefined {
  if (namespace === undefined) return undefined;
  if (lastUnreachable !== undefined && now - lastUnreachable.at < FAILURE_PAUSE_MS) return undefined;
  return coordinatorClient(namespace);
}

/** The coordinator asked whatever happened before (key changes and the status say live whether it answers). */
export function coordinatorClient(namespace: CoordinatorNamespace): CoordinatorClient {
  return boundedCalls(namespace.getByName(COORDINATOR_NAME));
}

export type CoordinatorClient = ReturnType<typeof boundedCalls>;
/** What a method of the coordinator answers (its RPC promise resolves to it). */
type Answer<M extends keyof Coordinator> = Coordinator[M] extends (...args: never[]) => Promise<infer T> ? T : never;

/**
 * The coordinator's RPC methods, each racing its budget: a call that has not answered by then
 * rejects with a timeout (an RPC call cannot be aborted; its late answer or error is dropped).
 */
function boundedCalls(stub: CoordinatorStub) {
  const decision = COORDINATOR_DECISION_BUDGET_MS;
  return {
    // A lead granted after the ask timed out is handed back, so others need not wait out its lease.
    begin: (...args: Parameters<Coordinator['begin']>) =>
      bounded<Answer<'begin'>>(stub.begin(...args), decision, 'begin', (late) => (late.kind === 'lead' ? stub.abandon(late.ticket) : undefined)),
    /** Waits for a running refresh: at most `waitMs` (what is left of its lease), plus a decision's budget. */
    join: (ticket: string, waitMs: number) => bounded<Answer<'join'>>(stub.join(ticket), waitMs + decision, 'join'),
    finish: (...args: Parameters<Coordinator['finish']>) => bounded<Answer<'finish'>>(stub.finish(...args), COORDINATOR_FINISH_BUDGET_MS, 'finish'),
    abandon: (ticket: string) => bounded<Answer<'abandon'>>(stub.abandon(ticket), decision, 'abandon'),
    purge: () => bounded<Answer<'purge'>>(stub.purge(), decision, 'purge'),
    state: () => bounded<Answer<'state'>>(stub.state(), decision, 'state'),
    listKeys: () => bounded<Answer<'listKeys'>>(stub.listKeys(), decision, 'listKeys'),
    createKey: (...args: Parameters<Coordinator['createKey']>) => bounded<Answer<'createKey'>>(stub.createKey(...args), COORDINATOR_KEY_CHANGE_BUDGET_MS, 'createKey'),
    revokeKey: (id: string) => bounded<Answer<'revokeKey'>>(stub.revokeKey(id), COORDINATOR_KEY_CHANGE_BUDGET_MS, 'revokeKey'),
    addUsage: (...args: Parameters<Coordinator['addUsage']>) => bounded<Answer<'addUsage'>>(stub.addUsage(...args), decision, 'addUsage'),
    keyUsage: () => bounded<Answer<'keyUsage'>>(stub.keyUsage(), decision, 'keyUsage'),
    changesAfter: (...args: Parameters<Coordinator['changesAfter']>) => bounded<Answer<'changesAfter'>>(stub.changesAfter(...args), decision, 'changesAfter'),
    changesBefore: (...args: Parameters<Coordinator['changesBefore']>) => bounded<Answer<'changesBefore'>>(stub.changesBefore(...args), decision, 'changesBefore'),
    feedState: () => bounded<Answer<'feedState'>>(stub.feedState(), decision, 'feedState'),
  };
}

/**
 * `call`'s answer, or a rejection once `budgetMs` have passed; the loser is settled quietly and the
 * timer cleared. `late` gets an answer that came after the timeout (its own failure is dropped too).
 */
export async function bounded<T>(call: PromiseLike<T>, budgetMs: number, action: string, late?: (answer: T) => PromiseLike<unknown> | undefined): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timedOut = false;
  const answer = Promise.resolve(call);
  // Should the timeout win, a later answer goes to `late` and a later rejection is not an unhandled one.
  answer.then((value) => (timedOut && late !== undefined ? late(value) : undefined)).then(undefined, () => undefined);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no answer to ${action} within ${budgetMs} ms`));
    }, budgetMs);
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

/** Records a failed call; answers its message. */
export function noteUnreachable(error: unknown, action: string): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200);
  lastUnreachable = { error: message, at: Date.now() };
  logEvent('coordinator_unreachable', { action, message });
  return message;
}

/** What a new isolate knows: nothing has failed (tests start each case here). */
export function forgetCoordinatorFailure(): void {
  lastUnreachable = undefined;
}

/** The status's `coordinator` field: asked live (within a decision's budget), so it says whether the coordinator answers now. */
export async function coordinatorStatus(env: Env): Promise<({ ok: true; error: null } & CoordinatorState) | { ok: false; error: string }> {
  if (env.COORDINATOR === undefined) return { ok: false, error: 'not bound: COORDINATOR is not in wrangler.toml; each isolate refreshes on its own' };
  try {
    const state = await coordinatorClient(env.COORDINATOR).state();
    return { ok: true, error: null, ...state };
  } catch (error) {
    return { ok: false, error: noteUnreachable(error, 'status') };
  }
}
