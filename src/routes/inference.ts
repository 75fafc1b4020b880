/**
 * @module The OpenAI dialect's calls: `POST /v1/chat/completions`, `/v1/completions`,
 * `/v1/embeddings` and `/v1/responses` (and without `/v1`), always behind a client key, resolved in
 * that key's view (src/inference/resolve.ts) and forwarded to the owner's OpenAI-compatible root; chat
 * calls for an Anthropic owner and Responses calls for an owner without Responses are translated
 * (src/inference/translated.ts).
 */
import { aliasAnswer } from '../inference/alias-answer.ts';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { checkBody, withModel } from '../inference/body.ts';
import { forward } from '../inference/forward.ts';
import { capBody, rateLimit } from '../inference/guards.ts';
import { callOf, resolveTarget } from '../inference/resolve.ts';
import { clientKey } from '../keys/middleware.ts';
import { askForUsage } from '../usage/hidden-usage.ts';
import { usageSender } from '../usage/send.ts';
import { ownerApiFor, translatedCall } from '../inference/translated.ts';
import { joinUrl } from '../upstream/url.ts';

/** The OpenAI paths forwarded, as the provider's OpenAI-compatible root names them (without `/v1`). */
export const INFERENCE_PATHS = ['/chat/completions', '/completions', '/embeddings', '/responses'] as const;
/**
 * The only client headers a provider sees: what the body is and what answer is wanted, and the SDK
 * feature flags some calls need.
 */
const FORWARDED_HEADERS = ['accept', 'content-type', 'user-agent', 'openai-beta'];

export const inference = new Hono<AppEnv>();

for (const path of INFERENCE_PATHS) {
  inference.post(path, clientKey('always'), rateLimit, capBody, async function forwardCall(c) {
    const text = await c.req.text();
    const { model, parsed } = checkBody(text);
    const target = await resolveTarget(c, model);
    // Chat to an Anthropic owner and Responses to an owner without it are translated (contract §15).
    const client = path === '/chat/completions' ? 'chat' : path === '/responses' ? 'responses' : undefined;
    if (client !== undefined && ownerApiFor(target.entry, client) !== 'native') return translatedCall(c, target, client, path, parsed);
    const body = withModel(text, target.model.upstream_id);
    // A counted chat or completions stream asks for the usage its client did not (usage/hidden-usage.ts).
    const counted = usageSender(c.env) !== undefined && (path === '/chat/completions' || path === '/completions');
    const asked = counted ? askForUsage(parsed, body) : { body, hide: false };
    return forward({
      ...callOf(c, target, 'openai', path, asked.hide),
      url: joinUrl(target.base, path),
      purpose: 'inference',
      forwardHeaders: FORWARDED_HEADERS,
      body: asked.body,
    }, aliasAnswer(target));
  });
}
