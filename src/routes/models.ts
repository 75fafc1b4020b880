/** @module `GET /v1/models` and `GET /v1/models/{id}` (also without `/v1`), OpenAI's shapes. */
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import type { AppEnv } from '../app-env.ts';
import { modelsById } from '../cache/memory.ts';
import { currentList } from '../cache/read.ts';
import { loadConfig } from '../config.ts';
import { apiError } from '../errors.ts';

/**
 * Clients may keep a copy this long: well under the time a purge takes to reach every data centre
 * (KV propagation, ~60 s), so no client holds a purged list longer than the edge does.
 */
export const CLIENT_MAX_AGE_SECONDS = 30;
const CACHE_CONTROL = `public, max-age=${CLIENT_MAX_AGE_SECONDS}`;

export const models = new Hono<AppEnv>();

// Hono's etag answers If-None-Match with 304; it reuses the ETag set below and hashes only the
// narrowed answers that have none.
models.use(etag());

models.get('/', async function listModels(c) {
  const { list, state } = await read(c);
  const provider = c.req.query('provider');
  if (provider === undefined) {
    return c.body(list.body, 200, {
      'Content-Type': 'application/json',
      ETag: list.meta.etag,
      'Cache-Control': CACHE_CONTROL,
      'X-Cache': state,
    });
  }
  if (!loadConfig(c.env).providers.some((p) => p.id === provider)) {
    throw apiError(404, 'provider_not_found', `No provider with id '${provider}' is configured.`);
  }
  const data = [...modelsById(list).values()].filter((model) => model.provider === provider);
  c.header('Cache-Control', CACHE_CONTROL);
  c.header('X-Cache', state);
  return c.json({ object: 'list', data });
});

// `{.+}` keeps ids with `/` whole (`openai/gpt-4o`); `%2F` arrives decoded by `param()`.
models.get('/:id{.+}', async function retrieveModel(c) {
  const id = c.req.param('id');
  const { list, state } = await read(c);
  const model = modelsById(list).get(id);
  if (model === undefined) throw apiError(404, 'model_not_found', `The model '${id}' does not exist.`);
  c.header('Cache-Control', CACHE_CONTROL);
  c.header('X-Cache', state);
  return c.json(model);
});

function read(c: Context<AppEnv>) {
  return currentList({ kv: c.env.MODELS_KV, config: loadConfig(c.env) }, c.executionCtx);
}
