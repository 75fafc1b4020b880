/**
 * @module Which dialect a request speaks, from its path and, for the shared `/v1/models…`, its signs:
 * the `anthropic-version` header every Anthropic client sends; Gemini's `x-goog-api-key`, `?key=` or a
 * `models/{model}:{method}` call (`@google/genai` 3 calls `/v1/…` unless told `apiVersion: 'v1beta'`).
 * The key check, the handlers and the error answers all ask it, so even a refused key is answered in
 * the client's own error shape.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { anthropic } from './anthropic/dialect.ts';
import { gemini } from './gemini/dialect.ts';
import { openai } from './openai.ts';
import type { Dialect } from './types.ts';

const GEMINI_PATH = /^\/v1beta(\/|$)/;
const MESSAGES_PATH = /^(\/v1)?\/messages(\/|$)/;
const MODELS_PATH = /^(\/v1)?\/models(\/|$)/;
/** A `key` query parameter (Gemini's way of sending a key), found without parsing the URL. */
const KEY_PARAM = /[?&]key=/;
/** A Gemini call under `/v1`: one of its methods after the model's last `:` (an Ollama tag is not one). */
const GEMINI_CALL = /^\/v1\/models\/.+:(generateContent|streamGenerateContent|countTokens|embedContent|batchEmbedContents)$/;

export function dialectOf(request: Request, path = new URL(request.url).pathname): Dialect {
  if (GEMINI_PATH.test(path)) return gemini;
  if (MESSAGES_PATH.test(path)) return anthropic;
  if (!MODELS_PATH.test(path)) return openai;
  if (request.headers.has('anthropic-version')) return anthropic;
  if (request.headers.has('x-goog-api-key') || (request.method === 'POST' && GEMINI_CALL.test(path)) || KEY_PARAM.test(request.url)) return gemini;
  return openai;
}

/** The request's dialect, decided once per request (the key check and the handler both ask). */
export function dialectFor(c: Context<AppEnv>): Dialect {
  let dialect = c.get('dialect');
  if (dialect === undefined) {
    dialect = dialectOf(c.req.raw, c.req.path);
    c.set('dialect', dialect);
  }
  return dialect;
}
