/**
 * @module `GET /v1/models/changes`: changes in order, after a cursor (`since` = a change id, or an
 * ISO-8601 time), `limit` at a time, only those a key sees (a change to a model outside a key's view
 * does not exist for that key). `next` is the cursor to continue from, or null once caught up; a
 * client polling later passes the last id it saw.
 */
import { apiError } from '../errors.ts';
import { changeId, changeItem, seqOf, type ChangeFilter, type ChangeItem, type RecordedChange } from './record.ts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** One request reads at most this many stored changes, however few a view keeps: `next` then says where to go on. */
export const MAX_SCANNED = 10_000;

/** Where a page starts: after a change, or after a time (epoch ms). */
export type Cursor = { after: number } | { since: number };

/** Stored changes after `cursor`, oldest first, at most `max` (the coordinator's SQLite, or a test's array). */
export type ChangesAfter = (cursor: Cursor, max: number) => Promise<RecordedChange[]>;

export interface PageQuery {
  cursor: Cursor;
  limit: number;
}

/** `since` and `limit` checked, or a 400 naming the parameter. */
export function parsePageQuery(since: string | undefined, limit: string | undefined): PageQuery {
  let cursor: Cursor = { after: -1 };
  if (since !== undefined && since !== '') {
    const seq = seqOf(since);
    const time = seq === undefined && /^\d{4}-\d\d-\d\d/.test(since) ? Date.parse(since) : Number.NaN;
    if (seq !== undefined) cursor = { after: seq };
    else if (!Number.isNaN(time)) cursor = { since: time };
    else throw apiError(400, 'invalid_request', `"since" must be a change id (chg_…) or an ISO-8601 time such as 2026-06-01T00:00:00Z, not ${JSON.stringify(since.slice(0, 64))}.`);
  }
  let count = DEFAULT_LIMIT;
  if (limit !== undefined && limit !== '') {
    count = Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > MAX_LIMIT) throw apiError(400, 'invalid_request', `"limit" must be a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return { cursor, limit: count };
}

export interface Page {
  data: ChangeItem[];
  next: string | null;
}

/** The page of changes `sees` keeps after `query.cursor`. */
export async function readPage(read: ChangesAfter, sees: ChangeFilter, query: PageQuery): Promise<Page> {
  const data: ChangeItem[] = [];
  let cursor = query.cursor;
  let scanned = 0;
  // Read a little more than asked: a view usually keeps most changes.
  const batch = Math.min(MAX_LIMIT, query.limit + 1);
  for (;;) {
    const changes = await read(cursor, batch);
    for (const change of changes) {
      scanned++;
      cursor = { after: change.seq };
      if (!sees(change)) continue;
      if (data.length === query.limit) return { data, next: data.at(-1)?.id ?? null };
      data.push(changeItem(change));
    }
    if (changes.length < batch) return { data, next: null };
    if (scanned >= MAX_SCANNED) return { data, next: 'after' in cursor ? changeId(cursor.after) : null };
  }
}

/** The page's JSON body. */
export const pageBody = (page: Page) => JSON.stringify({ object: 'list', data: page.data, next: page.next });
