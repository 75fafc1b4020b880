/**
 * @module A change as the feed keeps it (30 days) and as clients get it: the diff's change with its
 * sequence number, when it was seen and in which list version. The id `chg_<seq>` is also a cursor.
 */
import { viewKeeps, type View } from '../config/views.ts';
import type { Change } from './diff.ts';

/** How long changes are kept, and how far back `since` can reach. */
export const CHANGE_RETENTION_MS = 30 * 24 * 60 * 60_000;

export type RecordedChange = Change & {
  /** Increases by one per change, worldwide (the coordinator numbers them). */
  seq: number;
  /** When the list version that made it was built (epoch ms). */
  at: number;
  /** That list version (its ETag, unquoted). */
  version: string;
};

/** One `data` entry of `GET /v1/models/changes`, and of a webhook's body. */
export interface ChangeItem {
  id: string;
  type: Change['type'];
  model: string;
  provider: string;
  fields?: Extract<Change, { type: 'changed' }>['fields'];
  at: string;
  version: string;
}

const ID_PREFIX = 'chg_';

export const changeId = (seq: number) => `${ID_PREFIX}${seq}`;

/** The sequence number of a `chg_<seq>` id, or undefined for anything else. */
export function seqOf(id: string): number | undefined {
  if (!id.startsWith(ID_PREFIX)) return undefined;
  const seq = Number(id.slice(ID_PREFIX.length));
  return Number.isSafeInteger(seq) && seq >= 0 && String(seq) === id.slice(ID_PREFIX.length) ? seq : undefined;
}

export function changeItem(change: RecordedChange): ChangeItem {
  return {
    id: changeId(change.seq),
    type: change.type,
    model: change.model,
    provider: change.provider,
    ...(change.type === 'changed' ? { fields: change.fields } : {}),
    at: new Date(change.at).toISOString(),
    version: change.version,
  };
}

/** Whether a request or a webhook sees a change. */
export type ChangeFilter = (change: RecordedChange) => boolean;

/**
 * The changes seen without a view (all of them: a provider taken out of `PROVIDERS` is news, so unlike
 * the list this does not narrow to the providers configured now) or through `view` (its providers and
 * globs; a view the configuration no longer has sees nothing).
 */
export function changesSeenBy({ views }: { views: ReadonlyMap<string, View> }, view: string | null): ChangeFilter {
  if (view === null) return () => true;
  const definition = views.get(view);
  return definition === undefined ? () => false : (change) => viewKeeps(definition, change.provider, change.model);
}
