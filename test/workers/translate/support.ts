/**
 * @module Test helpers for the translation: a recorded SSE fixture as its chunks, and a checker that a
 * list of Anthropic events follows the documented order (https://docs.claude.com/en/docs/build-with-claude/streaming)
 * and adds up to a message, the way Anthropic's SDKs accumulate one.
 */
import { expect } from 'vitest';
import type { AnthropicEvent } from '../../../src/translate/stream.ts';

export type SseFixture = { source: string; sse: string[]; stopSequences?: string[] };

/** The fixture's bytes as the upstream sent them. */
export const sseText = (fixture: SseFixture): string => fixture.sse.join('\n');

/** The JSON chunks of a fixture's `data:` lines, `[DONE]` left out. */
export function chunksOf(fixture: SseFixture): unknown[] {
  return fixture.sse.filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]').map((line) => JSON.parse(line.slice(6)) as unknown);
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; json: string };
export type Accumulated = {
  id: string;
  model: string;
  startUsage: unknown;
  content: Array<{ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown }>;
  stop_reason: unknown;
  stop_sequence: unknown;
  usage: unknown;
};

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/**
 * Fails unless `events` are: one `message_start`; then each block in index order 0, 1, 2… as start, its
 * deltas (of its own kind), stop — never two open at once; then one `message_delta`; then `message_stop`.
 * Each event's `data.type` is its name. Returns the message the events add up to.
 */
export function accumulate(events: AnthropicEvent[]): Accumulated {
  for (const event of events) expect(event.data.type).toBe(event.event);
  const names = events.map((event) => event.event);
  expect(names[0]).toBe('message_start');
  expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
  expect(names.filter((name) => name === 'message_start' || name === 'message_delta' || name === 'message_stop')).toHaveLength(3);
  const message = record(events[0]?.data.message);
  const blocks: Block[] = [];
  let open: number | undefined;
  for (const event of events.slice(1, -2)) {
    const index = event.data.index;
    if (event.event === 'content_block_start') {
      expect(open, 'a block starts while another is open').toBeUndefined();
      expect(index).toBe(blocks.length);
      const block = record(event.data.content_block);
      if (block.type === 'text') {
        expect(block).toEqual({ type: 'text', text: '' });
        blocks.push({ type: 'text', text: '' });
      } else {
        expect(block).toEqual({ type: 'tool_use', id: expect.any(String), name: expect.any(String), input: {} });
        blocks.push({ type: 'tool_use', id: String(block.id), name: String(block.name), json: '' });
      }
      open = blocks.length - 1;
    } else if (event.event === 'content_block_delta') {
      expect(index, 'a delta for a block that is not open').toBe(open);
      const block = blocks[blocks.length - 1];
      const delta = record(event.data.delta);
      if (block?.type === 'text') {
        expect(delta.type).toBe('text_delta');
        block.text += String(delta.text);
      } else if (block?.type === 'tool_use') {
        expect(delta.type).toBe('input_json_delta');
        block.json += String(delta.partial_json);
      }
    } else {
      expect(event.event).toBe('content_block_stop');
      expect(index).toBe(open);
      open = undefined;
    }
  }
  expect(open, 'a block was never stopped').toBeUndefined();
  const last = events[events.length - 2]?.data ?? {};
  const delta = record(last.delta);
  return {
    id: String(message.id),
    model: String(message.model),
    startUsage: message.usage,
    content: blocks.map((block) => (block.type === 'text' ? block : { type: 'tool_use', id: block.id, name: block.name, input: JSON.parse(block.json === '' ? '{}' : block.json) as unknown })),
    stop_reason: delta.stop_reason,
    stop_sequence: delta.stop_sequence,
    usage: last.usage,
  };
}
