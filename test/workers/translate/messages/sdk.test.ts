/**
 * The Messages client writers checked by Anthropic's own TypeScript SDK: its stream accumulator, its
 * whole-answer parsing and its error classes read what the writers produce (the SDK's fetch is handed the
 * writer's bytes instead of calling a server).
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { failure } from '../../../../src/translate/failure.ts';
import type { Event } from '../../../../src/translate/ir.ts';
import { messagesClient } from '../../../../src/translate/messages/index.ts';
import { contextFor } from './support.ts';

function sdk(body: string, status: number, contentType: string): Anthropic {
  return new Anthropic({ apiKey: 'test', maxRetries: 0, fetch: async () => new Response(body, { status, headers: { 'content-type': contentType } }) });
}

const params = { model: 'claude-alias', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe("Anthropic's SDK reads what the Messages writers write", () => {
  it('accumulates a stream with thinking, text and interleaved parallel calls into the final message', async () => {
    const writer = messagesClient.streamWriter(contextFor({ reasoning: { budgetTokens: 2048, includeText: true } }, { estimatedInputTokens: 30 }));
    const events: Event[] = [
      { type: 'start', id: 'chatcmpl-1' },
      { type: 'reasoning', text: 'Two lookups.' },
      { type: 'text', text: 'Checking ' },
      { type: 'tool_call', index: 0, id: 'call_a', name: 'weather', arguments: '{"city":' },
      { type: 'tool_call', index: 1, id: 'call_b', name: 'time', arguments: '{"tz":"UTC"}' },
      { type: 'text', text: 'both.' },
      { type: 'tool_call', index: 0, arguments: '"Paris"}' },
      { type: 'stop', reason: 'tool_use' },
      { type: 'usage', usage: { input: 25, output: 40, cacheRead: 5 } },
      { type: 'done' },
    ];
    const text = [writer.ping?.() ?? '', writer.write(events.slice(0, 4)), writer.write(events.slice(4))].join('');
    const message = await sdk(text, 200, 'text/event-stream').messages.stream(params).finalMessage();
    expect(message.id).toBe('msg_chatcmpl1');
    expect(message.model).toBe('claude-alias');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Two lookups.', signature: '' },
      { type: 'text', text: 'Checking ' },
      { type: 'tool_use', id: 'call_a', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_b', name: 'time', input: { tz: 'UTC' } },
      // Text that came while the calls were open is a block of its own after them.
      { type: 'text', text: 'both.' },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 25, output_tokens: 40, cache_read_input_tokens: 5 });
  });

  it('raises an in-stream error with the owner message word for word', async () => {
    const writer = messagesClient.streamWriter(contextFor());
    const text = writer.write([{ type: 'start' }, { type: 'text', text: 'Hel' }, { type: 'error', failure: failure(529, 'Overloaded') }]);
    await expect(sdk(text, 200, 'text/event-stream').messages.stream(params).finalMessage()).rejects.toThrow(/Overloaded/);
  });

  it('parses a whole answer', async () => {
    const body = messagesClient.writeAnswer({ id: 'x1', parts: [{ type: 'text', text: 'Hello' }, { type: 'tool_call', id: 'c', name: 'f', arguments: '{"a":1}' }], stop: 'tool_use', usage: { input: 3, output: 4 } }, contextFor({ stream: false }));
    const message = await sdk(JSON.stringify(body), 200, 'application/json').messages.create(params);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello' }, { type: 'tool_use', id: 'c', name: 'f', input: { a: 1 } }]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it.each([[400, Anthropic.BadRequestError], [401, Anthropic.AuthenticationError], [429, Anthropic.RateLimitError], [529, Anthropic.InternalServerError]])('raises status %i as its error class with the message', async (status, type) => {
    const error = messagesClient.writeError(failure(status, 'prompt is too long: 210000 tokens > 200000 maximum'));
    const call = sdk(error.body, error.status, 'application/json').messages.create(params);
    await expect(call).rejects.toBeInstanceOf(type);
    await expect(sdk(error.body, error.status, 'application/json').messages.create(params)).rejects.toThrow('prompt is too long: 210000 tokens > 200000 maximum');
  });
});
