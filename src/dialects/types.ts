/**
 * @module What a dialect is: the API a client speaks (OpenAI, Anthropic Messages, Gemini), and the
 * three things that differ between them on our side — where the client key is, what our own errors
 * look like, and which routes are its own. Everything else (key check, view, model lookup, the one
 * upstream fetch, pass-through, log line) is shared.
 */
import type { ApiError } from '../errors.ts';

export type DialectName = 'openai' | 'anthropic' | 'gemini';

export interface Dialect {
  name: DialectName;
  /**
   * The client key the request presents, or undefined when it presents none. Credentials that are
   * there but unusable (a malformed header, two different keys) throw a 401 naming the problem.
   */
  presentedKey(request: Request): string | undefined;
  /** Where this dialect's clients put the key, for the message that asks for one. */
  keyHint: string;
  /** One of our own failures, in this dialect's error shape and with its headers. */
  errorResponse(error: ApiError): Response;
}
