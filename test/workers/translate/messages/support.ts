/**
 * @module Test helpers for the Messages dialect: a recorded SSE fixture's `data` texts, Anthropic SSE output
 * parsed back into frames (checking the wire form), and an accumulator that adds frames up to a message the
 * way Anthropic's SDKs do, failing on any break of the documented event order.
 */
import { expect } from 'vitest';
import type { AnswerContext } from '../../../../src/translate/codec.ts';
import type { Request } from '../../../../src/translate/ir.ts';

export type SseFixture = { source: string; sse: string[] };

/** The `data` of each event of a fixture, in order. */
export const dataOf = (fixture: SseFixture): string[] => fixture.sse.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));

export type Frame = { event: string; data: Record<string, unknown> };

/** Anthropic SSE text as frames: every frame is `event: X\ndata: {json}` with data.type === X. */
export function frames(output: string): Frame[] {
  if (output === '') return [];
  expect(output.endsWith('\n\n')).toBe(true);
  return output.slice(0, -2).split('\n\n').map((text) => {
    const match = /^event: ([a-z_]+)\ndata: (\{.*\})$/.exec(text);
    if (match === null) throw new Error(`not an Anthropic SSE frame: ${JSON.stringify(text)}`);
    const data = JSON.parse(match[2] ?? '') as Record<string, unknown>;
    expect(data.type).toBe(match[1]);
    return { event: match[1] ?? '', data };
  });
}

export type Block = { type: string; text?: string; thinking?: string; signature?: string; id?: string; name?: string; json?: string };
export type Message = { id: string; model: string; startUsage: unknown; content: Block[]; stopReason: unknown; stopSequence: unknown; usage: unknown; error?: unknown };

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/**
 * Frames added up: message_start first; blocks one at a time (start, deltas of its own kind, stop, indexes
 * 0, 1, 2…); message_delta then message_stop last; or an `error` frame last. Pings may come anywhere.
 */
export function accumulate(all: Frame[]): Message {
  const list = all.filter((frame) => frame.event !== 'ping');
  const first = list[0];
  expect(first?.event).toBe('message_start');
  const start = record(first?.data.message);
  const message: Message = { id: String(start.id), model: String(start.model), startUsage: start.usage, content: [], stopReason: undefined, stopSequence: undefined, usage: undefined };
  let open: Block | undefined;
  for (let i = 1; i < list.length; i++) {
    const { event, data } = list[i] ?? { event: '', data: {} };
    if (event === 'error') {
      expect(i).toBe(list.length - 1);
      message.error = data.error;
      return message;
    }
    if (event === 'content_block_start') {
      expect(open).toBeUndefined();
      expect(data.index).toBe(message.content.length);
      const block = record(data.content_block);
      open = { type: String(block.type) };
      if (block.type === 'text') open.text = '';
      if (block.type === 'thinking') { open.thinking = ''; open.signature = String(block.signature); }
      if (block.type === 'tool_use') { open.id = String(block.id); open.name = String(block.name); open.json = ''; }
      message.content.push(open);
    } else if (event === 'content_block_delta') {
      expect(open).toBeDefined();
      expect(data.index).toBe(message.content.length - 1);
      const delta = record(data.delta);
      if (delta.type === 'text_delta') { expect(open?.type).toBe('text'); if (open) open.text += String(delta.text); }
      else if (delta.type === 'thinking_delta') { expect(open?.type).toBe('thinking'); if (open) open.thinking += String(delta.thinking); }
      else if (delta.type === 'signature_delta') { expect(open?.type).toBe('thinking'); if (open) open.signature = String(delta.signature); }
      else if (delta.type === 'input_json_delta') { expect(open?.type).toBe('tool_use'); if (open) open.json += String(delta.partial_json); }
      else throw new Error(`unexpected delta ${String(delta.type)}`);
    } else if (event === 'content_block_stop') {
      expect(data.index).toBe(message.content.length - 1);
      open = undefined;
    } else if (event === 'message_delta') {
      expect(open).toBeUndefined();
      const delta = record(data.delta);
      message.stopReason = delta.stop_reason;
      message.stopSequence = delta.stop_sequence;
      message.usage = data.usage;
    } else if (event === 'message_stop') {
      expect(i).toBe(list.length - 1);
      expect(message.stopReason).toBeDefined();
    } else {
      throw new Error(`unexpected event ${event}`);
    }
  }
  return message;
}

/** An answer context for a request (fixed time and id, so outputs are comparable). */
export function contextFor(request: Partial<Request> = {}, extra: Partial<AnswerContext> = {}): AnswerContext {
  return { model: 'claude-alias', request: { system: [], messages: [], stream: true, ...request }, now: 1765000000, randomId: 'R4nd0m', ...extra };
}
