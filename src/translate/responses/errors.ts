/**
 * @module An owner's failure in OpenAI's error shape, `{"error":{"message","type","param","code"}}`
 * (https://platform.openai.com/docs/guides/error-codes), with the owner's status and its message word
 * for word; and the codes a stream's `error` event and `response.failed` carry.
 */
import type { ErrorAnswer } from '../codec.ts';
import type { Failure, FailureKind } from '../ir.ts';

/** OpenAI's `error.type` by our kind (OpenAI's SDKs pick their exception class by the status, not this). */
const TYPE_BY_KIND: Record<FailureKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  overloaded: 'server_error',
  timeout: 'server_error',
  api_error: 'server_error',
};

/** The `code` OpenAI gives these failures (null where it has none). */
const CODE_BY_KIND: Partial<Record<FailureKind, string>> = {
  rate_limit: 'rate_limit_exceeded',
  overloaded: 'server_error',
  timeout: 'server_error',
  api_error: 'server_error',
};

/**
 * How owners say the conversation no longer fits the model (Anthropic's `prompt is too long`, OpenAI's
 * `maximum context length` / `context window`, Gemini's `input token count … exceeds`). OpenAI answers
 * these with the code `context_length_exceeded`, which Codex acts on (it compacts the conversation).
 */
const TOO_LONG = /prompt is too long|maximum context length|context window|context_length_exceeded|input token count.*exceeds/i;

function tooLong(failure: Failure): boolean {
  return (failure.kind === 'invalid_request' || failure.kind === 'request_too_large') && TOO_LONG.test(failure.message);
}

export function errorType(kind: FailureKind): string {
  return TYPE_BY_KIND[kind];
}

export function errorCode(failure: Failure): string | null {
  return tooLong(failure) ? 'context_length_exceeded' : (CODE_BY_KIND[failure.kind] ?? null);
}

/**
 * The `code` of a failed response's `error`: `context_length_exceeded` as above, else from the API's own
 * list: `rate_limit_exceeded`, `invalid_prompt` (a request the model would not take), `server_error`.
 */
export function failedResponseCode(failure: Failure): string {
  if (tooLong(failure)) return 'context_length_exceeded';
  if (failure.kind === 'rate_limit') return 'rate_limit_exceeded';
  if (failure.kind === 'invalid_request' || failure.kind === 'request_too_large' || failure.kind === 'not_found') return 'invalid_prompt';
  return 'server_error';
}

export function writeError(failure: Failure): ErrorAnswer {
  const error = { message: failure.message, type: errorType(failure.kind), param: null, code: errorCode(failure) };
  return { status: failure.status, body: JSON.stringify({ error }) };
}
