import { describe, expect, it } from 'vitest';
import type { Event } from '../../../../src/translate/ir.ts';
import { messagesClient, messagesOwner } from '../../../../src/translate/messages/index.ts';
import { CUT_SHORT } from '../../../../src/translate/messages/stream-reader.ts';
import cache from '../../../fixtures/translate/messages/anthropic-cache.json';
import overloaded from '../../../fixtures/translate/messages/anthropic-error-overloaded.json';
import recordedTool from '../../../fixtures/translate/messages/anthropic-recorded-tool.json';
import text from '../../../fixtures/translate/messages/anthropic-text.json';
import thinking from '../../../fixtures/translate/messages/anthropic-thinking.json';
import toolUse from '../../../fixtures/translate/messages/anthropic-tool-use.json';
import { accumulate, contextFor, dataOf, frames, type SseFixture } from './support.ts';

const request = { system: [], messages: [], stream: true };

/** A fixture through the owner's stream reader: every event, `end()` included. */
function readAll(fixture: SseFixture): Event[] {
  const reader = messagesOwner.streamReader(request);
  return [...dataOf(fixture).flatMap((data) => reader.push(data)), ...reader.end()];
}

/** Checks the guarantees of ir.ts's `Event`: start first, stop at most once, done or error last. */
function checkGuarantees(events: Event[]): void {
  expect(events[0]?.type).toBe('start');
  expect(events.filter((event) => event.type === 'stop').length).toBeLessThanOrEqual(1);
  const last = events[events.length - 1];
  expect(['done', 'error']).toContain(last?.type);
  expect(events.filter((event) => event.type === 'done' || event.type === 'error')).toHaveLength(1);
}

const textOf = (events: Event[], type: 'text' | 'reasoning'): string => events.map((event) => (event.type === type ? event.text : '')).join('');

