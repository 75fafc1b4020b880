/**
 * @module What isolates read of the coordinator's feed, usage and history (coordinator/feed.ts): each
 * a value, or undefined with the failure noted when it is not bound or does not answer within a
 * decision's budget (coordinator/client.ts). Never on a
 * list read's or a call's path: only the feed routes and the admin API ask.
 */
import type { Env } from '../env.ts';
import type { KeyUsage } from '../usage/table.ts';
import { coordinatorOf, noteUnreachable, type CoordinatorClient } from './client.ts';
import type { FeedState } from './api.ts';

/** The coordinator to read from, or why there is none (a stub answers `in` for any name: hence `ok`). */
export function feedReader(env: Env): { ok: true; stub: CoordinatorClient } | { ok: false; unavailable: string } {
  if (env.COORDINATOR === undefined) return { ok: false, unavailable: 'the coordinator that records it is not bound (COORDINATOR in wrangler.toml)' };
  const stub = coordinatorOf(env.COORDINATOR);
  return stub === undefined ? { ok: false, unavailable: 'the coordinator did not answer a moment ago' } : { ok: true, stub };
}

export async function feedState(env: Env): Promise<FeedState | undefined> {
  return ask(env, 'feed', (coordinator) => coordinator.feedState());
}

export async function keyUsage(env: Env): Promise<Record<string, KeyUsage> | undefined> {
  return ask(env, 'usage', (coordinator) => coordinator.keyUsage());
}

async function ask<T>(env: Env, action: string, question: (coordinator: CoordinatorClient) => Promise<T>): Promise<T | undefined> {
  const coordinator = feedReader(env);
  if (!coordinator.ok) return undefined;
  try {
    return await question(coordinator.stub);
  } catch (error) {
    noteUnreachable(error, action);
    return undefined;
  }
}
