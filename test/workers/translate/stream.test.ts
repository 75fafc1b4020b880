import { describe, expect, it } from 'vitest';
import { chatStreamToMessages, CUT_SHORT, type AnthropicEvent } from '../../../src/translate/stream.ts';
import groq from '../../fixtures/translate/groq-tool.json';
import ollama from '../../fixtures/translate/ollama-tools.json';
import cutShort from '../../fixtures/translate/openai-cut-short.json';
import midError from '../../fixtures/translate/openai-error-midstream.json';
import interleaved from '../../fixtures/translate/openai-parallel-interleaved.json';
import text from '../../fixtures/translate/openai-text.json';
import toolSplit from '../../fixtures/translate/openai-tool-split.json';
import vllm from '../../fixtures/translate/vllm-stop.json';
import { accumulate, chunksOf, type SseFixture } from './support.ts';

/** Every event the translator emits for the fixture's chunks, push by push, then `end()`. */
function run(fixture: SseFixture, facts = {}): { events: AnthropicEvent[]; perPush: AnthropicEvent[][] } {
  const translator = chatStreamToMessages('claude-sonnet-4-5', facts);
  const perPush = chunksOf(fixture).map((chunk) => translator.push(chunk));
  const events = [...perPush.flat(), ...translator.end()];
  return { events, perPush };
}

