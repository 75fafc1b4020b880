/**
 * @module Which dialect a request speaks, from its path (and, for the shared `/v1/models`, the
 * `anthropic-version` header every Anthropic client sends). The key check, the handlers and the
 * error answers all ask it, so even a refused key is answered in the client's own error shape.
 */
import { anthropic } from './anthropic/dialect.ts';
import { gemini } from './gemini/dialect.ts';
import { openai } from './openai.ts';
import type { Dialect } from './types.ts';

const GEMINI_PATH = /^\/v1beta(\/|$)/;
const MESSAGES_PATH = /^(\/v1)?\/messages(\/|$)/;
const MODELS_PATH = /^(\/v1)?\/models(\/|$)/;

export function dialectOf(request: Request, path = new URL(request.url).pathname): Dialect {
  if (GEMINI_PATH.test(path)) return gemini;
  if (MESSAGES_PATH.test(path)) return anthropic;
  if (MODELS_PATH.test(path) && request.headers.has('anthropic-version')) return anthropic;
  return openai;
}
