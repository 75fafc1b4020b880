import { describe, expect, it } from 'vitest';
import { atomFeed, latestChanges, type ChangesBefore } from '../../src/changes/atom.ts';
import { parsePageQuery, readPage, type ChangesAfter } from '../../src/changes/page.ts';
import { changeItem, changesSeenBy, type RecordedChange } from '../../src/changes/record.ts';
import { parseConfig } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import { ApiError } from '../../src/errors.ts';
import { parseXml, type XmlElement } from './support/xml.ts';

const config = parseConfig({
  PROVIDERS: [
    { id: 'openai', type: 'openai', models: ['gpt-4o'] },
    { id: 'anthropic', type: 'anthropic', models: ['claude'] },
  ],
  VIEWS: { 'anthropic-only': { providers: ['anthropic'] }, 'no-minis': { exclude: ['*mini*'] } },
} as unknown as Env);
const T0 = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3600_000;

/** 20 changes an hour apart: even ones OpenAI's, odd ones Anthropic's, every fifth of a "mini". */
const STORED: RecordedChange[] = Array.from({ length: 20 }, (_, i): RecordedChange => {
  const provider = i % 2 === 0 ? 'openai' : 'anthropic';
  const model = `${provider === 'openai' ? 'gpt' : 'claude'}-${i}${i % 5 === 0 ? '-mini' : ''}`;
  const base = { seq: i + 1, at: T0 + i * HOUR, version: `v${i}`, model, provider };
  return i % 3 === 0 ? { ...base, type: 'changed', fields: { context_length: { from: 8192, to: 16384 } } } : { ...base, type: i % 3 === 1 ? 'added' : 'removed' };
});
const reads: { cursor: unknown; max: number }[] = [];
const after: ChangesAfter = async (cursor, max) => {
  reads.push({ cursor, max });
  const from = 'after' in cursor ? STORED.findIndex((c) => c.seq > cursor.after) : STORED.findIndex((c) => c.at > cursor.since);
  return from === -1 ? [] : STORED.slice(from, from + max);
};
const before: ChangesBefore = async (seq, max) =>
  STORED.filter((c) => seq === null || c.seq < seq)
    .reverse()
    .slice(0, max);

/** Every page from `since` on, following `next`. */
async function allPages(view: string | null, limit: number, since?: string) {
  const pages = [];
  let cursor = since;
  for (let i = 0; i < 50; i++) {
    const page = await readPage(after, changesSeenBy(config, view), parsePageQuery(cursor, String(limit)));
    pages.push(page);
    if (page.next === null) return pages;
    cursor = page.next;
  }
  throw new Error('paging never ended');
}

