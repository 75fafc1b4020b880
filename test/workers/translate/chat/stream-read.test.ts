import { describe, expect, it } from 'vitest';
import { chatOwner } from '../../../../src/translate/chat/index.ts';
import { CUT_SHORT, NOT_JSON } from '../../../../src/translate/chat/stream-read.ts';
import type { Event } from '../../../../src/translate/ir.ts';
import groq from '../../../fixtures/translate/groq-tool.json';
import ollama from '../../../fixtures/translate/ollama-tools.json';
import cutShort from '../../../fixtures/translate/openai-cut-short.json';
import midError from '../../../fixtures/translate/openai-error-midstream.json';
import interleaved from '../../../fixtures/translate/openai-parallel-interleaved.json';
import text from '../../../fixtures/translate/openai-text.json';
import toolSplit from '../../../fixtures/translate/openai-tool-split.json';
import vllm from '../../../fixtures/translate/vllm-stop.json';
import bare from '../../../fixtures/translate/chat/bare-calls.json';
import deepseek from '../../../fixtures/translate/chat/deepseek-reasoner.json';
import ollamaReused from '../../../fixtures/translate/chat/ollama-index-reused.json';
import openaiReasoning from '../../../fixtures/translate/chat/openai-reasoning-usage.json';
import vllmReasoning from '../../../fixtures/translate/chat/vllm-reasoning-tool.json';
import { readStream, request } from './support.ts';

/** The calls the events add up to, by index, checking id and name come on each call's first event. */
function calls(events: Event[]): Array<{ index: number; id?: string; name?: string; arguments: string }> {
  const out = new Map<number, { index: number; id?: string; name?: string; arguments: string }>();
  for (const event of events) {
    if (event.type !== 'tool_call') continue;
    const known = out.get(event.index);
    if (known === undefined) {
      expect(event.id, 'id on the first event of a call').toBeTruthy();
      expect(event.name, 'name on the first event of a call').toBeTruthy();
      out.set(event.index, { index: event.index, id: event.id, name: event.name, arguments: event.arguments });
    } else {
      known.arguments += event.arguments;
    }
  }
  return [...out.values()];
}

const joined = (events: Event[], type: 'text' | 'reasoning'): string => events.flatMap((event) => (event.type === type ? [event.text] : [])).join('');
const lastUsage = (events: Event[]) => events.filter((event) => event.type === 'usage').at(-1);

/** Fails unless `start` is first, at most one `stop`, and the stream ends in exactly one `done` or `error`. */
function expectShape(events: Event[], end: 'done' | 'error'): void {
  expect(events[0]?.type).toBe('start');
  expect(events.filter((event) => event.type === 'start')).toHaveLength(1);
  expect(events.filter((event) => event.type === 'stop').length).toBeLessThanOrEqual(1);
  expect(events.at(-1)?.type).toBe(end);
  expect(events.filter((event) => event.type === 'done' || event.type === 'error')).toHaveLength(1);
}

