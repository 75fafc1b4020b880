/**
 * @module The Gemini dialect, under `/v1beta`: the list and one model in Gemini's shape, and
 * `models/{model}:{method}` calls forwarded natively to a `gemini` owner at
 * `{baseUrl}/models/{upstream_id}:{method}`, body untouched, query kept but for the client's `key`.
 * A model id with `/` (a prefix) may come URL-encoded or as plain path segments.
 */
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import type { AppEnv } from '../../app-env.ts';
import { loadConfig } from '../../config.ts';
import { apiError } from '../../errors.ts';
import { forward } from '../../inference/forward.ts';
import { capBody, rateLimit } from '../../inference/guards.ts';
import { resolveTarget, wrongOwner } from '../../inference/resolve.ts';
import { clientKey } from '../../keys/middleware.ts';
import { readList, respond } from '../../routes/models.ts';
import { scopeOf } from '../../serve/answers.ts';
import { joinUrl } from '../../upstream/url.ts';
import { geminiList, geminiModelAnswer } from './list.ts';

/** The methods forwarded, as Google names them (https://ai.google.dev/api). */
const METHODS = new Set(['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents']);
/** The client headers a Gemini owner sees: the body's type, the answer wanted, and the SDK's own client header. */
const FORWARDED_HEADERS = ['accept', 'content-type', 'user-agent', 'x-goog-api-client'];

export const geminiRoutes = new Hono<AppEnv>();

geminiRoutes.use(clientKey('always'));

geminiRoutes.get('/models', etag(), async function listGeminiModels(c) {
  const config = loadConfig(c.env);
  const { list, state } = await readList(c, config);
  return respond(c, geminiList(list, config, scopeFor(c), { pageSize: c.req.query('pageSize'), pageToken: c.req.query('pageToken') }), state);
});

geminiRoutes.get('/models/:id{.+}', etag(), async function getGeminiModel(c) {
  const id = c.req.param('id');
  const config = loadConfig(c.env);
  const { list, state } = await readList(c, config);
  const answer = geminiModelAnswer(list, config, scopeFor(c), id);
  if (answer === undefined) throw apiError(404, 'model_not_found', `models/${id} is not found, or not callable through the Gemini API here.`);
  return respond(c, answer, state);
});

geminiRoutes.post('/models/:call{.+}', rateLimit, capBody, async function geminiCall(c) {
  const call = c.req.param('call');
  const colon = call.lastIndexOf(':');
  const method = call.slice(colon + 1);
  if (colon <= 0 || !METHODS.has(method)) {
    throw apiError(404, 'not_found', `No route for POST ${c.req.path}: use models/{model}:{${[...METHODS].join('|')}}.`);
  }
  const target = await resolveTarget(c, call.slice(0, colon));
  const { entry, model, config, key } = target;
  if (entry.type !== 'gemini') throw wrongOwner(target, 'Gemini API');
  const query = new URL(c.req.url).searchParams;
  // The client's own key never leaves; the provider's goes in its header.
  query.delete('key');
  return forward({
    entry,
    model,
    url: joinUrl(entry.baseUrl, `/models/${model.upstream_id}:${method}`, Object.fromEntries(query)),
    purpose: 'native',
    forwardHeaders: FORWARDED_HEADERS,
    body: await c.req.text(),
    request: c.req.raw,
    keyName: key.name,
    dialect: 'gemini',
    route: `:${method}`,
    secrets: config.secretValues,
    background: c.executionCtx,
  });
});

function scopeFor(c: Context<AppEnv>) {
  return scopeOf(loadConfig(c.env), c.get('clientKey')?.view ?? null);
}
