/**
 * @module A call's id or name arriving after its first piece: the reader's events still give each call one
 * index, with its id and name on its first event (ir.ts), and its arguments whole.
 */
import { describe, expect, it } from 'vitest';
import { chatOwner } from '../../../../src/translate/chat/index.ts';
import type { Event } from '../../../../src/translate/ir.ts';
import { request } from './support.ts';

const head = { id: 'chatcmpl-late', object: 'chat.completion.chunk', created: 1764650000, model: 'some-model' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: finish }] });
const call = (fields: Record<string, unknown>) => chunk({ tool_calls: [{ index: 0, ...fields }] });

function read(datas: string[]): Event[] {
  const reader = chatOwner.streamReader(request());
  return [...datas.flatMap((data) => reader.push(data)), ...reader.end()];
}

const toolEvents = (events: Event[]) => events.filter((event) => event.type === 'tool_call');

describe('chat stream reader: late call fields', () => {
  it('a name after the first piece: one call, its first event named, its arguments whole', () => {
    const events = read([
      chunk({ role: 'assistant', content: null }),
      call({ id: 'call_1', type: 'function', function: { arguments: '' } }),
      call({ function: { name: 'get_weather', arguments: '{"city":' } }),
      call({ function: { arguments: '"Paris"}' } }),
      chunk({}, 'tool_calls'),
      '[DONE]',
    ]);
    expect(toolEvents(events)).toStrictEqual([
      { type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":' },
      { type: 'tool_call', index: 0, arguments: '"Paris"}' },
    ]);
    expect(events.at(-2)).toStrictEqual({ type: 'stop', reason: 'tool_use' });
  });

  it('an id after the first pieces is the same call, not a new one', () => {
    const events = read([
      call({ type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }),
      call({ id: 'call_late', function: { arguments: '"Paris"}' } }),
      chunk({}, 'tool_calls'),
      '[DONE]',
    ]);
    const tools = toolEvents(events);
    expect(new Set(tools.map((event) => event.type === 'tool_call' && event.index))).toStrictEqual(new Set([0]));
    expect(tools.map((event) => (event.type === 'tool_call' ? event.arguments : '')).join('')).toBe('{"city":"Paris"}');
  });

  it('a name that never comes: the call still goes out (nameless) before the stop', () => {
    const events = read([call({ id: 'call_1', function: { arguments: '{}' } }), chunk({}, 'tool_calls'), '[DONE]']);
    expect(events.slice(-3)).toStrictEqual([{ type: 'tool_call', index: 0, id: 'call_1', name: '', arguments: '{}' }, { type: 'stop', reason: 'tool_use' }, { type: 'done' }]);
  });
});
