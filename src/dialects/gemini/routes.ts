/**
 * @module The Gemini dialect's calls: `models/{model}:{method}` under `/v1beta` and under `/v1` (where
 * `@google/genai` 3 sends them by default), forwarded natively to a `gemini` owner at
 * `{baseUrl}/models/{upstream_id}:{method}`, body untouched, of the query only `alt` (never the client's `key`);
 * any other owner's model is reached through translation (src/inference/translated.ts).
 * A model id with `/` (a prefix) may come URL-encoded or as plain path segments. Its lists are the
 * shared model routes (src/routes/models.ts) answering in Gemini's shape.
 */
import { aliasAnswer } from '../../inference/alias-answer.ts';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { apiError } from '../../errors.ts';
import { forward } from '../../inference/forward.ts';
import { capBody, rateLimit } from '../../inference/guards.ts';
import { callOf, resolveTarget, wrongOwner } from '../../inference/resolve.ts';
import { clientKey } from '../../keys/middleware.ts';
import { translatedCall, translatedCount } from '../../inference/translated.ts';
import type { Target } from '../../inference/resolve.ts';
import { isObject } from '../../providers/narrow.ts';
import { forwardedQuery, joinUrl } from '../../upstream/url.ts';

/** The methods forwarded, as Google names them (https://ai.google.dev/api). */
const METHODS = new Set(['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents']);
/** The client headers a Gemini owner sees: the body's type, the answer wanted, and the SDK's own client header. */
const FORWARDED_HEADERS = ['accept', 'content-type', 'user-agent', 'x-goog-api-client'];

/** The client's query parameters a Gemini owner sees: the answer's form (`alt=sse`). Never its `key`. */
const FORWARDED_QUERY = ['alt'];

/** `/v1beta/models/{model}:{method}` calls: any method asked for is Gemini's to answer (404 for an unknown one). */
export const geminiCalls = new Hono<AppEnv>();
geminiCalls.post('/models/:call{.+}', clientKey('always'), rateLimit, capBody, geminiCall);

/**
 * The same calls under `/v1`, matched only with one of Gemini's methods after the last `:`: any other
 * POST to `/v1/models/…` stays what it was, a `405` on OpenAI's read-only models routes.
 */
export const geminiV1Calls = new Hono<AppEnv>();
geminiV1Calls.post(`/models/:call{.+:(?:${[...METHODS].join('|')})}`, clientKey('always'), rateLimit, capBody, geminiCall);

async function geminiCall(c: Context<AppEnv>): Promise<Response> {
  const call = c.req.param('call') ?? '';
  const colon = call.lastIndexOf(':');
  const method = call.slice(colon + 1);
  if (colon <= 0 || !METHODS.has(method)) {
    throw apiError(404, 'not_found', `No route for POST ${c.req.path}: use models/{model}:{${[...METHODS].join('|')}}.`);
  }
  const target = await resolveTarget(c, call.slice(0, colon));
  if (target.entry.type !== 'gemini') return translatedGeminiCall(c, target, method);
  return forward({
    ...callOf(c, target, 'gemini', `:${method}`),
    url: joinUrl(target.entry.baseUrl, `/models/${target.model.upstream_id}:${method}`, forwardedQuery(target.entry.baseUrl, c.req.url, FORWARDED_QUERY)),
    purpose: 'native',
    forwardHeaders: FORWARDED_HEADERS,
    body: await c.req.text(),
  }, aliasAnswer(target));
}

/**
 * A Gemini call for a model of another owner, translated (contract §15): generation and counting;
 * embeddings have no translation. A translated stream is always server-sent events, so it needs
 * `alt=sse` (what every Gemini SDK asks for); Gemini's other stream form, one JSON array, is not made.
 */
async function translatedGeminiCall(c: Context<AppEnv>, target: Target, method: string): Promise<Response> {
  if (method === 'embedContent' || method === 'batchEmbedContents') throw wrongOwner(target, 'Gemini embeddings API');
  const body = parseObject(await c.req.text());
  if (method === 'countTokens') {
    // countTokens takes `contents` itself or a whole request under `generateContentRequest`.
    const request = isObject(body.generateContentRequest) ? body.generateContentRequest : body;
    return translatedCount(c, target, 'gemini', `:${method}`, request);
  }
  const stream = method === 'streamGenerateContent';
  if (stream && c.req.query('alt') !== 'sse') {
    throw apiError(400, 'invalid_request', `A streamed call for '${target.model.id}' (provider type ${target.entry.type}) is translated, and translated streams are server-sent events only: add ?alt=sse.`);
  }
  return translatedCall(c, target, 'gemini', `:${method}`, body, stream);
}

function parseObject(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw apiError(400, 'invalid_request', 'The body is not valid JSON.');
  }
  if (!isObject(body)) throw apiError(400, 'invalid_request', 'The body must be a JSON object.');
  return body;
}
