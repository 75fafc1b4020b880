/**
 * @module An Anthropic owner's stream (https://docs.claude.com/en/docs/build-with-claude/streaming) read into
 * internal events: `message_start` → start (with input and cache usage), text / thinking / tool_use blocks
 * → text, reasoning (signature included) and tool_call events, `message_delta` → usage and stop,
 * `message_stop` → done, `error` → error. `ping`, citations, server-side tool blocks and event types this
 * reader does not know are skipped.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { StreamReader } from '../codec.ts';
import type { Event, Usage } from '../ir.ts';
import { failure } from '../failure.ts';
import { stopReasonIn, usageIn } from './answer.ts';
import { failureFromError } from './errors.ts';

/** Why the stream ends in `error` when the owner's body stops before `message_stop`. */
export const CUT_SHORT = 'the upstream stream ended before the answer was complete';

type Open = { kind: 'text' | 'reasoning' | 'skip' } | { kind: 'tool'; call: number; sent: boolean; input: Json };

export function streamReader(): StreamReader {
  /** Anthropic block index → what it is; tool calls numbered in order of appearance. */
  const blocks = new Map<number, Open>();
  let calls = 0;
  let usage: Usage = { input: 0, output: 0 };
  let started = false;
  let stopped = false;
  let finished = false;

  function blockStart(data: Json, out: Event[]): void {
    const index = typeof data.index === 'number' ? data.index : -1;
    const block = isObject(data.content_block) ? data.content_block : {};
    if (block.type === 'text') {
      blocks.set(index, { kind: 'text' });
      if (typeof block.text === 'string' && block.text !== '') out.push({ type: 'text', text: block.text });
    } else if (block.type === 'thinking') {
      blocks.set(index, { kind: 'reasoning' });
      if (typeof block.thinking === 'string' && block.thinking !== '') out.push({ type: 'reasoning', text: block.thinking });
    } else if (block.type === 'tool_use') {
      const call = calls++;
      const id = typeof block.id === 'string' ? block.id : `toolu_${call}`;
      const name = typeof block.name === 'string' ? block.name : '';
      blocks.set(index, { kind: 'tool', call, sent: false, input: isObject(block.input) ? block.input : {} });
      out.push({ type: 'tool_call', index: call, id, name, arguments: '' });
    } else {
      // redacted_thinking (no place in a stream event), server_tool_use, *_tool_result, …
      blocks.set(index, { kind: 'skip' });
    }
  }

  function blockDelta(data: Json, out: Event[]): void {
    const open = blocks.get(typeof data.index === 'number' ? data.index : -1);
    const delta = isObject(data.delta) ? data.delta : {};
    if (open === undefined || open.kind === 'skip') return;
    if (delta.type === 'text_delta' && open.kind === 'text' && typeof delta.text === 'string') out.push({ type: 'text', text: delta.text });
    else if (delta.type === 'thinking_delta' && open.kind === 'reasoning' && typeof delta.thinking === 'string') out.push({ type: 'reasoning', text: delta.thinking });
    else if (delta.type === 'signature_delta' && open.kind === 'reasoning' && typeof delta.signature === 'string') out.push({ type: 'reasoning', text: '', signature: delta.signature });
    else if (delta.type === 'input_json_delta' && open.kind === 'tool' && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
      open.sent = true;
      out.push({ type: 'tool_call', index: open.call, arguments: delta.partial_json });
    }
  }

  /** A call whose input came whole in its start event (no input_json_delta) sends it at its stop. */
  function blockStop(data: Json, out: Event[]): void {
    const open = blocks.get(typeof data.index === 'number' ? data.index : -1);
    if (open?.kind === 'tool' && !open.sent && Object.keys(open.input).length > 0) {
      out.push({ type: 'tool_call', index: open.call, arguments: JSON.stringify(open.input) });
    }
  }

  return {
    push(text: string): Event[] {
      if (finished) return [];
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        return [];
      }
      if (!isObject(data)) return [];
      const out: Event[] = [];
      if (data.type === 'ping') return out;
      if (!started) {
        started = true;
        const message = data.type === 'message_start' && isObject(data.message) ? data.message : {};
        usage = usageIn(message.usage);
        const start: Event = { type: 'start', usage: { ...usage } };
        if (typeof message.id === 'string') start.id = message.id;
        out.push(start);
      }
      switch (data.type) {
        case 'content_block_start': blockStart(data, out); break;
        case 'content_block_delta': blockDelta(data, out); break;
        case 'content_block_stop': blockStop(data, out); break;
        case 'message_delta': {
          if (isObject(data.usage)) out.push({ type: 'usage', usage: { ...usageIn(data.usage, usage) } });
          const delta = isObject(data.delta) ? data.delta : {};
          if (delta.stop_reason !== undefined && delta.stop_reason !== null && !stopped) {
            stopped = true;
            const stop: Event = { type: 'stop', reason: stopReasonIn(delta.stop_reason) };
            if (typeof delta.stop_sequence === 'string') stop.stopSequence = delta.stop_sequence;
            out.push(stop);
          }
          break;
        }
        case 'message_stop':
          finished = true;
          out.push({ type: 'done' });
          break;
        case 'error':
          finished = true;
          out.push({ type: 'error', failure: failureFromError(data.error, 500) });
          break;
      }
      return out;
    },
    end(): Event[] {
      if (finished) return [];
      finished = true;
      return [{ type: 'error', failure: failure(502, CUT_SHORT) }];
    },
  };
}
