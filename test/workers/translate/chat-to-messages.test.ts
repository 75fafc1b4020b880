import { describe, expect, it } from 'vitest';
import { chatToMessage } from '../../../src/translate/chat-to-messages.ts';
import ollama from '../../fixtures/translate/ollama-completion.json';
import text from '../../fixtures/translate/openai-completion-text.json';
import tools from '../../fixtures/translate/openai-completion-tools.json';

/** A one-choice completion with `message` and `finish_reason`, in OpenAI's shape. */
function completion(message: Record<string, unknown>, finish: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'x', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish, ...extra }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } };
}

describe('chatToMessage: OpenAI chat.completion → Anthropic message', () => {
  it('answers a text completion as a message with the client model id, a msg_ id, end_turn and usage', () => {
    expect(chatToMessage(text, 'claude-sonnet-4-5')).toStrictEqual({
      id: 'msg_chatcmplCZx9Hn2Kq4Wb7Ls1Rv8Tm3Yd6Pe',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 19, output_tokens: 9 },
    });
  });

  it('turns parallel tool_calls into tool_use blocks in order with parsed input, tool_use stop, and cached tokens apart', () => {
    const message = chatToMessage(tools, 'my-gpt');
    expect(message.content).toStrictEqual([
      { type: 'tool_use', id: 'call_12345xyz', name: 'get_weather', input: { location: 'Paris, France' } },
      { type: 'tool_use', id: 'call_67890abc', name: 'get_weather', input: { location: 'Bogotá, Colombia' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    // prompt_tokens 82 includes 64 cached: Anthropic counts them apart.
    expect(message.usage).toStrictEqual({ input_tokens: 18, output_tokens: 17, cache_read_input_tokens: 64 });
  });

  it('reads Ollama\'s completion (empty content beside tool calls)', () => {
    const message = chatToMessage(ollama, 'qwen');
    expect(message.content).toStrictEqual([{ type: 'tool_use', id: 'call_q1w2e3r4', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toStrictEqual({ input_tokens: 180, output_tokens: 22 });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
  ])('maps finish_reason %s to stop_reason %s', (finish, stop) => {
    expect(chatToMessage(completion({ content: 'x' }, finish), 'm').stop_reason).toBe(stop);
  });

  it('says tool_use when a server reports stop beside tool calls (older Ollama)', () => {
    const message = chatToMessage(completion({ content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, 'stop'), 'm');
    expect(message.stop_reason).toBe('tool_use');
  });

  it('reports stop_sequence only when the stop is known: named by the upstream (vLLM stop_reason) or ending the text', () => {
    const stops = { stopSequences: ['END', 'STOP'] };
    const named = chatToMessage(completion({ content: '1, 2, 3' }, 'stop', { stop_reason: 'STOP' }), 'm', stops);
    expect([named.stop_reason, named.stop_sequence]).toStrictEqual(['stop_sequence', 'STOP']);
    const trailing = chatToMessage(completion({ content: 'done END' }, 'stop'), 'm', stops);
    expect([trailing.stop_reason, trailing.stop_sequence]).toStrictEqual(['stop_sequence', 'END']);
    const unknown = chatToMessage(completion({ content: 'done' }, 'stop'), 'm', stops);
    expect([unknown.stop_reason, unknown.stop_sequence]).toStrictEqual(['end_turn', null]);
    // A vLLM token-id stop_reason (a number) or a stop the client did not ask for is no stop sequence.
    const token = chatToMessage(completion({ content: 'x' }, 'stop', { stop_reason: 128009 }), 'm', stops);
    expect(token.stop_reason).toBe('end_turn');
  });

  it('parses empty arguments as {} and keeps the call when the arguments are not a JSON object, with input {}', () => {
    const message = chatToMessage(completion({ content: null, tool_calls: [
      { id: 'a', type: 'function', function: { name: 'now', arguments: '' } },
      { id: 'b', type: 'function', function: { name: 'cut', arguments: '{"city":"Par' } },
      { id: 'c', type: 'function', function: { name: 'list', arguments: '[1,2]' } },
    ] }, 'tool_calls'), 'm');
    expect(message.content).toStrictEqual([
      { type: 'tool_use', id: 'a', name: 'now', input: {} },
      { type: 'tool_use', id: 'b', name: 'cut', input: {} },
      { type: 'tool_use', id: 'c', name: 'list', input: {} },
    ]);
  });

  it('answers a structured-output refusal as text with stop_reason refusal', () => {
    const message = chatToMessage(completion({ content: null, refusal: "I'm sorry, I can't help with that." }, 'stop'), 'm');
    expect(message.content).toStrictEqual([{ type: 'text', text: "I'm sorry, I can't help with that." }]);
    expect(message.stop_reason).toBe('refusal');
  });

  it('gives zero usage and a random msg_ id when the upstream sent neither', () => {
    const message = chatToMessage({ choices: [{ index: 0, message: { content: 'hi' }, finish_reason: 'stop' }] }, 'm');
    expect(message.usage).toStrictEqual({ input_tokens: 0, output_tokens: 0 });
    expect(message.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
