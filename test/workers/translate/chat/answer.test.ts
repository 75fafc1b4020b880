import { describe, expect, it } from 'vitest';
import { chatClient, chatOwner } from '../../../../src/translate/chat/index.ts';
import type { Answer } from '../../../../src/translate/ir.ts';
import ollama from '../../../fixtures/translate/ollama-completion.json';
import text from '../../../fixtures/translate/openai-completion-text.json';
import tools from '../../../fixtures/translate/openai-completion-tools.json';
import deepseek from '../../../fixtures/translate/chat/deepseek-completion.json';
import reasoning from '../../../fixtures/translate/chat/openai-completion-reasoning.json';
import { context, request } from './support.ts';

const read = (body: unknown, fields = {}) => chatOwner.readAnswer(body, request({ stream: false, ...fields }));

describe('chat owner: a whole chat.completion → the internal answer', () => {
  it('reads text, the stop and usage', () => {
    expect(read(text)).toStrictEqual({ id: 'chatcmpl-CZx9Hn2Kq4Wb7Ls1Rv8Tm3Yd6Pe', parts: [{ type: 'text', text: 'Hello! How can I help you today?' }], stop: 'end', usage: { input: 19, output: 9 } });
  });

  it('reads parallel tool calls in order, with cached tokens out of input', () => {
    const answer = read(tools);
    expect(answer).toMatchObject({ stop: 'tool_use', usage: { input: 18, output: 17, cacheRead: 64 } });
    expect('parts' in answer && answer.parts).toStrictEqual([
      { type: 'tool_call', id: 'call_12345xyz', name: 'get_weather', arguments: '{"location":"Paris, France"}' },
      { type: 'tool_call', id: 'call_67890abc', name: 'get_weather', arguments: '{"location":"Bogotá, Colombia"}' },
    ]);
  });

  it("reads Ollama's empty content beside a call as no text", () => {
    expect(read(ollama)).toMatchObject({ parts: [{ type: 'tool_call', id: 'call_q1w2e3r4', name: 'get_weather' }], stop: 'tool_use' });
  });

  it("reads DeepSeek's reasoning_content first, and OpenAI's reasoning tokens", () => {
    expect(read(deepseek)).toMatchObject({ parts: [{ type: 'reasoning', text: 'Okay, the user wrote "hello". I should respond in a friendly and welcoming manner.' }, { type: 'text', text: 'Hello! How can I assist you today?' }], usage: { input: 6, output: 92, reasoning: 81 } });
    expect(read(reasoning)).toMatchObject({ usage: { input: 200, output: 212, cacheRead: 1280, reasoning: 192 } });
  });

  it('reads a refusal as the text with a refusal stop, and a stop sequence named or ending the text', () => {
    const refusal = { id: 'x', choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I'm sorry, I can't help with that." }, finish_reason: 'stop' }] };
    expect(read(refusal)).toMatchObject({ parts: [{ type: 'text', text: "I'm sorry, I can't help with that." }], stop: 'refusal' });
    const named = { choices: [{ index: 0, message: { content: '1, 2' }, finish_reason: 'stop', stop_reason: 'END' }] };
    expect(read(named, { stop: ['END'] })).toMatchObject({ stop: 'stop_sequence', stopSequence: 'END' });
    const trailing = { choices: [{ index: 0, message: { content: 'done ###' }, finish_reason: 'stop' }] };
    expect(read(trailing, { stop: ['###'] })).toMatchObject({ stop: 'stop_sequence', stopSequence: '###' });
    expect(read({ choices: [{ index: 0, message: { content: 'cut' }, finish_reason: 'length' }] })).toMatchObject({ stop: 'max_tokens' });
  });

  it('reads an error object inside a 200 as a failure, word for word', () => {
    expect(read({ error: { message: 'Context length exceeded: 140000 > 128000', type: 'invalid_request_error', code: 400 } })).toStrictEqual({ status: 400, kind: 'invalid_request', message: 'Context length exceeded: 140000 > 128000' });
  });
});

describe('chat client: the internal answer → a chat.completion', () => {
  const answer: Answer = {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    parts: [
      { type: 'reasoning', text: 'They want weather.', signature: 'EqQB' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_call', id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', id: 'toolu_02', name: 'get_time', arguments: '' },
    ],
    stop: 'tool_use',
    usage: { input: 12, output: 40, cacheRead: 1000, cacheWrite: 50, reasoning: 25 },
  };

  it('writes text, reasoning_content, tool_calls, finish_reason and usage with every prompt token counted', () => {
    expect(chatClient.writeAnswer(answer, context())).toStrictEqual({
      id: 'chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      created: 1764650000,
      model: 'claude-sonnet-4-5',
      choices: [{
        index: 0,
        message: {
          role: 'assistant', content: 'Checking.', refusal: null, reasoning_content: 'They want weather.',
          tool_calls: [
            { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_02', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      }],
      usage: { prompt_tokens: 1062, completion_tokens: 40, total_tokens: 1102, prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 25 } },
    });
  });

  it('writes finish reasons for every stop, content null beside calls alone, and its own id when the owner gave none', () => {
    const finish = (stop: Answer['stop']) => (chatClient.writeAnswer({ parts: [{ type: 'text', text: 'x' }], stop }, context()).choices as Array<{ finish_reason: string }>)[0]?.finish_reason;
    expect(['end', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal', 'pause', 'other'].map((stop) => finish(stop as Answer['stop']))).toStrictEqual(['stop', 'stop', 'length', 'tool_calls', 'content_filter', 'stop', 'stop']);
    const calls = chatClient.writeAnswer({ parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }], stop: 'tool_use' }, context());
    expect(calls).toMatchObject({ id: 'chatcmpl-r4nd0m', choices: [{ message: { content: null } }] });
    expect(calls).not.toHaveProperty('usage');
  });
});
