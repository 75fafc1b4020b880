/**
 * @module The Gemini dialect's calls: `models/{model}:{method}` under `/v1beta` and under `/v1` (where
 * `@google/genai` 3 sends them by default), forwarded natively to a `gemini` owner at
 * `{baseUrl}/models/{upstream_id}:{method}`, body untouched, query kept but for the client's `key`.
 * A model id with `/` (a prefix) may come URL-encoded or as plain path segments. Its lists are the
 * shared model routes (src/routes/models.ts) answering in Gemini's shape.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { apiError } from '../../errors.ts';
import { forward } from '../../inference/forward.ts';
import { capBody, rateLimit } from '../../inference/guards.ts';
import { callOf, resolveTarget, wrongOwner } from '../../inference/resolve.ts';
import { clientKey } from '../../keys/middleware.ts';
import { joinUrl } from '../../upstream/url.ts';

/** The methods forwarded, as Google names them (https://ai.google.dev/api). */
const METHODS = new Set(['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents']);
/** The client headers a Gemini owner sees: the body's type, the answer wanted, and the SDK's own client header. */
const FORWARDED_HEADERS = ['accept', 'content-type', 'user-agent', 'x-goog-api-client'];

/** `models/{model}:{method}` calls, mounted under `/v1beta` and `/v1`. */
export const geminiCalls = new Hono<AppEnv>();

geminiCalls.post('/models/:call{.+}', clientKey('always'), rateLimit, capBody, geminiCall);

async function geminiCall(c: Context<AppEnv>): Promise<Response> {
  const call = c.req.param('call') ?? '';
  const colon = call.lastIndexOf(':');
  const method = call.slice(colon + 1);
  if (colon <= 0 || !METHODS.has(method)) {
    throw apiError(404, 'not_found', `No route for POST ${c.req.path}: use models/{model}:{${[...METHODS].join('|')}}.`);
  }
  const target = await resolveTarget(c, call.slice(0, colon));
  if (target.entry.type !== 'gemini') throw wrongOwner(target, 'Gemini API');
  const query = new URL(c.req.url).searchParams;
  // The client's own key never leaves; the provider's goes in its header.
  query.delete('key');
  return forward({
    ...callOf(c, target, 'gemini', `:${method}`),
    url: joinUrl(target.entry.baseUrl, `/models/${target.model.upstream_id}:${method}`, Object.fromEntries(query)),
    purpose: 'native',
    forwardHeaders: FORWARDED_HEADERS,
    body: await c.req.text(),
  });
}
