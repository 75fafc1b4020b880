/** @module An owner's failure in the internal form, from its HTTP status (or the status an in-stream error names). */
import type { Failure, FailureKind } from './ir.ts';

/** Our kind by HTTP status; other 4xx are `invalid_request`, other 5xx `api_error`. */
const KIND_BY_STATUS: Record<number, FailureKind> = {
  400: 'invalid_request',
  401: 'authentication',
  403: 'permission',
  404: 'not_found',
  408: 'timeout',
  413: 'request_too_large',
  429: 'rate_limit',
  503: 'overloaded',
  504: 'timeout',
  529: 'overloaded', // Anthropic's own "overloaded"
};

export function failureKind(status: number): FailureKind {
  return KIND_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'invalid_request' : 'api_error');
}

export function failure(status: number, message: string): Failure {
  return { status, kind: failureKind(status), message };
}

/** The status a failure kind is answered with when the owner gave none (an error inside a stream). */
const STATUS_BY_KIND: Record<FailureKind, number> = {
  invalid_request: 400, authentication: 401, permission: 403, not_found: 404, request_too_large: 413,
  rate_limit: 429, overloaded: 529, timeout: 504, api_error: 500,
};

export function statusOf(kind: FailureKind): number {
  return STATUS_BY_KIND[kind];
}
