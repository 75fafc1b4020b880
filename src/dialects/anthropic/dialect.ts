/**
 * @module The Anthropic dialect: the key in `x-api-key` (the SDKs' `apiKey`) or `Authorization:
 * Bearer` (their `authToken`, Claude Code's `ANTHROPIC_AUTH_TOKEN`); errors as
 * `{"type":"error","error":{"type","message"}}` (https://docs.anthropic.com/en/api/errors).
 */
import { bearerKey, oneKey } from '../credentials.ts';
import type { Dialect } from '../types.ts';

/**
 * Anthropic's `error.type` for our own failures, by status: the types its clients switch on; any
 * other 4xx (405) is `invalid_request_error`, any 5xx `api_error`. (Upstream errors of a translated
 * call use Anthropic's fuller list: src/translate/errors.ts.)
 */
const TYPE_BY_STATUS: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
};
/**
 * On every 401 of ours (a missing, unknown, revoked or expired key): the Anthropic SDK retries a 401
 * with backoff unless told not to, and Claude Code would spend about three minutes retrying before
 * it asks for a new key (reference: Claude Code's gateway protocol, "Errors").
 */
const NO_RETRY = { 'x-should-retry': 'false' };

export const anthropic: Dialect = {
  name: 'anthropic',
  presentedKey: (request) => oneKey([request.headers.get('x-api-key')?.trim(), bearerKey(request)], 'x-api-key and Authorization'),
  keyHint: 'send it as x-api-key: sk-me-… (ANTHROPIC_API_KEY) or Authorization: Bearer sk-me-… (ANTHROPIC_AUTH_TOKEN)',
  errorResponse(error) {
    const type = TYPE_BY_STATUS[error.status] ?? (error.status >= 500 ? 'api_error' : 'invalid_request_error');
    const body = JSON.stringify({ type: 'error', error: { type, message: error.message } });
    const retry = error.status === 401 ? NO_RETRY : {};
    return new Response(body, { status: error.status, headers: { 'Content-Type': 'application/json', ...retry, ...error.headers } });
  },
};
