/**
 * @module `GET /v1/models/changes.atom`: the newest changes a scope sees as an Atom 1.0 feed (RFC
 * 4287) for feed readers and chat apps' feed integrations. Each entry's id is a `tag:` URI (RFC 4151)
 * that never changes; every text is XML-escaped, and characters XML 1.0 cannot carry are dropped.
 */
import { changeItem, type ChangeFilter, type ChangeItem, type RecordedChange } from './record.ts';

/** The feed holds this many entries, newest first: what a reader polling daily needs, and a small body. */
export const ATOM_ENTRIES = 100;
/** One request reads at most this many stored changes, however few a view keeps. */
const MAX_SCANNED = 10_000;

/** Stored changes before `seq` (all when null), newest first, at most `max`. */
export type ChangesBefore = (seq: number | null, max: number) => Promise<RecordedChange[]>;

/** The newest `count` changes `sees` keeps, newest first. */
export async function latestChanges(read: ChangesBefore, sees: ChangeFilter, count = ATOM_ENTRIES): Promise<ChangeItem[]> {
  const items: ChangeItem[] = [];
  let before: number | null = null;
  for (let scanned = 0; scanned < MAX_SCANNED; ) {
    const changes = await read(before, count);
    for (const change of changes) {
      before = change.seq;
      if (sees(change)) items.push(changeItem(change));
      if (items.length === count) return items;
    }
    scanned += changes.length;
    if (changes.length < count) break;
  }
  return items;
}

export interface FeedLinks {
  /** This feed's own URL (`rel="self"`), also its id. */
  self: string;
  /** The same changes as JSON (`rel="alternate"`). */
  json: string;
  /** Where a model's URL starts: `{origin}/v1/models/`. */
  models: string;
  /** The feed's `updated` when it has no entry (epoch ms). */
  emptyUpdatedAt: number;
  /** The view, named in the title; null for the full list. */
  view: string | null;
}

/** The Atom document for `items` (newest first). */
export function atomFeed(items: readonly ChangeItem[], links: FeedLinks): string {
  const host = new URL(links.self).host;
  const updated = items[0]?.at ?? new Date(links.emptyUpdatedAt).toISOString();
  const title = `models-edge: model list changes${links.view === null ? '' : ` (view ${links.view})`}`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${xml(links.self)}</id>`,
    `<title>${xml(title)}</title>`,
    `<updated>${updated}</updated>`,
    '<author><name>models-edge</name></author>',
    `<link rel="self" type="application/atom+xml" href="${xml(links.self)}"/>`,
    `<link rel="alternate" type="application/json" href="${xml(links.json)}"/>`,
    '<generator>models-edge</generator>',
    ...items.map((item) => entry(item, host, links.models)),
    '</feed>',
    '',
  ].join('\n');
}

function entry(item: ChangeItem, host: string, models: string): string {
  const what = headline(item);
  const link = item.type === 'removed' ? '' : `<link rel="alternate" type="application/json" href="${xml(models + encodeURIComponent(xmlChars(item.model)).replace(/%2F/g, '/'))}"/>`;
  return [
    '<entry>',
    `<id>${xml(`tag:${host},${item.at.slice(0, 10)}:models-edge/change/${item.id}`)}</id>`,
    `<title>${xml(what)}</title>`,
    `<updated>${item.at}</updated>`,
    link,
    `<category term="${item.type}"/>`,
    `<content type="text">${xml(`${what}\nList version ${item.version}, ${item.at}.`)}</content>`,
    '</entry>',
  ].join('');
}

/** "Added gpt-5 (openai)", "Changed gpt-4o (openai): context_length 128000 → 200000". */
function headline(item: ChangeItem): string {
  const subject = `${item.model} (${item.provider})`;
  if (item.type !== 'changed') return `${item.type === 'added' ? 'Added' : 'Removed'} ${subject}`;
  const fields = Object.entries(item.fields ?? {}).map(([name, change]) => `${name} ${change?.from ?? 'none'} → ${change?.to ?? 'none'}`);
  return `Changed ${subject}: ${fields.join(', ')}`;
}

/** `text` without the characters XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/U+FFFF). */
const xmlChars = (text: string) => text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');

/** Text escaped for XML content and attribute values; characters XML 1.0 forbids are dropped. */
function xml(text: string): string {
  return xmlChars(text).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] ?? ch);
}
