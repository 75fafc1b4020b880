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
import { isObject } from '../../providers/narrow.ts';
import { chatToMessage } from '../../translate/chat-to-messages.ts';
import { estimateInputTokens } from '../../translate/count-tokens.ts';
import { chatErrorToAnthropic } from '../../translate/errors.ts';
import { messagesToChat } from '../../translate/messages-to-chat.ts';
import { translateChatStream } from '../../translate/sse.ts';
import { joinUrl } from '../../upstream/url.ts';

/** The client headers an OpenAI-compatible owner sees for a translated call: the body is ours, not the client's. */
const FORWARDED_HEADERS = ['user-agent'];
/** An upstream error body is read this far, for its message: enough for any real one, bounded against a hostile one. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' };

export async function translatedCall(c: Context<AppEnv>, target: Target, path: string, text: string): Promise<Response> {
  const request: unknown = JSON.parse(text);
  const { entry, model, config, key, base } = target;
  if (path === '/messages/count_tokens') {
    logEvent('inference', { key: key.name, model: model.id, provider: entry.id, dialect: 'anthropic', path, status: 200, estimated: true });
    return Response.json({ input_tokens: estimateInputTokens(request) });
  }
  const chat = messagesToChat(request, model.upstream_id, { maxTokensField: wantsMaxCompletionTokens(base) ? 'max_completion_tokens' : 'max_tokens' });
  if (!chat.ok) throw apiError(400, 'invalid_request', chat.message);
  const stream = isObject(request) && request.stream === true;
  const facts = { stopSequences: stopSequencesOf(request), ...(stream ? { estimatedInputTokens: estimateInputTokens(request) } : {}) };
  return forward(
    { ...callOf(c, target, 'anthropic', path), url: joinUrl(base, '/chat/completions'), purpose: 'inference', forwardHeaders: FORWARDED_HEADERS, body: JSON.stringify(chat.body) },
    async (upstream) => {
      if (!upstream.ok || upstream.body === null) {
        const body = chatErrorToAnthropic(upstream.status, await cappedText(upstream, MAX_ERROR_BODY_BYTES), config.secretValues);
        return new Response(body, { status: upstream.ok ? 502 : upstream.status, headers: JSON_HEADERS });
      }
      if (stream) return new Response(translateChatStream(upstream.body, model.id, facts), { status: 200, headers: SSE_HEADERS });
      let completion: unknown;
      try {
        completion = await upstream.json();
      } catch {
        const body = chatErrorToAnthropic(502, `[${entry.id}] answered a body that is not JSON`);
        return new Response(body, { status: 502, headers: JSON_HEADERS });
      }
      return new Response(JSON.stringify(chatToMessage(completion, model.id, facts)), { status: 200, headers: JSON_HEADERS });
    },
  );
}

/**
 * OpenAI's own API refuses `max_tokens` for its reasoning models and takes `max_completion_tokens` for
 * every model; other OpenAI-compatible servers (Ollama above all) read only `max_tokens`.
 */
function wantsMaxCompletionTokens(base: string): boolean {
  return new URL(base).hostname === 'api.openai.com';
}

function stopSequencesOf(request: unknown): string[] {
  const stops = isObject(request) ? request.stop_sequences : undefined;
  return Array.isArray(stops) ? stops.filter((stop): stop is string => typeof stop === 'string') : [];
}

/** At most `max` bytes of a body as text; the rest is cancelled unread. */
async function cappedText(response: Response, max: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk.subarray(0, bytes.length - at), at);
    at += Math.min(chunk.byteLength, bytes.length - at);
  }
  return new TextDecoder().decode(bytes);
}
