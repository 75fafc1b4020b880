/**
 * @module Errors in Gemini's shape, both ways: `{"error":{"code","message","status"}}` (also as a
 * one-element array, as Google sends some), the message kept word for word
 * (https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes).
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { ErrorAnswer } from '../codec.ts';
import { failure } from '../failure.ts';
import type { Failure, FailureKind } from '../ir.ts';

/** Google's canonical status name for each kind of failure, and the HTTP status it goes with where ours differs. */
const STATUS_BY_KIND: Record<FailureKind, { name: string; code?: number }> = {
  invalid_request: { name: 'INVALID_ARGUMENT' },
  authentication: { name: 'UNAUTHENTICATED' },
  permission: { name: 'PERMISSION_DENIED' },
  not_found: { name: 'NOT_FOUND' },
  request_too_large: { name: 'INVALID_ARGUMENT' },
  rate_limit: { name: 'RESOURCE_EXHAUSTED' },
  // Anthropic's 529 is no status a Google client knows: overloaded is 503 UNAVAILABLE there.
  overloaded: { name: 'UNAVAILABLE', code: 503 },
  timeout: { name: 'DEADLINE_EXCEEDED', code: 504 },
  api_error: { name: 'INTERNAL' },
};

/** The `error` object of a Gemini error body (or of its first array element). */
function errorObject(body: unknown): Json | undefined {
  const first = Array.isArray(body) ? body[0] : body;
  return isObject(first) && isObject(first.error) ? first.error : undefined;
}

/** A failure from a parsed error body, or from a message of ours. */
export function errorOf(status: number, body: unknown): Failure {
  if (typeof body === 'string') return failure(status, body);
  const error = errorObject(body);
  const message = error !== undefined && typeof error.message === 'string' && error.message !== '' ? error.message : `the Gemini owner answered HTTP ${status}`;
  return failure(status, message);
}

export function readGeminiError(status: number, bodyText: string): Failure {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    const text = bodyText.trim();
    return failure(status, text === '' ? `the Gemini owner answered HTTP ${status}` : text);
  }
  return errorObject(body) === undefined && bodyText.trim() !== '' ? failure(status, bodyText.trim()) : errorOf(status, body);
}

/** The error object a Gemini client reads, as JSON text. */
export function geminiErrorJson(value: Failure): { code: number; text: string } {
  const status = STATUS_BY_KIND[value.kind];
  const code = status.code ?? value.status;
  return { code, text: JSON.stringify({ error: { code, message: value.message, status: status.name } }) };
}

export function writeGeminiError(value: Failure): ErrorAnswer {
  const { code, text } = geminiErrorJson(value);
  return { status: code, body: text };
}
