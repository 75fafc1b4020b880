/** @module `GET /v1/models` and `GET /v1/models/{id}` (also without `/v1`), OpenAI's shapes. */
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import type { AppEnv } from '../app-env.ts';
import { modelAnswer, providerAnswer, type Answer } from '../serve/answers.ts';
import { currentList, type CacheState } from '../serve/read.ts';
import { loadConfig } from '../config.ts';
import { apiError } from '../errors.ts';

/**
 * Clients may keep a copy this long: well under the time a purge takes to reach every data centre
 * (KV propagation, ~60 s), so no client holds a purged list longer than the edge does.
 */
const CLIENT_MAX_AGE_SECONDS = 30;
const CACHE_CONTROL = `public, max-age=${CLIENT_MAX_AGE_SECONDS}`;

export const models = new Hono<AppEnv>();

// Hono's etag answers If-None-Match with 304, using the ETag each answer already carries.
models.use(etag());

models.get('/', async function listModels(c) {
  const { list, state } = await read(c);
  const provider = c.req.query('provider');
  if (provider === undefined) return respond(c, { body: list.body, etag: list.meta.etag }, state);
  if (!loadConfig(c.env).providers.some((p) => p.id === provider)) {
    throw apiError(404, 'provider_not_found', `No provider with id '${provider}' is configured.`);
  }
  return respond(c, providerAnswer(list, provider), state);
});

// `{.+}` keeps ids with `/` whole (`openai/gpt-4o`); `%2F` arrives decoded by `param()`.
models.get('/:id{.+}', async function retrieveModel(c) {
  const id = c.req.param('id');
  const { list, state } = await read(c);
  const answer = modelAnswer(list, id);
  if (answer === undefined) throw apiError(404, 'model_not_found', `The model '${id}' does not exist.`);
  return respond(c, answer, state);
});

function read(c: Context<AppEnv>) {
  return currentList({ kv: c.env.MODELS_KV, config: loadConfig(c.env) }, c.executionCtx);
}

/** Every answer is pre-serialised with its ETag: no JSON work and no hashing per request. */
function respond(c: Context<AppEnv>, answer: Answer, state: CacheState) {
  return c.body(answer.body, 200, {
    'Content-Type': 'application/json',
    ETag: answer.etag,
    'Cache-Control': CACHE_CONTROL,
    'X-Cache': state,
  });
}
