import { describe, expect, it } from 'vitest';
import { chatClient } from '../../../../src/translate/chat/index.ts';
import type { Event } from '../../../../src/translate/ir.ts';
import midError from '../../../fixtures/translate/openai-error-midstream.json';
import interleaved from '../../../fixtures/translate/openai-parallel-interleaved.json';
import deepseek from '../../../fixtures/translate/chat/deepseek-reasoner.json';
import { accumulateChat, context, readStream, request } from './support.ts';

/** The events written one at a time, as the pipe hands them over. */
function write(events: Event[], streamUsage = false): string {
  const writer = chatClient.streamWriter(context({ request: request({ streamUsage }) }));
  return events.map((event) => writer.write([event])).join('');
}

describe('chat client stream writer: events → chat.completion.chunk SSE', () => {
  it('writes a role chunk, content deltas, the finish chunk and [DONE], with the asked-for model and created', () => {
    const out = write([{ type: 'start', id: 'msg_01XFDUDYJgAACzvnptvVoYEL' }, { type: 'text', text: 'Hello' }, { type: 'text', text: ' there' }, { type: 'stop', reason: 'end' }, { type: 'usage', usage: { input: 5, output: 2 } }, { type: 'done' }]);
    const message = accumulateChat(out);
    expect(message).toMatchObject({ id: 'chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL', model: 'claude-sonnet-4-5', created: 1764650000, content: 'Hello there', finish: 'stop', done: true, usage: undefined });
    expect(out.split('\n\n')[1]).toBe('data: {"id":"chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL","object":"chat.completion.chunk","created":1764650000,"model":"claude-sonnet-4-5","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}');
  });

  it('writes the usage chunk with choices [] only when the client asked (stream_options.include_usage), a usage after stop included', () => {
    const events: Event[] = [{ type: 'start' }, { type: 'text', text: 'x' }, { type: 'stop', reason: 'max_tokens' }, { type: 'usage', usage: { input: 10, output: 7, cacheRead: 100, cacheWrite: 20, reasoning: 3 } }, { type: 'done' }];
    const message = accumulateChat(write(events, true));
    expect(message.finish).toBe('length');
    expect(message.usage).toStrictEqual({ prompt_tokens: 130, completion_tokens: 7, total_tokens: 137, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 3 } });
    expect(message.id).toBe('chatcmpl-r4nd0m');
    expect(write(events, false)).not.toContain('"usage"');
  });

  it('streams reasoning as reasoning_content deltas, also when it comes after text', () => {
    const message = accumulateChat(write([{ type: 'start' }, { type: 'reasoning', text: 'Let me think.', signature: 'sig' }, { type: 'text', text: 'A' }, { type: 'reasoning', text: ' More.' }, { type: 'stop', reason: 'end' }, { type: 'done' }]));
    expect([message.reasoning, message.content]).toStrictEqual(['Let me think. More.', 'A']);
  });

  it('streams interleaved parallel calls as they come: id, type and name first, argument pieces by index', () => {
    const events: Event[] = [
      { type: 'start' },
      { type: 'tool_call', index: 3, id: 'toolu_a', name: 'get_weather', arguments: '' },
      { type: 'tool_call', index: 3, arguments: '{"city":' },
      { type: 'tool_call', index: 7, id: 'toolu_b', name: 'get_time', arguments: '{"zone"' },
      { type: 'tool_call', index: 3, arguments: '"Paris"}' },
      { type: 'tool_call', index: 7, arguments: ':"UTC"}' },
      { type: 'stop', reason: 'tool_use' },
      { type: 'done' },
    ];
    const writer = chatClient.streamWriter(context());
    const perEvent = events.map((event) => writer.write([event]));
    expect(perEvent.slice(1, 6).every((text) => text.startsWith('data: '))).toBe(true);
    const message = accumulateChat(perEvent.join(''));
    expect(message.toolCalls).toStrictEqual([
      { id: 'toolu_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'toolu_b', name: 'get_time', arguments: '{"zone":"UTC"}' },
    ]);
    expect(message.finish).toBe('tool_calls');
  });

  it('writes an error as data: {"error":…} with the message word for word, and ends without [DONE]', () => {
    const out = write([{ type: 'start' }, { type: 'text', text: 'Partial' }, { type: 'error', failure: { status: 529, kind: 'overloaded', message: 'Overloaded' } }, { type: 'done' }]);
    const message = accumulateChat(out);
    expect(message.error).toStrictEqual({ message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded' });
    expect(message.done).toBe(false);
    expect(message.finish).toBeUndefined();
  });

  it('adds a finish chunk when done comes without a stop, and writes nothing after the end', () => {
    const writer = chatClient.streamWriter(context());
    const out = writer.write([{ type: 'text', text: 'hi' }, { type: 'done' }]);
    expect(accumulateChat(out)).toMatchObject({ content: 'hi', finish: 'stop', done: true });
    expect(writer.write([{ type: 'text', text: 'late' }])).toBe('');
  });

  it('carries a recorded DeepSeek stream through the reader and the writer: reasoning, text, usage', () => {
    const events = readStream(deepseek, { streamUsage: true });
    const writer = chatClient.streamWriter(context({ request: request({ streamUsage: true }) }));
    const message = accumulateChat(writer.write(events));
    expect(message.reasoning).toBe('Okay, the user wrote "hello". I should greet them back.');
    expect(message.content).toBe('Hello! How can I assist you today?');
    expect(message.id).toBe('chatcmpl-43a31dda-92f6-4cdf-a333-bb399599a824');
    expect(message.usage).toMatchObject({ prompt_tokens: 70, completion_tokens: 92, prompt_tokens_details: { cached_tokens: 64 }, completion_tokens_details: { reasoning_tokens: 81 } });
  });

  it('carries recorded interleaved calls and a recorded mid-stream error through reader and writer', () => {
    const calls = accumulateChat(chatClient.streamWriter(context()).write(readStream(interleaved)));
    expect(calls.toolCalls.map((call) => JSON.parse(call.arguments))).toStrictEqual([{ city: 'Paris "FR}" {x}' }, { city: 'Tokyo' }]);
    const failed = accumulateChat(chatClient.streamWriter(context()).write(readStream(midError)));
    expect(failed).toMatchObject({ content: 'Partial', done: false, error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error' } });
  });

  it('says its stream is text/event-stream', () => {
    expect(chatClient.streamContentType).toBe('text/event-stream');
  });
});
