import { describe, expect, it } from 'vitest';
import type { AnswerContext } from '../../../../src/translate/codec.ts';
import { failure } from '../../../../src/translate/failure.ts';
import { foreignSignatureOut } from '../../../../src/translate/gemini/answer.ts';
import { geminiClient, geminiOwner } from '../../../../src/translate/gemini/index.ts';
import type { Answer, Request } from '../../../../src/translate/ir.ts';

const request = (overrides: Partial<Request> = {}): Request => ({ system: [], messages: [], stream: false, ...overrides });
const context = (overrides: Partial<Request> = {}): AnswerContext => ({ model: 'my-alias', request: request(overrides), now: 1_700_000_000, randomId: 'rnd123' });

/** A gemini-2.5-flash answer with thoughts, text and a call, as the API returns it (usage: 104 thought tokens outside candidatesTokenCount). */
const geminiAnswer = {
  candidates: [{
    content: { parts: [
      { text: '**Checking**\n\nLook up the weather.', thought: true },
      { text: 'Let me check. ' },
      { text: 'One moment.' },
      { functionCall: { name: 'getWeather', args: { location: 'Tokyo' } }, thoughtSignature: 'CikBcsjafFK1' },
    ], role: 'model' },
    finishReason: 'STOP', index: 0, finishMessage: 'Model generated function call(s).',
  }],
  usageMetadata: { promptTokenCount: 1083, candidatesTokenCount: 14, totalTokenCount: 1201, cachedContentTokenCount: 1000, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1083 }], thoughtsTokenCount: 104 },
  modelVersion: 'gemini-2.5-flash',
  responseId: 'qpc2afWVFJK4vr0Pq6WiyAU',
};

describe('Gemini owner: reading an answer', () => {
  it('reads thoughts, text, calls (args as JSON text, a made-up id) and usage the internal way round', () => {
    expect(geminiOwner.readAnswer(geminiAnswer, request())).toEqual({
      id: 'qpc2afWVFJK4vr0Pq6WiyAU',
      parts: [
        { type: 'reasoning', text: '**Checking**\n\nLook up the weather.' },
        { type: 'text', text: 'Let me check. One moment.' },
        { type: 'tool_call', id: 'call_qpc2afWVFJK4vr0Pq6WiyAU_0', name: 'getWeather', arguments: '{"location":"Tokyo"}', signature: 'CikBcsjafFK1' },
      ],
      stop: 'tool_use',
      usage: { input: 83, cacheRead: 1000, output: 118, reasoning: 104 },
    });
  });

  it('maps finish reasons: STOP, MAX_TOKENS, SAFETY and kin to refusal, MALFORMED_FUNCTION_CALL to other; a blocked prompt is a refusal', () => {
    const stop = (finishReason: string) => {
      const answer = geminiOwner.readAnswer({ candidates: [{ content: { parts: [{ text: 'x' }], role: 'model' }, finishReason, index: 0 }] }, request());
      return 'stop' in answer ? answer.stop : answer;
    };
    expect(['STOP', 'MAX_TOKENS', 'SAFETY', 'RECITATION', 'PROHIBITED_CONTENT', 'SPII', 'BLOCKLIST', 'MALFORMED_FUNCTION_CALL', 'OTHER'].map(stop)).toEqual(['end', 'max_tokens', 'refusal', 'refusal', 'refusal', 'refusal', 'refusal', 'other', 'other']);
    const blocked = geminiOwner.readAnswer({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } }, request());
    expect(blocked).toEqual({ parts: [], stop: 'refusal', usage: { input: 8, output: 0 } });
  });

  it('reads an error inside a 200 as a failure, the message word for word', () => {
    expect(geminiOwner.readAnswer({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }, request())).toEqual({ status: 429, kind: 'rate_limit', message: 'Resource has been exhausted (e.g. check quota).' });
  });
});