describe('chat owner stream reader: recorded OpenAI-compatible streams → events', () => {
  it('reads OpenAI text: start with the id, each piece as it comes, stop, usage from the last chunk, done', () => {
    const events = readStream(text);
    expectShape(events, 'done');
    expect(events[0]).toStrictEqual({ type: 'start', id: 'chatcmpl-CZx1aQ3jv8Kp2Wm7Rb9TnYe4LsHd' });
    expect(events.filter((event) => event.type === 'text').map((event) => event.type === 'text' && event.text)).toStrictEqual(['Hello', '! How', ' can I help', ' you today? ☀️']);
    expect(events.slice(-3)).toStrictEqual([{ type: 'stop', reason: 'end' }, { type: 'usage', usage: { input: 19, output: 9 } }, { type: 'done' }]);
  });

  it('gives each push its events at once: nothing waits for the next chunk', () => {
    const reader = chatOwner.streamReader(request());
    const [, second] = text.sse.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
    reader.push(text.sse[0]?.slice(6) ?? '');
    expect(reader.push(second ?? '')).toStrictEqual([{ type: 'text', text: 'Hello' }]);
  });

  it('reads a tool call whose arguments come in pieces, with cached prompt tokens out of input', () => {
    const events = readStream(toolSplit);
    expectShape(events, 'done');
    const [call] = calls(events);
    expect(call?.id).toBe('call_DdmO9pD3xa9XTPNJ32zg2hcA');
    expect(call?.name).toBe('get_weather');
    expect(JSON.parse(call?.arguments ?? '')).toStrictEqual({ location: 'San Francisco, CA', unit: 'celsius' });
    expect(events.find((event) => event.type === 'stop')).toStrictEqual({ type: 'stop', reason: 'tool_use' });
    const usage = lastUsage(events);
    expect(usage?.type === 'usage' && usage.usage.cacheRead).toBeGreaterThan(0);
  });

  it('keeps interleaved parallel calls apart by index, escaped quotes and braces inside strings included', () => {
    const events = readStream(interleaved);
    expect(joined(events, 'text')).toBe('Checking both cities.');
    expect(calls(events).map((call) => [call.index, call.id, JSON.parse(call.arguments)])).toStrictEqual([
      [0, 'call_Paris0aX1', { city: 'Paris "FR}" {x}' }],
      [1, 'call_Tokyo1bY2', { city: 'Tokyo' }],
    ]);
  });

  it('reads Ollama whole calls and the usage chunk that repeats the finish', () => {
    const events = readStream(ollama);
    expectShape(events, 'done');
    expect(calls(events).map((call) => [call.index, call.id, call.name])).toStrictEqual([[0, 'call_a1b2c3d4', 'get_weather'], [1, 'call_e5f6g7h8', 'get_time']]);
    expect(lastUsage(events)).toStrictEqual({ type: 'usage', usage: { input: 211, output: 37 } });
  });

  it('gives Ollama calls that reuse index 0 with new ids their own indexes, and a stop after calls is tool_use', () => {
    const events = readStream(ollamaReused);
    expect(calls(events).map((call) => [call.index, call.id, call.arguments])).toStrictEqual([
      [0, 'call_x1y2z3a4', '{"city":"Paris"}'],
      [1, 'call_b5c6d7e8', '{"city":"Tokyo"}'],
    ]);
    expect(events.find((event) => event.type === 'stop')).toStrictEqual({ type: 'stop', reason: 'tool_use' });
  });

  it('opens a new call for a new id at a known index even when the first call sent "" for its arguments', () => {
    const reader = chatOwner.streamReader(request());
    const call = (id: string, name: string, args: string) => JSON.stringify({ id: 'chatcmpl-1', choices: [{ index: 0, delta: { tool_calls: [{ id, index: 0, type: 'function', function: { name, arguments: args } }] }, finish_reason: null }] });
    const events = [...reader.push(call('call_a', 'get_time', '')), ...reader.push(call('call_b', 'get_date', '{}'))];
    expect(calls(events).map((entry) => [entry.index, entry.id, entry.name, entry.arguments])).toStrictEqual([[0, 'call_a', 'get_time', ''], [1, 'call_b', 'get_date', '{}']]);
  });

  it('splits whole calls with neither index nor id at the name after a closed call, making ids up', () => {
    const events = readStream(bare);
    expectShape(events, 'done');
    const read = calls(events);
    expect(read.map((call) => [call.index, call.name, call.arguments])).toStrictEqual([[0, 'read_file', '{"path":"a.txt"}'], [1, 'read_file', '{"path":"b.txt"}']]);
    expect(new Set(read.map((call) => call.id)).size).toBe(2);
  });

  it("reads Groq's usage from x_groq.usage on the finish chunk", () => {
    const events = readStream(groq);
    expectShape(events, 'done');
    expect(lastUsage(events)).toStrictEqual({ type: 'usage', usage: { input: 18, output: 439 } });
  });

  it("reads vLLM's usage from the first chunk on, and the stop string it names", () => {
    const events = readStream(vllm);
    expectShape(events, 'done');
    expect(events[0]).toMatchObject({ type: 'start', usage: { input: 31, output: 0 } });
    expect(events.find((event) => event.type === 'stop')).toStrictEqual({ type: 'stop', reason: 'stop_sequence', stopSequence: 'END' });
    expect(lastUsage(events)).toStrictEqual({ type: 'usage', usage: { input: 31, output: 8 } });
  });

  it('sees a stop sequence that ends the text when the owner only says stop', () => {
    const reader = chatOwner.streamReader(request({ stop: ['###'] }));
    const chunk = (delta: object, finish: string | null) => JSON.stringify({ id: 'x', choices: [{ index: 0, delta, finish_reason: finish }] });
    const events = [...reader.push(chunk({ content: 'done #' }, null)), ...reader.push(chunk({ content: '##' }, 'stop')), ...reader.push('[DONE]')];
    expect(events.find((event) => event.type === 'stop')).toStrictEqual({ type: 'stop', reason: 'stop_sequence', stopSequence: '###' });
  });

  it('reads DeepSeek reasoning_content as reasoning, then text, with cache hits and reasoning tokens', () => {
    const events = readStream(deepseek);
    expectShape(events, 'done');
    expect(joined(events, 'reasoning')).toBe('Okay, the user wrote "hello". I should greet them back.');
    expect(joined(events, 'text')).toBe('Hello! How can I assist you today?');
    const firstText = events.findIndex((event) => event.type === 'text');
    expect(events.slice(firstText).some((event) => event.type === 'reasoning')).toBe(false);
    expect(lastUsage(events)).toStrictEqual({ type: 'usage', usage: { input: 6, output: 92, cacheRead: 64, reasoning: 81 } });
  });

  it("reads vLLM's reasoning field, then a call with its name before its arguments", () => {
    const events = readStream(vllmReasoning);
    expect(joined(events, 'reasoning')).toBe('The user wants the weather in Paris; I will call get_weather.');
    expect(calls(events)).toStrictEqual([{ index: 0, id: 'chatcmpl-tool-5d1f3a', name: 'get_weather', arguments: '{"city": "Paris"}' }]);
    expect(lastUsage(events)).toStrictEqual({ type: 'usage', usage: { input: 242, output: 59 } });
  });

  it("reads OpenAI's cached and reasoning tokens from the usage chunk", () => {
    expect(lastUsage(readStream(openaiReasoning))).toStrictEqual({ type: 'usage', usage: { input: 200, output: 212, cacheRead: 1280, reasoning: 192 } });
  });

  it('ends in error with the message word for word when an error object comes mid-stream, and ignores what follows', () => {
    const events = readStream(midError);
    expectShape(events, 'error');
    expect(events.at(-1)).toStrictEqual({ type: 'error', failure: { status: 500, kind: 'api_error', message: 'The server had an error while processing your request. Sorry about that!' } });
  });

  it('takes the status an in-stream error names', () => {
    const reader = chatOwner.streamReader(request());
    const events = reader.push('{"error":{"message":"Rate limit reached","type":"tokens","code":"rate_limit_exceeded"}}');
    expect(events).toStrictEqual([{ type: 'start' }, { type: 'error', failure: { status: 429, kind: 'rate_limit', message: 'Rate limit reached' } }]);
    expect(reader.push('[DONE]')).toStrictEqual([]);
    expect(reader.end()).toStrictEqual([]);
  });

  it('ends in error when the body stops before a finish_reason', () => {
    const events = readStream(cutShort);
    expectShape(events, 'error');
    expect(events.at(-1)).toMatchObject({ type: 'error', failure: { status: 502, message: CUT_SHORT } });
  });

  it('ends in error on an event that is not JSON', () => {
    const reader = chatOwner.streamReader(request());
    reader.push(JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] }));
    expect(reader.push('<html>502 Bad Gateway</html>')).toStrictEqual([{ type: 'error', failure: { status: 502, kind: 'api_error', message: NOT_JSON } }]);
    expect(reader.end()).toStrictEqual([]);
  });

  it('finishes at [DONE] even when the owner never named a finish reason', () => {
    const reader = chatOwner.streamReader(request());
    const events = [...reader.push(JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content: 'ok' } }] })), ...reader.push('[DONE]')];
    expect(events.slice(-2)).toStrictEqual([{ type: 'stop', reason: 'end' }, { type: 'done' }]);
  });

  it('reads a refusal delta as text and maps length and content_filter', () => {
    const reader = chatOwner.streamReader(request());
    const events = reader.push(JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { refusal: "I can't help with that." }, finish_reason: 'content_filter' }] }));
    expect(events.slice(1)).toStrictEqual([{ type: 'text', text: "I can't help with that." }, { type: 'stop', reason: 'refusal' }]);
    const long = chatOwner.streamReader(request());
    expect(long.push(JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })).at(-1)).toStrictEqual({ type: 'stop', reason: 'max_tokens' });
  });
});
