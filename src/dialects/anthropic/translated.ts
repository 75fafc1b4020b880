/**
 * @module A Messages call for a model whose owner has no native Messages API: the request translated
 * to the owner's OpenAI-compatible `/chat/completions` (src/translate/), sent through the same forward as
 * every call, and the answer translated back — a stream event by event, a whole answer at once, an
 * upstream error into Anthropic's error shape with the upstream's message kept. `count_tokens` is an
 * estimate (src/translate/count-tokens.ts), answered without calling the owner.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { apiError } from '../../errors.ts';
import { forward } from '../../inference/forward.ts';
import { callOf, type Target } from '../../inference/resolve.ts';
import { logEvent } from '../../log.ts';
import { chatToMessage } from '../../translate/chat-to-messages.ts';
import { estimateInputTokens } from '../../translate/count-tokens.ts';
import { chatErrorToAnthropic } from '../../translate/errors.ts';
import { messagesToChat } from '../../translate/messages-to-chat.ts';
import { translateChatStream, type StreamFailure } from '../../translate/sse.ts';
import { readBodyText } from '../../refresh/body-reader.ts';
import { sha256Hex } from '../../sha256.ts';
import { joinUrl } from '../../upstream/url.ts';

/** The client headers an OpenAI-compatible owner sees for a translated call: the body is ours, not the client's. */
const FORWARDED_HEADERS = ['user-agent'];
/** An upstream error body is read this far for its message (a longer one is named by its status alone): enough for any real one, bounded against a hostile one. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A whole answer is read this far: far beyond any model's longest answer, bounded against a hostile upstream. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** Upstream headers a translated error keeps: when to retry, and the id its owner knows the call by. */
const KEPT_ERROR_HEADERS = ['retry-after', 'x-request-id', 'request-id'];
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' };

export async function translatedCall(c: Context<AppEnv>, target: Target, path: string, request: Record<string, unknown>): Promise<Response> {
  const { entry, model, config, key, base } = target;
  if (path === '/messages/count_tokens') {
    logEvent('inference', { key: key.name, model: model.id, provider: entry.id, dialect: 'anthropic', path, status: 200, estimated: true });
    return Response.json({ input_tokens: estimateInputTokens(request) });
  }
  const chat = messagesToChat(request, model.upstream_id, { maxTokensField: wantsMaxCompletionTokens(base) ? 'max_completion_tokens' : 'max_tokens' });
  if (!chat.ok) throw apiError(400, 'invalid_request', chat.message);
  // `metadata.user_id` is an opaque end-user id (Claude Code's is ~150 characters of account and session
  // ids); OpenAI caps `user` at 64 characters and asks for a hash: the same user, the same 64 hex digits.
  if (typeof chat.body.user === 'string') chat.body.user = await sha256Hex(chat.body.user);
  const stream = request.stream === true;
  const facts = { stopSequences: stopSequencesOf(request), secrets: config.secretValues, ...(stream ? { estimatedInputTokens: estimateInputTokens(request) } : {}) };
  // Why the translated stream ended in `event: error`, if it did: the client still got a 200.
  let failure: StreamFailure | undefined;
  return forward(
    {
      ...callOf(c, target, 'anthropic', path),
      url: joinUrl(base, '/chat/completions'),
      purpose: 'inference',
      forwardHeaders: FORWARDED_HEADERS,
      body: JSON.stringify(chat.body),
      failedInAnswer: () => failure,
    },
    async (upstream) => {
      if (!upstream.ok || upstream.body === null) {
        const text = upstream.body === null ? '' : ((await readBodyText(upstream.body, MAX_ERROR_BODY_BYTES))?.text ?? '');
        const body = chatErrorToAnthropic(upstream.status, text, config.secretValues);
        const headers = new Headers(JSON_HEADERS);
        for (const name of KEPT_ERROR_HEADERS) {
          const value = upstream.headers.get(name);
          if (value !== null) headers.set(name, value);
        }
        return new Response(body, { status: upstream.ok ? 502 : upstream.status, headers });
      }
      const eventStream = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
      if (stream !== eventStream) {
        await upstream.body.cancel();
        const what = stream ? 'a whole answer to a streamed call' : 'a stream to a call for a whole answer';
        return new Response(chatErrorToAnthropic(502, `[${entry.id}] answered ${what}`), { status: 502, headers: JSON_HEADERS });
      }
      if (stream) return new Response(translateChatStream(upstream.body, model.id, facts, (kind) => (failure ??= kind)), { status: 200, headers: SSE_HEADERS });
      const read = await readBodyText(upstream.body, MAX_ANSWER_BYTES);
      let completion: unknown;
      try {
        if (read === undefined) throw new RangeError('over the answer cap');
        completion = JSON.parse(read.text);
      } catch {
        const body = chatErrorToAnthropic(502, `[${entry.id}] answered a body that is not JSON or is over ${MAX_ANSWER_BYTES} bytes`);
        return new Response(body, { status: 502, headers: JSON_HEADERS });
      }
      return new Response(JSON.stringify(chatToMessage(completion, model.id, facts)), { status: 200, headers: JSON_HEADERS });
    },
  );
}

/**
 * OpenAI's own API refuses `max_tokens` for its reasoning models and takes `max_completion_tokens` for
 * every model; other OpenAI-compatible servers (Ollama above all) read only `max_tokens`. OpenAI is
 * reached directly, on Azure, or through Cloudflare AI Gateway's `/openai` route.
 */
function wantsMaxCompletionTokens(base: string): boolean {
  const { hostname, pathname } = new URL(base);
  return hostname === 'api.openai.com' || hostname.endsWith('.openai.azure.com') || (hostname === 'gateway.ai.cloudflare.com' && /\/openai(\/|$)/.test(pathname));
}

function stopSequencesOf(request: Record<string, unknown>): string[] {
  const stops = request.stop_sequences;
  return Array.isArray(stops) ? stops.filter((stop): stop is string => typeof stop === 'string') : [];
}
