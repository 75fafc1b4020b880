/**
 * @module Test helpers for the Responses writer: its SSE text as events, and a checker that the events
 * follow OpenAI's documented order (https://platform.openai.com/docs/api-reference/responses-streaming)
 * and add up to the response the last event carries, the way the SDKs accumulate one.
 */
import { expect } from 'vitest';
import type { AnswerContext } from '../../../../src/translate/codec.ts';
import type { Request } from '../../../../src/translate/ir.ts';

export type Data = Record<string, unknown>;
export type SseEvent = { event: string; data: Data };

export function context(request: Partial<Request> = {}): AnswerContext {
  return { model: 'claude-alias', request: { system: [], messages: [], stream: true, ...request }, now: 1_765_552_659, randomId: 'a1b2c3' };
}

const record = (value: unknown): Data => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Data) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** `event: <type>\ndata: <json>\n\n` blocks as events; fails on any other framing. */
export function parseSse(text: string): SseEvent[] {
  if (text === '') return [];
  expect(text.endsWith('\n\n')).toBe(true);
  return text.slice(0, -2).split('\n\n').map((block) => {
    const match = /^event: ([^\n]+)\ndata: ([^\n]+)$/.exec(block);
    if (!match) throw new Error(`not one event: ${block}`);
    return { event: match[1] ?? '', data: record(JSON.parse(match[2] ?? 'null')) };
  });
}

type Built = { id: string; type: string; text: string; args: string; done: boolean };

/**
 * Fails unless: each event's name is its `type`; `sequence_number` counts from 0; `response.created` and
 * `response.in_progress` come first and a terminal event last (nothing after it); every item is added
 * at the next `output_index` with no content yet, gets its deltas only while open, and its `.done` events repeat what the
 * deltas added up to; the terminal response's output is exactly the items as their `output_item.done`
 * gave them. Returns that response.
 */
export function assemble(events: SseEvent[]): Data {
  events.forEach(({ event, data }, index) => {
    expect(data.type).toBe(event);
    expect(data.sequence_number).toBe(index);
  });
  expect(events.slice(0, 2).map((event) => event.event)).toEqual(['response.created', 'response.in_progress']);
  const last = events.at(-1)?.event ?? '';
  expect(['response.completed', 'response.incomplete', 'response.failed']).toContain(last);
  const items: Built[] = [];
  const finals: Data[] = [];
  const open = (data: Data): Built => {
    const item = items[Number(data.output_index)];
    if (!item || item.done) throw new Error(`event for an item that is not open: ${JSON.stringify(data)}`);
    expect(data.item_id).toBe(item.id);
    return item;
  };
  for (const { event, data } of events.slice(2, -1)) {
    switch (event) {
      case 'response.output_item.added': {
        expect(data.output_index).toBe(items.length);
        const item = record(data.item);
        // Announced empty: its content comes in its own events (OpenAI's SDKs append parts at the next index).
        if (item.type === 'message') expect(item.content).toEqual([]);
        if (item.type === 'reasoning') expect(item.summary).toEqual([]);
        if (item.type === 'function_call') expect(item.arguments).toBe('');
        items.push({ id: String(item.id), type: String(item.type), text: '', args: String(item.arguments ?? ''), done: false });
        break;
      }
      case 'response.output_text.delta':
      case 'response.reasoning_summary_text.delta':
        open(data).text += String(data.delta);
        break;
      case 'response.function_call_arguments.delta':
        open(data).args += String(data.delta);
        break;
      case 'response.output_text.done':
      case 'response.reasoning_summary_text.done':
        expect(data.text).toBe(open(data).text);
        break;
      case 'response.function_call_arguments.done':
        expect(data.arguments).toBe(open(data).args);
        break;
      case 'response.output_item.done': {
        const built = items[Number(data.output_index)];
        const item = record(data.item);
        if (!built || built.done) throw new Error('done for an item that is not open');
        expect(item.id).toBe(built.id);
        if (built.type === 'function_call') expect(item.arguments).toBe(built.args);
        if (built.type === 'message') expect(record(list(item.content)[0]).text).toBe(built.text);
        if (built.type === 'reasoning') expect(record(list(item.summary)[0]).text).toBe(built.text);
        built.done = true;
        finals[Number(data.output_index)] = item;
        break;
      }
      case 'error':
        break;
      default:
        open(data); // content_part / summary_part added and done: for an open item
    }
  }
  const response = record(events.at(-1)?.data.response);
  if (last !== 'response.failed') {
    expect(items.every((item) => item.done)).toBe(true);
    expect(response.output).toEqual(finals);
  }
  return response;
}

/** The fixture's event types with each run of deltas collapsed to one, for comparing orders. */
export function skeleton(types: string[]): string[] {
  return types.filter((type, index) => !(type.endsWith('.delta') && types[index - 1] === type));
}
