/**
 * @module An upstream's error in Anthropic's shape, `{"type":"error","error":{"type","message"}}`, with the
 * upstream's own message kept (https://docs.claude.com/en/api/errors): from an error response's body, or
 * from an `error` object inside a stream.
 */
import { isObject } from '../providers/narrow.ts';
import { sanitise } from '../upstream/sanitise.ts';
import type { AnthropicEvent } from './blocks.ts';

/** Anthropic's `error.type` by HTTP status; other 4xx are `invalid_request_error`, other 5xx `api_error`. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error', // an OpenAI-compatible server's "overloaded"; Anthropic's own is 529
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error');
}

/**
 * The message inside an upstream error body: OpenAI's `{"error":{"message"}}`, Gemini's array of those,
 * `{"error":"…"}`, `{"message"}` or FastAPI's `{"detail"}`; else the body's text itself.
 */
export function upstreamMessage(bodyText: string): string {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return bodyText.trim();
  }
  if (Array.isArray(body)) body = body[0];
  if (!isObject(body)) return bodyText.trim();
  const error = body.error;
  if (isObject(error) && typeof error.message === 'string') return error.message;
  for (const value of [error, body.message, body.detail]) if (typeof value === 'string') return value;
  return bodyText.trim();
}

/**
 * An upstream error response (status and body text) as an Anthropic error body. The message passes the
 * project's one gate for upstream text (src/upstream/sanitise.ts): controls removed, `secrets` redacted,
 * length capped.
 */
export function chatErrorToAnthropic(status: number, bodyText: string, secrets: readonly string[] = []): string {
  const message = sanitise(upstreamMessage(bodyText), secrets) || `the upstream answered ${status}`;
  return JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message } });
}

/** An `error` object met inside a stream as Anthropic's `error` event; its numeric `code`/`status` picks the type. */
export function streamErrorEvent(error: unknown, secrets: readonly string[] = []): AnthropicEvent {
  const fields = isObject(error) ? error : {};
  const text = typeof fields.message === 'string' ? fields.message : typeof error === 'string' ? error : 'the upstream reported an error mid-stream';
  const status = [fields.code, fields.status].find((value): value is number => typeof value === 'number');
  const type = status === undefined ? 'api_error' : anthropicErrorType(status);
  return { event: 'error', data: { type: 'error', error: { type, message: sanitise(text, secrets) } } };
}