describe('chatStreamToMessages: OpenAI chunks → Anthropic stream events', () => {
  it('streams OpenAI text in the documented order, each piece as it comes, usage from the last chunk', () => {
    const { events, perPush } = run(text);
    const message = accumulate(events);
    expect(message.content).toStrictEqual([{ type: 'text', text: 'Hello! How can I help you today? ☀️' }]);
    expect(message.model).toBe('claude-sonnet-4-5');
    expect(message.id).toBe('msg_chatcmplCZx1aQ3jv8Kp2Wm7Rb9TnYe4LsHd');
    expect([message.stop_reason, message.stop_sequence]).toStrictEqual(['end_turn', null]);
    expect(message.startUsage).toStrictEqual({ input_tokens: 0, output_tokens: 0 });
    expect(message.usage).toStrictEqual({ input_tokens: 19, output_tokens: 9 });
    // Not buffered: the first chunk (role, empty text) starts the message; "Hello" opens the block and is sent at once.
    expect(perPush[0]?.map((event) => event.event)).toStrictEqual(['message_start']);
    expect(perPush[1]?.map((event) => event.event)).toStrictEqual(['content_block_start', 'content_block_delta']);
    expect(perPush[2]).toStrictEqual([{ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '! How' } } }]);
    // The usage chunk (choices: []) ends the message; end() has nothing left to say.
    expect(perPush[perPush.length - 1]?.map((event) => event.event)).toStrictEqual(['message_delta', 'message_stop']);
  });

  it('puts an estimate into message_start when given, and the upstream count into message_delta', () => {
    const message = accumulate(run(text, { estimatedInputTokens: 25 }).events);
    expect(message.startUsage).toStrictEqual({ input_tokens: 25, output_tokens: 0 });
    expect(message.usage).toStrictEqual({ input_tokens: 19, output_tokens: 9 });
  });

  it('streams a tool call whose arguments arrive in many chunks as input_json_delta pieces that add up', () => {
    const { events, perPush } = run(toolSplit);
    const message = accumulate(events);
    expect(message.content).toStrictEqual([{ type: 'tool_use', id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toStrictEqual({ input_tokens: 18, output_tokens: 18, cache_read_input_tokens: 64 });
    // Each argument piece is its own delta, sent when it arrives.
    const pieces = events.filter((event) => event.event === 'content_block_delta');
    expect(pieces).toHaveLength(13);
    expect(perPush[3]).toStrictEqual([{ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '":"' } } }]);
  });

  it('keeps text then two parallel calls interleaved by index apart, in Anthropic order, one block open at a time', () => {
    const message = accumulate(run(interleaved).events);
    expect(message.content).toStrictEqual([
      { type: 'text', text: 'Checking both cities.' },
      { type: 'tool_use', id: 'call_Paris0aX1', name: 'get_weather', input: { city: 'Paris "FR}" {x}' } },
      { type: 'tool_use', id: 'call_Tokyo1bY2', name: 'get_weather', input: { city: 'Tokyo' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toStrictEqual({ input_tokens: 120, output_tokens: 41 });
  });

  it('reads Ollama\'s chunks: content "" beside whole tool calls, usage chunk after the finish', () => {
    const message = accumulate(run(ollama).events);
    expect(message.content).toStrictEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'call_a1b2c3d4', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_e5f6g7h8', name: 'get_time', input: { zone: 'Europe/Paris' } },
    ]);
    expect(message.id).toBe('msg_chatcmpl417');
    expect(message.usage).toStrictEqual({ input_tokens: 211, output_tokens: 37 });
  });

  it('opens a new tool_use block for a new id at an index already used (parallel calls sent whole, each at index 0)', () => {
    const call = (id: string, city: string) => ({ id: 'c', choices: [{ index: 0, delta: { role: 'assistant', content: '', tool_calls: [{ id, index: 0, type: 'function', function: { name: 'get_weather', arguments: `{"city":"${city}"}` } }] }, finish_reason: null }] });
    const translator = chatStreamToMessages('m');
    const events = [call('call_1', 'Paris'), call('call_2', 'Rome'), { id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }]
      .flatMap((chunk) => translator.push(chunk)).concat(translator.end());
    expect(accumulate(events).content).toStrictEqual([
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
    ]);
  });

  it('reads Groq\'s usage from x_groq on the finish chunk', () => {
    const message = accumulate(run(groq).events);
    expect(message.content).toStrictEqual([{ type: 'tool_use', id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', name: 'test-tool', input: { value: 'Sparkle Day' } }]);
    expect(message.usage).toStrictEqual({ input_tokens: 18, output_tokens: 439 });
  });

  it('reports the stop sequence vLLM names, and the prompt count its first chunk already carries', () => {
    const message = accumulate(run(vllm, { stopSequences: vllm.stopSequences }).events);
    expect([message.stop_reason, message.stop_sequence]).toStrictEqual(['stop_sequence', 'END']);
    expect(message.startUsage).toStrictEqual({ input_tokens: 31, output_tokens: 0 });
    expect(message.usage).toStrictEqual({ input_tokens: 31, output_tokens: 8 });
  });

  it('reports a stop sequence that ends the streamed text, even split across chunks, and end_turn when none does', () => {
    const chunk = (content: string, finish: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish }] });
    const translator = chatStreamToMessages('m', { stopSequences: ['</answer>'] });
    const events = [chunk('42 </ans'), chunk('wer>'), chunk('', 'stop')].flatMap((c) => translator.push(c)).concat(translator.end());
    expect(accumulate(events).stop_sequence).toBe('</answer>');
    const plain = chatStreamToMessages('m', { stopSequences: ['</answer>'] });
    const more = [chunk('42'), chunk('', 'stop')].flatMap((c) => plain.push(c)).concat(plain.end());
    expect([accumulate(more).stop_reason, accumulate(more).stop_sequence]).toStrictEqual(['end_turn', null]);
  });

  it.each([['length', 'max_tokens'], ['content_filter', 'refusal'], ['stop', 'end_turn']])('maps a streamed finish_reason %s to %s', (finish, stop) => {
    const translator = chatStreamToMessages('m');
    const events = [
      { id: 'c', choices: [{ index: 0, delta: { role: 'assistant', content: 'x' }, finish_reason: null }] },
      { id: 'c', choices: [{ index: 0, delta: {}, finish_reason: finish }] },
    ].flatMap((c) => translator.push(c)).concat(translator.end());
    expect(accumulate(events).stop_reason).toBe(stop);
  });

  it('answers an error object mid-stream with an Anthropic error event, keeping the message, and nothing after', () => {
    const { events } = run(midError);
    const last = events[events.length - 1];
    expect(last).toStrictEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: 'The server had an error while processing your request. Sorry about that!' } } });
    expect(events.filter((event) => event.event === 'message_stop')).toHaveLength(0);
  });

  it('answers a stream that ends without finish_reason with an error event', () => {
    const { events } = run(cutShort);
    expect(events.map((event) => event.event)).toStrictEqual(['message_start', 'content_block_start', 'content_block_delta', 'error']);
    expect(events[3]?.data).toStrictEqual({ type: 'error', error: { type: 'api_error', message: CUT_SHORT } });
  });

  it('keeps two whole calls sent with neither index nor id as two tool_use blocks', () => {
    const translator = chatStreamToMessages('m');
    const call = (name: string, args: string) => ({ choices: [{ index: 0, delta: { tool_calls: [{ type: 'function', function: { name, arguments: args } }] }, finish_reason: null }] });
    const events = [call('get_weather', '{"city":"Paris"}'), call('get_time', '{"zone":"CET"}'), { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }].flatMap((c) => translator.push(c)).concat(translator.end());
    const message = accumulate(events);
    expect(message.content).toStrictEqual([
      { type: 'tool_use', id: expect.any(String), name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: expect.any(String), name: 'get_time', input: { zone: 'CET' } },
    ]);
  });

  it('redacts a configured secret that an upstream’s mid-stream error repeats', () => {
    const translator = chatStreamToMessages('m', { secrets: ['sk-provider-secret-0123456789'] });
    const [event] = translator.push({ error: { message: 'invalid key sk-provider-secret-0123456789 for this org' } });
    expect(JSON.stringify(event)).not.toContain('sk-provider-secret-0123456789');
    expect(event?.data).toStrictEqual({ type: 'error', error: { type: 'api_error', message: 'invalid key [redacted] for this org' } });
  });

  it('types a mid-stream error by its numeric code', () => {
    const translator = chatStreamToMessages('m');
    expect(translator.push({ error: { message: 'slow down', code: 429 } })).toStrictEqual([{ event: 'error', data: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } }]);
    expect(translator.end()).toStrictEqual([]);
  });
});
