/**
 * @module The Anthropic dialect: the key in `x-api-key` (the SDKs' `apiKey`) or `Authorization:
 * Bearer` (their `authToken`, Claude Code's `ANTHROPIC_AUTH_TOKEN`); errors as
 * `{"type":"error","error":{"type","message"}}` (https://docs.anthropic.com/en/api/errors).
 */
import { bearerKey, oneKey } from '../credentials.ts';
import type { Dialect } from '../types.ts';

/**
 * Anthropic's `error.type` for our own failures, by status: the six types its clients switch on; any
 * other 4xx (405, 413) is `invalid_request_error`, any 5xx `api_error`. (Upstream errors of a translated
 * call use Anthropic's fuller list: src/translate/errors.ts.)
 */
const TYPE_BY_STATUS: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
};

export const anthropic: Dialect = {
  name: 'anthropic',
  presentedKey: (request) => oneKey([request.headers.get('x-api-key')?.trim(), bearerKey(request)], 'x-api-key and Authorization'),
  keyHint: 'send it as x-api-key: sk-me-… (ANTHROPIC_API_KEY) or Authorization: Bearer sk-me-… (ANTHROPIC_AUTH_TOKEN)',
  errorResponse(error) {
    const type = TYPE_BY_STATUS[error.status] ?? (error.status >= 500 ? 'api_error' : 'invalid_request_error');
    const body = JSON.stringify({ type: 'error', error: { type, message: error.message } });
    return new Response(body, { status: error.status, headers: { 'Content-Type': 'application/json', ...error.headers } });
  },
};