describe('streamReader: an Anthropic owner', () => {
  it('reads text, ignores ping, ends with usage, stop and done', () => {
    const events = readAll(text);
    checkGuarantees(events);
    expect(events[0]).toEqual({ type: 'start', id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', usage: { input: 25, output: 1 } });
    expect(textOf(events, 'text')).toBe('Hello!');
    expect(events.slice(-3)).toEqual([{ type: 'usage', usage: { input: 25, output: 15 } }, { type: 'stop', reason: 'end' }, { type: 'done' }]);
  });

  it('reads a tool call: id and name first, the input_json_delta pieces concatenating to its JSON', () => {
    const events = readAll(toolUse);
    checkGuarantees(events);
    const calls = events.filter((event) => event.type === 'tool_call');
    expect(calls[0]).toEqual({ type: 'tool_call', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '' });
    expect(calls.every((call) => call.type === 'tool_call' && call.index === 0)).toBe(true);
    expect(JSON.parse(calls.map((call) => (call.type === 'tool_call' ? call.arguments : '')).join(''))).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(textOf(events, 'text')).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(events).toContainEqual({ type: 'stop', reason: 'tool_use' });
  });

  it('reads thinking text and its signature', () => {
    const events = readAll(thinking);
    checkGuarantees(events);
    expect(textOf(events, 'reasoning')).toBe('I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21');
    expect(events).toContainEqual({ type: 'reasoning', text: '', signature: expect.stringMatching(/^EqQBCgIYAhIM/) });
    expect(textOf(events, 'text')).toBe('The greatest common divisor of 1071 and 462 is **21**.');
  });

  it('reads cache reads and writes, and the stop sequence', () => {
    const events = readAll(cache);
    expect(events[0]).toMatchObject({ usage: { input: 21, output: 1, cacheRead: 2048, cacheWrite: 188 } });
    expect(events).toContainEqual({ type: 'usage', usage: { input: 21, output: 9, cacheRead: 2048, cacheWrite: 188 } });
    expect(events).toContainEqual({ type: 'stop', reason: 'stop_sequence', stopSequence: '4' });
  });

  it('reads a recorded stream (Haiku 4.5, tool only, ping between deltas)', () => {
    const events = readAll(recordedTool);
    checkGuarantees(events);
    const args = events.map((event) => (event.type === 'tool_call' ? event.arguments : '')).join('');
    expect(JSON.parse(args)).toEqual({ elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] });
    expect(events).toContainEqual({ type: 'usage', usage: { input: 849, output: 47, cacheRead: 0, cacheWrite: 0 } });
  });

  it('reads an error event as a failure with the message word for word, nothing after', () => {
    const events = readAll(overloaded);
    checkGuarantees(events);
    expect(events[events.length - 1]).toEqual({ type: 'error', failure: { status: 529, kind: 'overloaded', message: 'Overloaded' } });
  });

  it('a body cut short ends in an error; unknown events and non-JSON are skipped', () => {
    const reader = messagesOwner.streamReader(request);
    const events = [...reader.push('{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3,"output_tokens":0}}}'), ...reader.push('{"type":"brand_new_event"}'), ...reader.push('not json'), ...reader.end()];
    expect(events).toEqual([{ type: 'start', id: 'msg_1', usage: { input: 3, output: 0 } }, { type: 'error', failure: { status: 502, kind: 'api_error', message: CUT_SHORT } }]);
  });

  it('gives each of two tool_use blocks its own index; a call whose input came whole in its start is sent at its stop', () => {
    const reader = messagesOwner.streamReader(request);
    const pushes = [
      '{"type":"message_start","message":{"id":"msg_2","usage":{"input_tokens":1,"output_tokens":0}}}',
      '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_a","name":"a","input":{}}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}',
      '{"type":"content_block_stop","index":0}',
      '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_b","name":"b","input":{"x":1}}}',
      '{"type":"content_block_stop","index":1}',
    ];
    const events = pushes.flatMap((data) => reader.push(data));
    expect(events.filter((event) => event.type === 'tool_call')).toEqual([
      { type: 'tool_call', index: 0, id: 'toolu_a', name: 'a', arguments: '' },
      { type: 'tool_call', index: 0, arguments: '{}' },
      { type: 'tool_call', index: 1, id: 'toolu_b', name: 'b', arguments: '' },
      { type: 'tool_call', index: 1, arguments: '{"x":1}' },
    ]);
  });
});

describe('streamWriter: a Messages client', () => {
  it('writes text and a tool call as Anthropic events, message_start with the estimate, message_delta with usage', () => {
    const writer = messagesClient.streamWriter(contextFor({}, { estimatedInputTokens: 12 }));
    const out = writer.write([
      { type: 'start', id: 'chatcmpl-9x' },
      { type: 'text', text: 'Hi' },
      { type: 'text', text: ' there' },
      { type: 'tool_call', index: 0, id: 'call_1', name: 'f', arguments: '{"a"' },
      { type: 'tool_call', index: 0, arguments: ':1}' },
      { type: 'stop', reason: 'tool_use' },
      { type: 'usage', usage: { input: 10, output: 5, cacheRead: 4 } },
      { type: 'done' },
    ]);
    const message = accumulate(frames(out));
    expect(message.id).toBe('msg_chatcmpl9x');
    expect(message.model).toBe('claude-alias');
    expect(message.startUsage).toEqual({ input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
    expect(message.content).toEqual([{ type: 'text', text: 'Hi there' }, { type: 'tool_use', id: 'call_1', name: 'f', json: '{"a":1}' }]);
    expect(message.stopReason).toBe('tool_use');
    expect(message.usage).toEqual({ input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 5 });
  });

  it('opens no block for empty text or reasoning pieces', () => {
    const writer = messagesClient.streamWriter(contextFor({ reasoning: { effort: 'high', includeText: true } }));
    const out = writer.write([{ type: 'start' }, { type: 'text', text: '' }, { type: 'reasoning', text: '' }, { type: 'tool_call', index: 0, id: 'a', name: 'f', arguments: '' }, { type: 'text', text: '' }, { type: 'stop', reason: 'tool_use' }, { type: 'done' }]);
    // A call that never got arguments gets `{}`: its input must be an object.
    expect(accumulate(frames(out)).content).toEqual([{ type: 'tool_use', id: 'a', name: 'f', json: '{}' }]);
  });

  it('holds an interleaved parallel call until the head call closes its JSON', () => {
    const writer = messagesClient.streamWriter(contextFor());
    const first = writer.write([{ type: 'start' }, { type: 'tool_call', index: 0, id: 'a', name: 'fa', arguments: '{"q":"x}' }, { type: 'tool_call', index: 1, id: 'b', name: 'fb', arguments: '{"r":' }]);
    // The second call has not started: only the first is on the wire.
    expect(first).not.toContain('"id":"b"');
    const rest = writer.write([{ type: 'tool_call', index: 1, arguments: '2}' }, { type: 'tool_call', index: 0, arguments: '"}' }, { type: 'stop', reason: 'tool_use' }, { type: 'done' }]);
    const message = accumulate(frames(first + rest));
    expect(message.content).toEqual([{ type: 'tool_use', id: 'a', name: 'fa', json: '{"q":"x}"}' }, { type: 'tool_use', id: 'b', name: 'fb', json: '{"r":2}' }]);
  });

  it('writes thinking blocks only when the request asked for thinking text, with an empty signature', () => {
    const events: Event[] = [{ type: 'start' }, { type: 'reasoning', text: 'think' }, { type: 'text', text: 'ans' }, { type: 'reasoning', text: 'more' }, { type: 'stop', reason: 'end' }, { type: 'done' }];
    const shown = accumulate(frames(messagesClient.streamWriter(contextFor({ reasoning: { effort: 'high', includeText: true } })).write(events)));
    expect(shown.content).toEqual([{ type: 'thinking', thinking: 'think', signature: '' }, { type: 'text', text: 'ans' }, { type: 'thinking', thinking: 'more', signature: '' }]);
    const omitted = accumulate(frames(messagesClient.streamWriter(contextFor({ reasoning: { effort: 'high', includeText: false } })).write(events)));
    expect(omitted.content).toEqual([{ type: 'text', text: 'ans' }]);
    const none = accumulate(frames(messagesClient.streamWriter(contextFor()).write(events)));
    expect(none.content).toEqual([{ type: 'text', text: 'ans' }]);
    // output_config.effort alone turns no thinking on: Anthropic would send no thinking blocks.
    const effortOnly = accumulate(frames(messagesClient.streamWriter(contextFor({ reasoning: { effort: 'high' } })).write(events)));
    expect(effortOnly.content).toEqual([{ type: 'text', text: 'ans' }]);
  });

  it('maps stop reasons: stop sequence named, max_tokens, pause, an end after calls is tool_use', () => {
    const run = (events: Event[]) => accumulate(frames(messagesClient.streamWriter(contextFor()).write([{ type: 'start' }, ...events, { type: 'done' }])));
    expect(run([{ type: 'text', text: 'a' }, { type: 'stop', reason: 'stop_sequence', stopSequence: 'END' }])).toMatchObject({ stopReason: 'stop_sequence', stopSequence: 'END' });
    expect(run([{ type: 'text', text: 'a' }, { type: 'stop', reason: 'max_tokens' }])).toMatchObject({ stopReason: 'max_tokens', stopSequence: null });
    expect(run([{ type: 'stop', reason: 'pause' }]).stopReason).toBe('pause_turn');
    expect(run([{ type: 'tool_call', index: 0, id: 'c', name: 'f', arguments: '{}' }, { type: 'stop', reason: 'end' }]).stopReason).toBe('tool_use');
    expect(run([{ type: 'text', text: 'a' }]).stopReason).toBe('end_turn');
  });

  it('writes an error as event: error with the message word for word, and nothing after', () => {
    const writer = messagesClient.streamWriter(contextFor());
    const out = writer.write([{ type: 'start' }, { type: 'text', text: 'par' }, { type: 'error', failure: { status: 400, kind: 'invalid_request', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }, { type: 'text', text: 'late' }]);
    const message = accumulate(frames(out));
    expect(message.error).toEqual({ type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' });
    expect(writer.write([{ type: 'done' }])).toBe('');
    expect(writer.ping?.()).toBe('');
  });

  it('ping is the documented keep-alive', () => {
    expect(messagesClient.streamWriter(contextFor()).ping?.()).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(messagesClient.streamContentType).toMatch(/^text\/event-stream/);
  });
});

describe('round trip: an Anthropic stream through the reader and the writer', () => {
  it.each([['text', text], ['tool use', toolUse], ['thinking', thinking], ['cache', cache]])('%s reproduces the blocks, stop and usage', (_name, fixture) => {
    const reader = messagesOwner.streamReader(request);
    const writer = messagesClient.streamWriter(contextFor({ reasoning: { effort: 'high', includeText: true } }));
    let out = '';
    for (const data of dataOf(fixture)) out += writer.write(reader.push(data));
    out += writer.write(reader.end());
    const original = accumulate(frames(`${fixture.sse.join('\n')}\n`));
    const copy = accumulate(frames(out));
    // Signatures cannot be carried to a client of a translated answer: they are left empty.
    expect(copy.content).toEqual(original.content.map((block) => (block.type === 'thinking' ? { ...block, signature: '' } : block)));
    expect(copy.stopReason).toBe(original.stopReason);
    expect(copy.stopSequence).toBe(original.stopSequence);
    expect((copy.usage as Record<string, unknown>).output_tokens).toBe((original.usage as Record<string, unknown>).output_tokens);
    expect(copy.id).toBe(original.id);
  });
});
