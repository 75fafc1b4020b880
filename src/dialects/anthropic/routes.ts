/**
 * @module The Anthropic dialect's calls: `POST /v1/messages` (any query, e.g. Claude Code's
 * `?beta=true`) and `POST /v1/messages/count_tokens`. An `anthropic` owner gets the call natively at
 * `{baseUrl}/messages…` (of the query only `beta`), the body untouched but for `model`; any other owner is reached through
 * translation (src/inference/translated.ts): Gemini's native API, or an OpenAI-compatible chat endpoint.
 */
import { aliasAnswer } from '../../inference/alias-answer.ts';
import { Hono } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { checkBody, withModel } from '../../inference/body.ts';
import { forward } from '../../inference/forward.ts';
import { capBody, rateLimit } from '../../inference/guards.ts';
import { callOf, resolveTarget } from '../../inference/resolve.ts';
import { clientKey } from '../../keys/middleware.ts';
import { forwardedQuery, joinUrl } from '../../upstream/url.ts';
import { translatedCall, translatedCount } from '../../inference/translated.ts';

/** The version Anthropic's own SDKs pin; sent when a client names none, as the API requires one. */
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';
/** The client headers an Anthropic owner sees: the body's type, the answer wanted, the API version and beta features. */
const FORWARDED_HEADERS = ['accept', 'content-type', 'user-agent', 'anthropic-version', 'anthropic-beta'];
/** The client's query parameters an Anthropic owner sees: Claude Code's `?beta=true`. */
const FORWARDED_QUERY = ['beta'];
export const MESSAGES_PATHS = ['/messages', '/messages/count_tokens'] as const;

export const messages = new Hono<AppEnv>();

for (const path of MESSAGES_PATHS) {
  messages.post(path, clientKey('always'), rateLimit, capBody, async function messagesCall(c) {
    const text = await c.req.text();
    const { model, parsed } = checkBody(text);
    const target = await resolveTarget(c, model);
    if (target.entry.type !== 'anthropic') {
      return path === '/messages' ? translatedCall(c, target, 'messages', path, parsed) : translatedCount(c, target, 'messages', path, parsed);
    }
    return forward({
      ...callOf(c, target, 'anthropic', path),
      url: joinUrl(target.entry.baseUrl, path, forwardedQuery(target.entry.baseUrl, c.req.url, FORWARDED_QUERY)),
      purpose: 'native',
      forwardHeaders: FORWARDED_HEADERS,
      headers: { 'anthropic-version': DEFAULT_ANTHROPIC_VERSION },
      body: withModel(text, target.model.upstream_id),
    }, aliasAnswer(target));
  });
}
