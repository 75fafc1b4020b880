/**
 * @module How an isolate reaches the coordinator: its one instance, or none when it is not bound or
 * failed to answer within the failure pause (then this isolate refreshes on its own, as without one).
 */
import type { Env } from '../env.ts';
import { logEvent } from '../log.ts';
import { COORDINATOR_NAME, type Coordinator } from './coordinator.ts';
import { FAILURE_PAUSE_MS, type CoordinatorState } from './protocol.ts';

export type CoordinatorNamespace = DurableObjectNamespace<Coordinator>;
export type CoordinatorStub = DurableObjectStub<Coordinator>;

/** Isolate cache: the last failure to reach the coordinator, which holds this isolate off it for the pause. */
let lastUnreachable: { error: string; at: number } | undefined;

/** The coordinator to ask now, or undefined: not bound, or unreachable within the pause. */
export function coordinatorOf(namespace: CoordinatorNamespace | undefined, now = Date.now()): CoordinatorStub | undefined {
  if (namespace === undefined) return undefined;
  if (lastUnreachable !== undefined && now - lastUnreachable.at < FAILURE_PAUSE_MS) return undefined;
  return namespace.getByName(COORDINATOR_NAME);
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

/** The status's `coordinator` field: asked live, so it says whether the coordinator answers now. */
export async function coordinatorStatus(env: Env): Promise<({ ok: true; error: null } & CoordinatorState) | { ok: false; error: string }> {
  if (env.COORDINATOR === undefined) return { ok: false, error: 'not bound: COORDINATOR is not in wrangler.toml; each isolate refreshes on its own' };
  try {
    const state = await env.COORDINATOR.getByName(COORDINATOR_NAME).state();
    return { ok: true, error: null, ...state };
  } catch (error) {
    return { ok: false, error: noteUnreachable(error, 'status') };
  }
}