describe('the change feed (JSON)', () => {
  it('pages through every change in order with the cursor in next, then says it is caught up', async () => {
    const pages = await allPages(null, 6);
    expect(pages.map((p) => p.data.length)).toStrictEqual([6, 6, 6, 2]);
    expect(pages.flatMap((p) => p.data.map((c) => c.id))).toStrictEqual(STORED.map((c) => `chg_${c.seq}`));
    expect(pages.map((p) => p.next)).toStrictEqual(['chg_6', 'chg_12', 'chg_18', null]);
    // A page that ends exactly at the last change says so too.
    expect((await allPages(null, 10)).map((p) => p.next)).toStrictEqual(['chg_10', null]);
  });

  it('entries have the documented shape: id, type, model, provider, fields only when changed, ISO time, version', () => {
    expect(changeItem(STORED[0] as RecordedChange)).toStrictEqual({
      id: 'chg_1', type: 'changed', model: 'gpt-0-mini', provider: 'openai', fields: { context_length: { from: 8192, to: 16384 } }, at: '2026-11-01T00:00:00.000Z', version: 'v0',
    });
    expect(changeItem(STORED[1] as RecordedChange)).toStrictEqual({ id: 'chg_2', type: 'added', model: 'claude-1', provider: 'anthropic', at: '2026-11-01T01:00:00.000Z', version: 'v1' });
  });

  it('starts after a time given in ISO-8601', async () => {
    const pages = await allPages(null, 100, '2026-11-01T17:30:00Z');
    expect(pages[0]?.data.map((c) => c.id)).toStrictEqual(['chg_19', 'chg_20']);
  });

  it('shows a key only the changes of models in its view: by provider, and by id', async () => {
    const anthropic = (await allPages('anthropic-only', 3)).flatMap((p) => p.data);
    expect(anthropic.map((c) => c.provider)).toStrictEqual(Array(10).fill('anthropic'));
    expect(anthropic.map((c) => c.id)).toStrictEqual(STORED.filter((c) => c.provider === 'anthropic').map((c) => `chg_${c.seq}`));
    const noMinis = (await allPages('no-minis', 100)).flatMap((p) => p.data);
    expect(noMinis).toHaveLength(16);
    expect(noMinis.some((c) => c.model.includes('mini'))).toBe(false);
    // A view the configuration no longer has sees nothing at all.
    expect((await allPages('gone', 100)).flatMap((p) => p.data)).toStrictEqual([]);
  });

  it('a view that keeps few changes still pages by the changes it sees, its next pointing at its own last one', async () => {
    const pages = await allPages('anthropic-only', 4);
    expect(pages.map((p) => p.data.map((c) => c.id))).toStrictEqual([['chg_2', 'chg_4', 'chg_6', 'chg_8'], ['chg_10', 'chg_12', 'chg_14', 'chg_16'], ['chg_18', 'chg_20']]);
    expect(pages.map((p) => p.next)).toStrictEqual(['chg_8', 'chg_16', null]);
  });

  it('refuses a since or limit it cannot read, naming the parameter', () => {
    const refusal = (since: string | undefined, limit: string | undefined) => {
      try {
        parsePageQuery(since, limit);
      } catch (error) {
        if (error instanceof ApiError) return [error.status, error.code, error.message];
      }
      return undefined;
    };
    expect(refusal('yesterday', undefined)).toStrictEqual([400, 'invalid_request', expect.stringMatching(/^"since" must be a change id/)]);
    expect(refusal('chg_x', undefined)).toStrictEqual([400, 'invalid_request', expect.stringMatching(/^"since"/)]);
    expect(refusal(undefined, '0')).toStrictEqual([400, 'invalid_request', '"limit" must be a whole number from 1 to 1000.']);
    expect(refusal(undefined, '1001')).toStrictEqual([400, 'invalid_request', expect.stringMatching(/^"limit"/)]);
    expect(parsePageQuery(undefined, undefined)).toStrictEqual({ cursor: { after: -1 }, limit: 100 });
    expect(parsePageQuery('chg_7', '5')).toStrictEqual({ cursor: { after: 7 }, limit: 5 });
  });
});

const child = (element: XmlElement, name: string) => element.children.filter((c) => c.name === name);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const IRI = /^[a-z][a-z0-9+.-]*:\S+$/i;

/** RFC 4287's required elements (§4.1.1, §4.1.2), checked on a parsed document. */
function expectValidAtom(feed: XmlElement): void {
  expect(feed.name).toBe('feed');
  expect(feed.attributes.xmlns).toBe('http://www.w3.org/2005/Atom');
  for (const required of ['id', 'title', 'updated']) expect(child(feed, required), `feed/${required}`).toHaveLength(1);
  expect(child(feed, 'id')[0]?.text).toMatch(IRI);
  expect(child(feed, 'updated')[0]?.text).toMatch(RFC3339);
  expect(child(feed, 'link').filter((l) => l.attributes.rel === 'self')).toHaveLength(1);
  const feedHasAuthor = child(feed, 'author').length > 0;
  for (const author of child(feed, 'author')) expect(child(author, 'name')).toHaveLength(1);
  for (const entry of child(feed, 'entry')) {
    for (const required of ['id', 'title', 'updated']) expect(child(entry, required), `entry/${required}`).toHaveLength(1);
    expect(child(entry, 'id')[0]?.text).toMatch(IRI);
    expect(child(entry, 'updated')[0]?.text).toMatch(RFC3339);
    expect(feedHasAuthor || child(entry, 'author').length > 0).toBe(true);
    // No content: at least one alternate link (§4.1.2).
    if (child(entry, 'content').length === 0) expect(child(entry, 'link').some((l) => (l.attributes.rel ?? 'alternate') === 'alternate')).toBe(true);
    for (const link of child(entry, 'link')) expect(link.attributes.href).toMatch(IRI);
  }
}

