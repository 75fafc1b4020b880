/**
 * @module `POST /v1/chat/completions`, `/v1/completions`, `/v1/embeddings` (and without `/v1`):
 * always behind a client key, resolved in that key's view through the same cached read as the
 * list, forwarded to the owning provider (src/inference/).
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { loadConfig } from '../config.ts';
import { apiError } from '../errors.ts';
import { checkBody, withModel } from '../inference/body.ts';
import { forward } from '../inference/forward.ts';
import { clientKey } from '../keys/middleware.ts';
import { modelIn, scopeOf } from '../serve/answers.ts';
import { currentList } from '../serve/read.ts';

/** The OpenAI paths forwarded, as the provider's OpenAI-compatible root names them (without `/v1`). */
export const INFERENCE_PATHS = ['/chat/completions', '/completions', '/embeddings'] as const;
/**
 * `Retry-After` when the per-key limit is reached: the binding does not say when its window ends,
 * and 60 s is the longest period it supports, so a client that waits this long is never refused again at once.
 */
const RATE_LIMIT_RETRY_AFTER_SECONDS = 60;

export const inference = new Hono<AppEnv>();

/** Bodies above `MAX_REQUEST_BYTES` answer 413 before they are read whole. */
const capBody = createMiddleware<AppEnv>(function capBody(c, next) {
  const maxSize = loadConfig(c.env).maxRequestBytes;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw apiError(413, 'request_too_large', `The request body is over ${maxSize} bytes (MAX_REQUEST_BYTES).`);
    },
  })(c, next);
});

/** Optional per-key limit through the rate-limiting binding; without the binding, no limit. */
const rateLimit = createMiddleware<AppEnv>(async function rateLimit(c, next) {
  const limiter = c.env.CLIENT_RATE_LIMITER;
  const key = c.get('clientKey');
  if (limiter !== undefined && key !== null && !(await limiter.limit({ key: key.id })).success) {
    throw apiError(429, 'rate_limit_exceeded', 'This client key has reached its request limit; retry later.', {
      type: 'rate_limit_error',
      headers: { 'Retry-After': String(RATE_LIMIT_RETRY_AFTER_SECONDS) },
    });
  }
  await next();
});

for (const path of INFERENCE_PATHS) {
  inference.post(path, clientKey('always'), rateLimit, capBody, async function forwardCall(c) {
    const config = loadConfig(c.env);
    const key = c.get('clientKey');
    if (key === null) throw new Error('clientKey("always") let a request without a key through');
    const text = await c.req.text();
    const { model: id } = checkBody(text);
    const { list } = await currentList({ kv: c.env.MODELS_KV, config }, c.executionCtx);
    // The same lookup as GET /v1/models/{id}: what a key cannot list, it cannot call.
    const model = modelIn(list, scopeOf(config, key.view), id);
    if (model === undefined) throw apiError(404, 'model_not_found', `The model '${id}' does not exist.`);
    const entry = config.providers.find((p) => p.id === model.provider);
    if (entry === undefined) throw apiError(404, 'model_not_found', `The model '${id}' does not exist.`);
    if (entry.inferenceBase === null) {
      throw apiError(403, 'inference_disabled', `Calls to '${id}' are turned off: its provider '${entry.id}' is listed only ("inference": false).`);
    }
    return forward({
      entry,
      base: entry.inferenceBase,
      model,
      path,
      body: withModel(text, model.upstream_id),
      request: c.req.raw,
      keyName: key.name,
      secrets: config.secretValues,
      background: c.executionCtx,
    });
  });
}
