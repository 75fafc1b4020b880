/**
 * @module Errors both ways (docs/translation.md, "OpenAI chat completions" → errors): an owner's error body
 * or in-band `error` object as a failure, its message found wherever the owner puts it and kept word for
 * word; a failure in OpenAI's shape, `{"error":{"message","type","param","code"}}`.
 */
import { isObject } from '../../providers/narrow.ts';
import type { ErrorAnswer } from '../codec.ts';
import type { Failure, FailureKind } from '../ir.ts';
import { failure } from '../failure.ts';

/** The status an in-band error's `type` names, for owners that give no number (OpenAI's stream errors). */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  tokens: 429, // OpenAI's TPM limit
  requests: 429, // OpenAI's RPM limit
  overloaded_error: 529,
  server_error: 500,
  api_error: 500,
};

const isStatus = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 400 && value < 600;

/** An `error` value inside a 200 body or a stream as a failure: its numeric `code`/`status`, else its `type`, picks the status. */
export function failureOf(error: unknown): Failure {
  const fields = isObject(error) ? error : {};
  const message = typeof fields.message === 'string' ? fields.message : typeof error === 'string' ? error : 'the upstream reported an error';
  const numeric = [fields.code, fields.status].find(isStatus);
  const named = [fields.type, fields.code].find((value): value is string => typeof value === 'string' && STATUS_BY_TYPE[value] !== undefined);
  return failure(numeric ?? (named === undefined ? 500 : STATUS_BY_TYPE[named] ?? 500), message);
}

/**
 * The message inside an error body: OpenAI's `{"error":{"message"}}`, Gemini's array of those,
 * `{"error":"…"}`, `{"message"}` or FastAPI's `{"detail"}`; else the body's text itself.
 */
function messageOf(bodyText: string): string {
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

export function readError(status: number, bodyText: string): Failure {
  return failure(status, messageOf(bodyText) || `the upstream answered ${status}`);
}

/** OpenAI's `type` and a `code` per kind (`rate_limit_exceeded` as §9's own 429 says it). */
const SHAPE: Record<FailureKind, { type: string; code: string }> = {
  invalid_request: { type: 'invalid_request_error', code: 'invalid_request' },
  authentication: { type: 'authentication_error', code: 'authentication' },
  permission: { type: 'permission_error', code: 'permission' },
  not_found: { type: 'not_found_error', code: 'not_found' },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  overloaded: { type: 'server_error', code: 'overloaded' },
  timeout: { type: 'server_error', code: 'timeout' },
  api_error: { type: 'server_error', code: 'upstream_error' },
};

/** The `error` object of OpenAI's shape, for a body and for an in-stream `data: {"error":…}`. */
export function errorObject(failure: Failure): { error: Record<string, unknown> } {
  const shape = SHAPE[failure.kind];
  return { error: { message: failure.message, type: shape.type, param: null, code: shape.code } };
}

export function writeError(failure: Failure): ErrorAnswer {
  return { status: failure.status, body: JSON.stringify(errorObject(failure)) };
}