describe('Gemini client: writing an answer', () => {
  const answer: Answer = {
    id: 'msg_01',
    parts: [
      { type: 'reasoning', text: 'Thinking about it.', signature: 'sig-a' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_call', id: 'toolu_9', name: 'weather', arguments: '{"city":"Oslo"}' },
    ],
    stop: 'tool_use',
    usage: { input: 20, cacheRead: 100, cacheWrite: 5, output: 50, reasoning: 30 },
  };

  it('writes a GenerateContentResponse: parts, STOP for calls, usage Gemini\'s way round, the asked model name', () => {
    expect(geminiClient.writeAnswer(answer, context())).toEqual({
      candidates: [{ content: { parts: [{ text: 'Checking.' }, { functionCall: { id: 'toolu_9', name: 'weather', args: { city: 'Oslo' } } }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 125, cachedContentTokenCount: 100, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 175 },
      modelVersion: 'my-alias',
      responseId: 'msg_01',
    });
  });

  it('writes thought parts only when includeThoughts was asked', () => {
    const redacted: Answer = { ...answer, parts: [{ type: 'reasoning', text: '', redacted: 'EmwKAhgB' }, ...answer.parts] };
    const body = geminiClient.writeAnswer(redacted, context({ reasoning: { effort: 'high', includeText: true } }));
    expect((body.candidates as Array<{ content: { parts: unknown[] } }>)[0]?.content.parts.slice(0, 2)).toEqual([{ text: 'Thinking about it.', thought: true, thoughtSignature: foreignSignatureOut('sig-a') }, { text: 'Checking.' }]);
  });

  it('maps stop reasons to finishReason', () => {
    const finish = (stop: Answer['stop']) => (geminiClient.writeAnswer({ parts: [], stop }, context()).candidates as Array<{ finishReason: string }>)[0]?.finishReason;
    expect((['end', 'stop_sequence', 'max_tokens', 'refusal', 'other'] as const).map(finish)).toEqual(['STOP', 'STOP', 'MAX_TOKENS', 'SAFETY', 'OTHER']);
  });
});

describe('Gemini errors', () => {
  it('reads the message word for word, from the object and the array form', () => {
    const body = { error: { code: 400, message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' } };
    expect(geminiOwner.readError(400, JSON.stringify(body))).toEqual({ status: 400, kind: 'invalid_request', message: body.error.message });
    expect(geminiOwner.readError(503, JSON.stringify([{ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }]))).toEqual({ status: 503, kind: 'overloaded', message: 'The model is overloaded. Please try again later.' });
    expect(geminiOwner.readError(502, '<html>Bad Gateway</html>')).toEqual({ status: 502, kind: 'api_error', message: '<html>Bad Gateway</html>' });
  });

  it('writes Google\'s shape with its status names, the message untouched', () => {
    const write = (status: number, message: string) => geminiClient.writeError(failure(status, message));
    expect(write(400, 'prompt is too long: 210000 tokens > 200000 maximum')).toEqual({ status: 400, body: '{"error":{"code":400,"message":"prompt is too long: 210000 tokens > 200000 maximum","status":"INVALID_ARGUMENT"}}' });
    expect(JSON.parse(write(401, 'invalid x-api-key').body)).toEqual({ error: { code: 401, message: 'invalid x-api-key', status: 'UNAUTHENTICATED' } });
    expect(JSON.parse(write(403, 'no').body).error.status).toBe('PERMISSION_DENIED');
    expect(JSON.parse(write(404, 'no model').body).error.status).toBe('NOT_FOUND');
    expect(JSON.parse(write(429, 'slow down').body).error.status).toBe('RESOURCE_EXHAUSTED');
    expect(write(529, 'Overloaded')).toEqual({ status: 503, body: '{"error":{"code":503,"message":"Overloaded","status":"UNAVAILABLE"}}' });
    expect(JSON.parse(write(504, 'late').body).error.status).toBe('DEADLINE_EXCEEDED');
    expect(JSON.parse(write(500, 'boom').body).error.status).toBe('INTERNAL');
  });
});
