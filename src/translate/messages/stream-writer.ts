/**
 * @module Internal stream events written as Anthropic's stream (https://docs.claude.com/en/docs/build-with-claude/streaming):
 * `message_start`, content blocks one at a time (blocks.ts), `message_delta` (stop_reason, stop_sequence,
 * usage), `message_stop`; an `error` event is `event: error` and nothing after; `ping()` a keep-alive.
 */
import type { AnswerContext, StreamWriter } from '../codec.ts';
import type { Event, StopReason, Usage } from '../ir.ts';
import { messageId, stopReasonOut, usageOut, wantsThinking } from './answer.ts';
import { BlockQueue, frame } from './blocks.ts';
import { writeError } from './errors.ts';

const PING = frame('ping', '{"type":"ping"}');

export function streamWriter(context: AnswerContext): StreamWriter {
  const blocks = new BlockQueue(`${context.randomId}_`);
  const thinking = wantsThinking(context.request);
  let started = false;
  let over = false;
  let stop: { reason: StopReason; stopSequence?: string } | undefined;
  let usage: Usage | undefined;

  /** `message_start`, with the owner's usage from its start event, else the estimate the context gives. */
  function start(id: string | undefined, startUsage: Usage | undefined, out: string[]): void {
    if (started) return;
    started = true;
    const first = startUsage ?? { input: context.estimatedInputTokens ?? 0, output: 0 };
    const message = { id: messageId(id, context), type: 'message', role: 'assistant', model: context.model, content: [], stop_reason: null, stop_sequence: null, usage: usageOut(first) };
    out.push(frame('message_start', JSON.stringify({ type: 'message_start', message })));
  }

  function finish(out: string[]): void {
    over = true;
    blocks.finish(out);
    const reason = stopReasonOut(stop?.reason ?? 'end', blocks.sawToolCall);
    const sequence = stop?.reason === 'stop_sequence' ? stop.stopSequence ?? null : null;
    const delta = { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: sequence }, usage: usage === undefined ? { output_tokens: 0 } : usageOut(usage) };
    out.push(frame('message_delta', JSON.stringify(delta)));
    out.push(frame('message_stop', '{"type":"message_stop"}'));
  }

  function one(event: Event, out: string[]): void {
    if (event.type === 'error') {
      // Anthropic's in-stream error: the error body as the event's data, and the stream ends.
      over = true;
      out.push(frame('error', writeError(event.failure).body));
      return;
    }
    start(event.type === 'start' ? event.id : undefined, event.type === 'start' ? event.usage : undefined, out);
    switch (event.type) {
      case 'start': if (event.usage !== undefined) usage ??= event.usage; break;
      case 'text': blocks.piece('text', event.text, out); break;
      case 'reasoning': if (thinking) blocks.piece('thinking', event.text, out); break;
      case 'tool_call': blocks.toolCall(event.index, event.id, event.name, event.arguments, out); break;
      case 'usage': usage = event.usage; break;
      case 'stop': stop = event.stopSequence === undefined ? { reason: event.reason } : { reason: event.reason, stopSequence: event.stopSequence }; break;
      case 'done': finish(out); break;
    }
  }

  return {
    write(events: readonly Event[]): string {
      const out: string[] = [];
      for (const event of events) {
        if (over) break;
        one(event, out);
      }
      return out.join('');
    },
    ping(): string {
      return over ? '' : PING;
    },
  };
}
