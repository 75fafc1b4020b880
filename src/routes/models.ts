/**
 * @module `GET /v1/models` and `GET /v1/models/{id}` (also without `/v1`, and `/v1beta/models…`), per
 * client key's view, in the shape of the dialect the request speaks (src/dialects/select.ts): OpenAI's,
 * Anthropic's (`anthropic-version` sent) or Gemini's (`/v1beta`, or Gemini's key header).
 */
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import type { AppEnv } from '../app-env.ts';
import { ConfigError, configOrError, type Config } from '../config.ts';
import { anthropicList, anthropicModelAnswer } from '../dialects/anthropic/list.ts';
import { geminiList, geminiModelAnswer } from '../dialects/gemini/list.ts';
import { dialectFor } from '../dialects/select.ts';
import { apiError } from '../errors.ts';
import { clientKey } from '../keys/middleware.ts';
import { FEED_ANSWERS } from './changes.ts';
import { AS_STORED, listAnswer, modelAnswer, providerAnswer, scopeOf, type Answer, type Scope } from '../serve/answers.ts';
import { currentList, storedListOnly, type CacheState } from '../serve/read.ts';

/**
 * Clients may keep a copy this long: well under the time a purge takes to reach every data centre
 * (KV propagation, ~60 s), so no client holds a purged list longer than the edge does.
 */
const CLIENT_MAX_AGE_SECONDS = 30;
const PUBLIC_CACHE_CONTROL = `public, max-age=${CLIENT_MAX_AGE_SECONDS}`;
/** A keyed answer is that key's view: no shared cache may hand it to another client. */
const KEYED_CACHE_CONTROL = `private, max-age=${CLIENT_MAX_AGE_SECONDS}`;

/** Every request header that changes the answer at one URL: the key's places and the dialect's sign. */
const VARY = 'Authorization, x-api-key, x-goog-api-key, anthropic-version';

export const models = new Hono<AppEnv>();

// The key first (a bad one is a 401 before anything is read); then Hono's etag answers
// If-None-Match with 304, using the ETag each answer already carries.
models.use(clientKey('if-configured'), etag());

models.get('/', async function listModels(c) {
  const { config, scope } = scopeFor(c);
  const { list, state } = await readList(c, config);
  const dialect = dialectFor(c).name;
  if (dialect === 'anthropic') return respond(c, anthropicList(list, scope, c.req.query()), state);
  if (dialect === 'gemini') return respond(c, geminiList(list, configured(config), scope, c.req.query()), state);
  const provider = c.req.query('provider');
  if (provider === undefined) return respond(c, listAnswer(list, scope), state);
  // A provider outside the key's view is as unknown as one that is not configured.
  if (!scope.seesProvider(provider)) {
    throw apiError(404, 'provider_not_found', `No provider with id '${provider}' is configured.`);
  }
  return respond(c, providerAnswer(list, scope, provider), state);
});

// `{.+}` keeps ids with `/` whole (`openai/gpt-4o`); `%2F` arrives decoded by `param()`.
models.get('/:id{.+}', async function retrieveModel(c) {
  const id = c.req.param('id');
  // The change feed, under the list's path (not Gemini's): see src/routes/changes.ts for why here.
  const feed = Object.hasOwn(FEED_ANSWERS, id) && !c.req.path.startsWith('/v1beta/') ? FEED_ANSWERS[id] : undefined;
  if (feed !== undefined) return feed(c);
  const { config, scope } = scopeFor(c);
  const { list, state } = await readList(c, config);
  const dialect = dialectFor(c).name;
  const answer =
    dialect === 'anthropic' ? anthropicModelAnswer(list, scope, id) : dialect === 'gemini' ? geminiModelAnswer(list, configured(config), scope, id) : modelAnswer(list, scope, id);
  if (answer === undefined) throw apiError(404, 'model_not_found', `The model '${id}' does not exist.`);
  return respond(c, answer, state);
});

/** Gemini's list says which models its routes can call, which needs the configuration. */
function configured(config: Config | ConfigError): Config {
  if (config instanceof ConfigError) throw config;
  return config;
}

/**
 * The request's configuration and scope. Under a configuration error the stored list is still
 * served as it is (marked `X-Config-Error`), except to a key with a view: a view that cannot be
 * read cannot be applied, and a key never sees more than its view.
 */
function scopeFor(c: Context<AppEnv>): { config: Config | ConfigError; scope: Scope } {
  const config = configOrError(c.env);
  const view = c.get('clientKey')?.view ?? null;
  if (config instanceof ConfigError) {
    if (view !== null) throw config;
    return { config, scope: AS_STORED };
  }
  return { config, scope: scopeOf(config, view) };
}

/** The list for a request, with the headers that say how it was read. */
export async function readList(c: Context<AppEnv>, config: Config | ConfigError) {
  const current =
    config instanceof ConfigError
      ? await storedListOnly(c.env.MODELS_KV, config)
      : await currentList({ kv: c.env.MODELS_KV, config, coordinator: c.env.COORDINATOR }, c.executionCtx);
  // Served while Workers KV fails: from this isolate's last list, the data centre's copy, or unstored.
  if (current.store === 'unavailable') c.header('X-Store', 'unavailable');
  if (config instanceof ConfigError) c.header('X-Config-Error', 'true');
  return current;
}

/** Every answer is pre-serialised with its ETag: no JSON work and no hashing per request. */
export function respond(c: Context<AppEnv>, answer: Answer, state: CacheState) {
  return c.body(answer.body, 200, {
    'Content-Type': 'application/json',
    ETag: answer.etag,
    'Cache-Control': c.get('clientKey') ? KEYED_CACHE_CONTROL : PUBLIC_CACHE_CONTROL,
    'X-Cache': state,
    // Keyed and unkeyed requests, and Anthropic and OpenAI clients, get different answers at one URL.
    Vary: VARY,
  });
}