const LINKS = { self: 'https://models.example/v1/models/changes.atom', json: 'https://models.example/v1/models/changes', models: 'https://models.example/v1/models/', emptyUpdatedAt: T0, view: null };

describe('the change feed (Atom)', () => {
  it('is a well-formed Atom 1.0 document with every required element, newest entry first', async () => {
    const items = await latestChanges(before, changesSeenBy(config, null));
    const feed = parseXml(atomFeed(items, LINKS));
    expectValidAtom(feed);
    const entries = child(feed, 'entry');
    expect(entries).toHaveLength(20);
    expect(entries.map((e) => child(e, 'updated')[0]?.text)).toStrictEqual(STORED.map((c) => new Date(c.at).toISOString()).reverse());
    expect(child(feed, 'updated')[0]?.text).toBe('2026-11-01T19:00:00.000Z');
    const title = (i: number) => child(entries[i] as XmlElement, 'title')[0]?.text;
    expect([title(2), title(3), title(4)]).toStrictEqual(['Removed claude-17 (anthropic)', 'Added gpt-16 (openai)', 'Changed claude-15-mini (anthropic): context_length 8192 → 16384']);
    expect(child(entries[3] as XmlElement, 'link')[0]?.attributes.href).toBe('https://models.example/v1/models/gpt-16');
    expect(child(entries[2] as XmlElement, 'link')).toStrictEqual([]);
    // Ids stay the same from one fetch to the next.
    const again = parseXml(atomFeed(await latestChanges(before, changesSeenBy(config, null)), LINKS));
    expect(child(again, 'entry').map((e) => child(e, 'id')[0]?.text)).toStrictEqual(entries.map((e) => child(e, 'id')[0]?.text));
  });

  it('is valid with no entry at all', () => {
    const feed = parseXml(atomFeed([], LINKS));
    expectValidAtom(feed);
    expect(child(feed, 'updated')[0]?.text).toBe('2026-11-01T00:00:00.000Z');
  });

  it('holds only the view’s changes, the newest ones', async () => {
    const items = await latestChanges(before, changesSeenBy(config, 'anthropic-only'), 3);
    expect(items.map((c) => c.id)).toStrictEqual(['chg_20', 'chg_18', 'chg_16']);
    const feed = parseXml(atomFeed(items, { ...LINKS, view: 'anthropic-only' }));
    expectValidAtom(feed);
    expect(child(feed, 'title')[0]?.text).toBe('models-edge: model list changes (view anthropic-only)');
  });

  it('escapes whatever an upstream puts in a model id, and drops what XML cannot carry', () => {
    // The reader used here refuses what is not well-formed, so an unescaped character would fail.
    expect(() => parseXml('<feed><title>a & b</title></feed>')).toThrow(/bare &/);
    expect(() => parseXml('<feed><title>a <b</title></feed>')).toThrow();
    const hostile = `<script>alert("x")</script> & 'q' \u0001\uD800`;
    const items = [changeItem({ seq: 1, at: T0, version: 'v&1', type: 'added', model: hostile, provider: 'openai' })];
    const feed = parseXml(atomFeed(items, LINKS));
    expectValidAtom(feed);
    const entry = child(feed, 'entry')[0] as XmlElement;
    expect(child(entry, 'title')[0]?.text).toBe(`Added <script>alert("x")</script> & 'q'  (openai)`);
    expect(child(entry, 'content')[0]?.text).toContain('List version v&1');
  });
});
