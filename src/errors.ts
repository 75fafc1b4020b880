/** @module OpenAI's error shape for every failure a client or admin can see. */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** OpenAI's `error.type` values, by the kind of failure. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
};

/** The JSON body every error response carries: `{"error":{"message","type","code"}}`. */
export function errorBody(status: number, code: string, message: string, type?: string): string {
  type ??= TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
  return JSON.stringify({ error: { message, type, code } });
}

/** A request-level failure, thrown from a handler and answered as is by Hono. */
export function apiError(
  status: ContentfulStatusCode,
  code: string,
  message: string,
  init: { headers?: Record<string, string>; cause?: unknown; type?: string } = {},
): HTTPException {
  const res = new Response(errorBody(status, code, message, init.type), {
    status,
    headers: { 'Content-Type': 'application/json', ...init.headers },
  });
  return new HTTPException(status, { res, cause: init.cause });
}
