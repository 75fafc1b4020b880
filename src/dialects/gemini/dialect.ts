/**
 * @module The Gemini dialect: the key in `x-goog-api-key` (what `@google/genai` sends), `?key=` or
 * `Authorization: Bearer`; errors as `{"error":{"code","message","status"}}` with Google's canonical
 * status names (https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes).
 */
import { bearerKey, oneKey } from '../credentials.ts';
import type { Dialect } from '../types.ts';

/** Google's canonical status for our own failures, by HTTP status; any other 4xx (405, 413) is `INVALID_ARGUMENT`, any 5xx `UNAVAILABLE`. */
const STATUS_BY_HTTP: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
};

export const gemini: Dialect = {
  name: 'gemini',
  presentedKey: (request) =>
    oneKey([request.headers.get('x-goog-api-key')?.trim(), new URL(request.url).searchParams.get('key') ?? undefined, bearerKey(request)], 'x-goog-api-key, ?key= and Authorization'),
  keyHint: 'send it as x-goog-api-key: sk-me-… (GEMINI_API_KEY)',
  errorResponse(error) {
    const status = STATUS_BY_HTTP[error.status] ?? (error.status >= 500 ? 'UNAVAILABLE' : 'INVALID_ARGUMENT');
    const body = JSON.stringify({ error: { code: error.status, message: error.message, status } });
    return new Response(body, { status: error.status, headers: { 'Content-Type': 'application/json', ...error.headers } });
  },
};
