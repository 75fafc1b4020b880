/**
 * @module `GET /v1/models/changes` (JSON, paged by cursor) and `GET /v1/models/changes.atom` (Atom 1.0):
 * the list's changes of the last 30 days, with the list's access (a client key when the list needs
 * one) and in the key's view; also without `/v1`. Answered by the model routes' `{id}` handler
 * (src/routes/models.ts), behind the same key check and ETag middleware: Hono's fast router
 * (RegExpRouter) cannot hold a fixed path beside `/:id{.+}`, and its fallback makes every hit slower.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { atomFeed, latestChanges } from '../changes/atom.ts';
import { pageBody, parsePageQuery, readPage } from '../changes/page.ts';
import { changesSeenBy, type ChangeFilter } from '../changes/record.ts';
import { changeSource, FeedUnavailable, type ChangeSource } from '../changes/source.ts';
import { ConfigError, configOrError } from '../config.ts';
import { apiError } from '../errors.ts';

/** As the list's: a feed reader polling every minute sees a change within a minute of its recording. */
const MAX_AGE_SECONDS = 30;
const VARY = 'Authorization, x-api-key, x-goog-api-key';

/** The feed's answers by the last path segment under the list's path. */
export const FEED_ANSWERS: Readonly<Record<string, (c: Context<AppEnv>) => Promise<Response>>> = {
  changes: changesPage,
  'changes.atom': changesAtom,
};

async function changesPage(c: Context<AppEnv>): Promise<Response> {
  const query = parsePageQuery(c.req.query('since'), c.req.query('limit'));
  const { sees } = seenBy(c);
  const page = await unavailableAs503(readPage(sourceOf(c).after, sees, query));
  return c.body(pageBody(page), 200, headers(c, 'application/json'));
}

async function changesAtom(c: Context<AppEnv>): Promise<Response> {
  const { sees, view } = seenBy(c);
  const items = await unavailableAs503(latestChanges(sourceOf(c).before, sees));
  const url = new URL(c.req.url);
  const base = url.origin + url.pathname.slice(0, -'/changes.atom'.length);
  const links = { self: url.origin + url.pathname, json: `${base}/changes`, models: `${base}/`, emptyUpdatedAt: 0, view };
  return c.body(atomFeed(items, links), 200, headers(c, 'application/atom+xml; charset=utf-8'));
}

/**
 * What the request's key sees. Under a configuration error a key without a view still sees every
 * change; one with a view sees nothing (its view cannot be read), as with the list.
 */
function seenBy(c: Context<AppEnv>): { sees: ChangeFilter; view: string | null } {
  const config = configOrError(c.env);
  const view = c.get('clientKey')?.view ?? null;
  if (config instanceof ConfigError) {
    if (view !== null) throw config;
    return { sees: () => true, view };
  }
  return { sees: changesSeenBy(config, view), view };
}

function sourceOf(c: Context<AppEnv>): ChangeSource {
  const source = changeSource(c.env);
  if ('unavailable' in source) throw unavailable(source.unavailable);
  return source;
}

async function unavailableAs503<T>(reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } catch (error) {
    if (error instanceof FeedUnavailable) throw unavailable(error.message);
    throw error;
  }
}

const unavailable = (why: string) => apiError(503, 'coordinator_unavailable', `The change feed cannot be read now: ${why}.`, { headers: { 'Retry-After': '30' } });

function headers(c: Context<AppEnv>, type: string): Record<string, string> {
  return { 'Content-Type': type, 'Cache-Control': `${c.get('clientKey') ? 'private' : 'public'}, max-age=${MAX_AGE_SECONDS}`, Vary: VARY };
}
