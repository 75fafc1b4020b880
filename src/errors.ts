/**
 * @module Request-level failures. A handler throws an `ApiError` carrying what went wrong (status,
 * a stable `code`, a message); the answer's shape is chosen when it is sent, by the dialect the
 * request speaks (src/dialects/): OpenAI's `{"error":{"message","type","code"}}` unless the request
 * came through the Anthropic or Gemini routes.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** OpenAI's `error.type` values, by the kind of failure. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
};

/** The JSON body of an OpenAI-shaped error: `{"error":{"message","type","code"}}`. */
export function errorBody(status: number, code: string, message: string, type?: string): string {
  type ??= TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
  return JSON.stringify({ error: { message, type, code } });
}

/**
 * A failure of models-edge's own (never an upstream's answer, which passes through as it is).
 * `getResponse()` is the OpenAI shape; a dialect renders `status`, `code` and `message` its own way.
 */
export class ApiError extends HTTPException {
  override readonly name = 'ApiError';
  override readonly status: ContentfulStatusCode;
  /** Stable, for clients to switch on: `invalid_api_key`, `model_not_found`, `wrong_dialect`, … */
  readonly code: string;
  /** OpenAI's `error.type` when it differs from the status's usual one. */
  readonly type: string | undefined;
  /** Extra answer headers: `WWW-Authenticate`, `Retry-After`. */
  readonly headers: Record<string, string>;
  constructor(status: ContentfulStatusCode, code: string, message: string, init: { headers?: Record<string, string>; cause?: unknown; type?: string } = {}) {
    super(status, { message, cause: init.cause });
    this.status = status;
    this.code = code;
    this.type = init.type;
    this.headers = init.headers ?? {};
  }

  override getResponse(): Response {
    return new Response(errorBody(this.status, this.code, this.message, this.type), {
      status: this.status,
      headers: { 'Content-Type': 'application/json', ...this.headers },
    });
  }
}

/** A request-level failure, thrown from a handler and answered in the request's dialect. */
export function apiError(
  status: ContentfulStatusCode,
  code: string,
  message: string,
  init: { headers?: Record<string, string>; cause?: unknown; type?: string } = {},
): ApiError {
  return new ApiError(status, code, message, init);
}
