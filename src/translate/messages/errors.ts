/**
 * @module Errors in Anthropic's shape, `{"type":"error","error":{"type","message"}}`
 * (https://docs.claude.com/en/api/errors), both ways: an owner's failure written for a Messages client,
 * and an Anthropic owner's error body (or in-stream `error` event) read, the message kept word for word
 * (Claude Code's auto-compact keys on `prompt is too long`).
 */
import { isObject } from '../../providers/narrow.ts';
import type { ErrorAnswer } from '../codec.ts';
import { failure } from '../failure.ts';
import type { Failure, FailureKind } from '../ir.ts';

/** Anthropic's `error.type` by HTTP status. */
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

const TYPE_BY_KIND: Record<FailureKind, string> = {
  invalid_request: 'invalid_request_error', authentication: 'authentication_error', permission: 'permission_error',
  not_found: 'not_found_error', request_too_large: 'request_too_large', rate_limit: 'rate_limit_error',
  overloaded: 'overloaded_error', timeout: 'timeout_error', api_error: 'api_error',
};

/** The status an Anthropic `error.type` stands for (an in-stream error has no HTTP status of its own). */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, billing_error: 402, permission_error: 403,
  not_found_error: 404, request_too_large: 413, rate_limit_error: 429, api_error: 500,
  timeout_error: 504, overloaded_error: 529,
};

/** A failure in Anthropic's error shape: typed by its status, else by its kind. */
export function writeError(fail: Failure): ErrorAnswer {
  const type = TYPE_BY_STATUS[fail.status] ?? TYPE_BY_KIND[fail.kind];
  return { status: fail.status, body: JSON.stringify({ type: 'error', error: { type, message: fail.message } }) };
}

/** An Anthropic `error` object (in a body or a stream event) as a failure; its `type` names the status. */
export function failureFromError(error: unknown, fallbackStatus: number): Failure {
  const fields = isObject(error) ? error : {};
  const message = typeof fields.message === 'string' ? fields.message : 'the upstream reported an error without a message';
  const status = typeof fields.type === 'string' ? STATUS_BY_TYPE[fields.type] ?? fallbackStatus : fallbackStatus;
  return failure(status, message);
}

/**
 * An error response's message: Anthropic's `{"type":"error","error":{"message"}}`, also `{"error":{"message"}}`,
 * `{"error":"…"}`, `{"message"}` (gateways in front of Anthropic); else the body's text itself.
 */
export function readError(status: number, bodyText: string): Failure {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const error = isObject(body) ? body.error : undefined;
  let message: string | undefined;
  if (isObject(error) && typeof error.message === 'string') message = error.message;
  else if (typeof error === 'string') message = error;
  else if (isObject(body) && typeof body.message === 'string') message = body.message;
  return failure(status, message ?? (bodyText.trim() || `the upstream answered ${status}`));
}
