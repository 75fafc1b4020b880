import { describe, expect, it } from 'vitest';
import { failure } from '../../../../src/translate/failure.ts';
import type { Answer } from '../../../../src/translate/ir.ts';
import { messagesClient, messagesOwner } from '../../../../src/translate/messages/index.ts';
import { contextFor } from './support.ts';

const request = { system: [], messages: [], stream: false };

describe('writeAnswer: a Messages client', () => {
  it('writes text, tool_use with input parsed ({} when not an object), stop reason and full usage', () => {
    const answer: Answer = {
      id: 'chatcmpl-abc',
      parts: [{ type: 'reasoning', text: 'hidden' }, { type: 'text', text: 'Let me look.' }, { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"a":[1]}' }, { type: 'tool_call', id: 'call_2', name: 'g', arguments: '[1]' }],
      stop: 'tool_use',
      usage: { input: 10, output: 20, cacheRead: 5, cacheWrite: 2, reasoning: 7 },
    };
    expect(messagesClient.writeAnswer(answer, contextFor())).toEqual({
      id: 'msg_chatcmplabc',
      type: 'message',
      role: 'assistant',
      model: 'claude-alias',
      content: [{ type: 'text', text: 'Let me look.' }, { type: 'tool_use', id: 'call_1', name: 'f', input: { a: [1] } }, { type: 'tool_use', id: 'call_2', name: 'g', input: {} }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, cache_creation_input_tokens: 2, cache_read_input_tokens: 5, output_tokens: 20 },
    });
  });

  it('writes thinking (empty signature) only when asked, the stop sequence, a random id when the owner gave none', () => {
    const answer: Answer = { parts: [{ type: 'reasoning', text: 'why' }, { type: 'text', text: 'so' }], stop: 'stop_sequence', stopSequence: '##' };
    const written = messagesClient.writeAnswer(answer, contextFor({ reasoning: { budgetTokens: 2000, includeText: true } }, { estimatedInputTokens: 9 }));
    expect(written).toMatchObject({ id: 'msg_R4nd0m', content: [{ type: 'thinking', thinking: 'why', signature: '' }, { type: 'text', text: 'so' }], stop_reason: 'stop_sequence', stop_sequence: '##' });
    expect(written.usage).toMatchObject({ input_tokens: 9, output_tokens: 0 });
    expect(messagesClient.writeAnswer({ parts: [], stop: 'refusal' }, contextFor()).stop_reason).toBe('refusal');
    expect(messagesClient.writeAnswer({ parts: [], stop: 'other' }, contextFor()).stop_reason).toBe('end_turn');
  });
});

describe('readAnswer: an Anthropic owner', () => {
  it('reads text, tool_use, thinking with signature, redacted thinking, stop and cache usage; drops server tool blocks', () => {
    const body = {
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL', type: 'message', role: 'assistant', model: 'claude-opus-4-6',
      content: [
        { type: 'thinking', thinking: 'plan', signature: 'SIG' },
        { type: 'redacted_thinking', data: 'ENC' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
        { type: 'text', text: 'Hi', citations: [{ type: 'web_search_result_location' }] },
        { type: 'tool_use', id: 'toolu_1', name: 'get', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use', stop_sequence: null,
      usage: { input_tokens: 11, cache_creation_input_tokens: 3, cache_read_input_tokens: 100, output_tokens: 40, service_tier: 'standard' },
    };
    expect(messagesOwner.readAnswer(body, request)).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      parts: [
        { type: 'reasoning', text: 'plan', signature: 'SIG' },
        { type: 'reasoning', text: '', redacted: 'ENC' },
        { type: 'text', text: 'Hi' },
        { type: 'tool_call', id: 'toolu_1', name: 'get', arguments: '{"city":"Paris"}' },
      ],
      stop: 'tool_use',
      usage: { input: 11, output: 40, cacheRead: 100, cacheWrite: 3 },
    });
  });

  it('maps every stop reason', () => {
    const stop = (reason: string) => (messagesOwner.readAnswer({ type: 'message', content: [], stop_reason: reason, stop_sequence: reason === 'stop_sequence' ? 'X' : null }, request) as Answer);
    expect(stop('end_turn').stop).toBe('end');
    expect(stop('max_tokens').stop).toBe('max_tokens');
    expect(stop('stop_sequence')).toMatchObject({ stop: 'stop_sequence', stopSequence: 'X' });
    expect(stop('refusal').stop).toBe('refusal');
    expect(stop('pause_turn').stop).toBe('pause');
    expect(stop('model_context_window_exceeded').stop).toBe('max_tokens');
    expect(stop('something_new').stop).toBe('other');
  });

  it('an error body inside a 200 is a failure', () => {
    expect(messagesOwner.readAnswer({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, request)).toEqual({ status: 529, kind: 'overloaded', message: 'Overloaded' });
  });
});

describe('errors', () => {
  it("reads an Anthropic error body's message word for word", () => {
    const body = '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 215002 tokens > 200000 maximum"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}';
    expect(messagesOwner.readError(400, body)).toEqual({ status: 400, kind: 'invalid_request', message: 'prompt is too long: 215002 tokens > 200000 maximum' });
    expect(messagesOwner.readError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toEqual({ status: 529, kind: 'overloaded', message: 'Overloaded' });
    expect(messagesOwner.readError(502, '<html>Bad gateway</html>').message).toBe('<html>Bad gateway</html>');
    expect(messagesOwner.readError(403, '{"message":"Forbidden"}').message).toBe('Forbidden');
    expect(messagesOwner.readError(500, '').message).toBe('the upstream answered 500');
  });

  it.each([
    [400, 'invalid_request_error'], [401, 'authentication_error'], [402, 'billing_error'], [403, 'permission_error'],
    [404, 'not_found_error'], [413, 'request_too_large'], [429, 'rate_limit_error'], [500, 'api_error'],
    [503, 'overloaded_error'], [504, 'timeout_error'], [529, 'overloaded_error'], [422, 'invalid_request_error'], [502, 'api_error'],
  ])('writes status %i as %s, the message word for word', (status, type) => {
    const written = messagesClient.writeError(failure(status, 'prompt is too long: 1 > 0'));
    expect(written.status).toBe(status);
    expect(JSON.parse(written.body)).toEqual({ type: 'error', error: { type, message: 'prompt is too long: 1 > 0' } });
  });
});
