/**
 * @module What every call passes before its body is read, in every dialect: the per-key rate limit
 * and the body-size cap. Their refusals are `ApiError`s, answered in the request's dialect.
 */
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { loadConfig } from '../config.ts';
import { apiError } from '../errors.ts';

/**
 * `Retry-After` when the per-key limit is reached: the binding does not say when its window ends,
 * and 60 s is the longest period it supports, so a client that waits this long is never refused again at once.
 */
const RATE_LIMIT_RETRY_AFTER_SECONDS = 60;

/** Bodies above `MAX_REQUEST_BYTES` answer 413 before they are read whole. */
export const capBody = createMiddleware<AppEnv>(function capBody(c, next) {
  const maxSize = loadConfig(c.env).maxRequestBytes;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw apiError(413, 'request_too_large', `The request body is over ${maxSize} bytes (MAX_REQUEST_BYTES).`);
    },
  })(c, next);
});

/** Optional per-key limit through the rate-limiting binding; without the binding, no limit. */
export const rateLimit = createMiddleware<AppEnv>(async function rateLimit(c, next) {
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
