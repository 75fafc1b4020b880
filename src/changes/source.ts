/**
 * @module Where an isolate reads the change feed: the coordinator, which records it (README, "Change
 * feed"). Without one (not bound, or not answering) there is no feed to read.
 */
import type { Env } from '../env.ts';
import type { ChangesBefore } from './atom.ts';
import type { ChangesAfter } from './page.ts';

export interface ChangeSource {
  after: ChangesAfter;
  before: ChangesBefore;
}

/** The feed's reader, or why there is none. */
export function changeSource(_env: Env): ChangeSource | { unavailable: string } {
  return { unavailable: 'the coordinator that records it is not bound (COORDINATOR in wrangler.toml)' };
}
