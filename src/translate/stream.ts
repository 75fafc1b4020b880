/**
 * @module OpenAI `chat.completion.chunk`s to Anthropic stream events, one chunk at a time (README,
 * "Translation"): `message_start`, `content_block_start/delta/stop` (`text_delta`, `input_json_delta`),
 * `message_delta` (stop_reason, usage), `message_stop`; an upstream `error` or an early end is `error`.
 * Each push answers what that chunk allows at once; nothing holds the answer back (src/translate/blocks.ts).
 */
import { isObject, type Json } from '../providers/narrow.ts';
import { anthropicUsage, messageId, namedStop, stopReason, trailingStop, usageOf, type RequestFacts } from './answer.ts';
import { BlockQueue, type AnthropicEvent } from './blocks.ts';
import { streamErrorEvent } from './errors.ts';

export type { AnthropicEvent } from './blocks.ts';

export type StreamFacts = RequestFacts & {
  /**
   * The input token count for `message_start`, e.g. `estimateInputTokens(request)`. OpenAI reports usage
   * only at the end, so `message_start` carries this (or 0, or the upstream's count when its first chunk
   * has one) and `message_delta` carries the upstream's own count, which Anthropic's SDKs take over.
   */
  estimatedInputTokens?: number;
  /** Configured secret values: redacted from any upstream text an error event repeats. */
  secrets?: readonly string[];
};

export type ChatStreamTranslator = { push(chunk: unknown): AnthropicEvent[]; end(): AnthropicEvent[] };

/** Why the stream ends in `error` when the upstream stops before saying why it finished. */
export const CUT_SHORT = 'the upstream stream ended before the answer was complete';

export function chatStreamToMessages(model: string, request: StreamFacts = {}): ChatStreamTranslator {
  const stops = request.stopSequences ?? [];
  const tailLength = stops.reduce((max, stop) => Math.max(max, stop.length), 0);
  const blocks = new BlockQueue();
  let started = false;
  let done = false;
  let finish: { stop_reason: string; stop_sequence: string | null } | undefined;
  let usage: Json | undefined;
  /** The last characters of the text, as long as the longest stop sequence: enough to see one at the end. */
  let tail = '';

  function start(chunk: Json, out: AnthropicEvent[]): void {
    if (started) return;
    started = true;
    const first = usageOf(chunk);
    const input = first !== undefined ? anthropicUsage(first).input_tokens : request.estimatedInputTokens ?? 0;
    const message = { id: messageId(chunk.id), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: input, output_tokens: 0 } };
    out.push({ event: 'message_start', data: { type: 'message_start', message } });
  }

  function close(out: AnthropicEvent[]): void {
    done = true;
    const stop = finish ?? { stop_reason: 'end_turn', stop_sequence: null };
    out.push({ event: 'message_delta', data: { type: 'message_delta', delta: stop, usage: usage === undefined ? { output_tokens: 0 } : anthropicUsage(usage) } });
    out.push({ event: 'message_stop', data: { type: 'message_stop' } });
  }

  function choice(entry: Json, out: AnthropicEvent[]): void {
    const delta = isObject(entry.delta) ? entry.delta : {};
    // `refusal` (OpenAI structured outputs) is what the model said, so it streams as text.
    for (const text of [delta.content, delta.refusal]) {
      if (typeof text !== 'string' || text === '') continue;
      blocks.text(text, out);
      if (tailLength > 0) tail = (tail + text).slice(-tailLength);
    }
    if (Array.isArray(delta.tool_calls)) {
      for (let i = 0; i < delta.tool_calls.length; i++) {
        const call: unknown = delta.tool_calls[i];
        if (!isObject(call)) continue;
        const fn = isObject(call.function) ? call.function : {};
        const index = typeof call.index === 'number' ? call.index : i;
        blocks.toolCall(index, typeof call.id === 'string' ? call.id : undefined, typeof fn.name === 'string' ? fn.name : undefined, typeof fn.arguments === 'string' ? fn.arguments : '', out);
      }
    }
    if (entry.finish_reason !== null && entry.finish_reason !== undefined && finish === undefined) {
      blocks.finish(out);
      const matched = namedStop(entry, stops) ?? trailingStop(tail, stops);
      finish = stopReason(entry.finish_reason, matched, blocks.sawToolCall);
    }
  }

  return {
    push(chunk: unknown): AnthropicEvent[] {
      const out: AnthropicEvent[] = [];
      if (done || !isObject(chunk)) return out;
      if (chunk.error !== undefined && chunk.error !== null) {
        done = true;
        out.push(streamErrorEvent(chunk.error, request.secrets));
        return out;
      }
      start(chunk, out);
      const chunkUsage = usageOf(chunk);
      if (chunkUsage !== undefined) usage = chunkUsage;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      // Only the first choice: the translation never asks for more than one.
      const first: unknown = choices.find((entry) => isObject(entry) && (entry.index === 0 || entry.index === undefined));
      if (isObject(first)) choice(first, out);
      // OpenAI's usage chunk (`choices: []`, after the finish) is the last one: the message can end now.
      if (finish !== undefined && choices.length === 0 && chunkUsage !== undefined) close(out);
      return out;
    },
    end(): AnthropicEvent[] {
      const out: AnthropicEvent[] = [];
      if (done) return out;
      if (finish === undefined) {
        done = true;
        out.push(streamErrorEvent({ message: CUT_SHORT }));
        return out;
      }
      close(out);
      return out;
    },
  };
}
