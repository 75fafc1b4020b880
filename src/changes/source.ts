/**
 * @module Where an isolate reads the change feed: the coordinator, which records it (docs/api.md, "Change
 * feed"). Without one (not bound, or not answering) there is no feed to read.
 */
import { noteUnreachable } from '../coordinator/client.ts';
import { feedReader } from '../coordinator/feed-client.ts';
import type { Env } from '../env.ts';
import type { ChangesBefore } from './atom.ts';
import type { ChangesAfter } from './page.ts';

export interface ChangeSource {
  after: ChangesAfter;
  before: ChangesBefore;
}

/** Thrown by a source's read when the coordinator fails mid-request. */
export class FeedUnavailable extends Error {}

/** The feed's reader, or why there is none. */
export function changeSource(env: Env): ChangeSource | { unavailable: string } {
  const reader = feedReader(env);
  if (!reader.ok) return { unavailable: reader.unavailable };
  const coordinator = reader.stub;
  const guarded = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw new FeedUnavailable(`the coordinator did not answer (${noteUnreachable(error, 'changes')})`);
    }
  };
  return {
    after: (cursor, max) => guarded(() => coordinator.changesAfter(cursor, max)),
    before: (seq, max) => guarded(() => coordinator.changesBefore(seq, max)),
  };
}
