import { describe, expect, it } from 'vitest';
import { estimateInputTokens, TOKENS_PER_IMAGE, TOKENS_PER_MESSAGE } from '../../../src/translate/count-tokens.ts';
import { chatErrorToAnthropic } from '../../../src/translate/errors.ts';
import bodies from '../../fixtures/translate/error-bodies.json';

const parsed = (status: number, body: unknown, secrets: string[] = []) =>
  JSON.parse(chatErrorToAnthropic(status, typeof body === 'string' ? body : JSON.stringify(body), secrets)) as unknown;

describe('chatErrorToAnthropic: upstream error body → Anthropic error body', () => {
  it('keeps OpenAI\'s message and types a 429 as rate_limit_error', () => {
    expect(parsed(429, bodies.openai429)).toStrictEqual({ type: 'error', error: { type: 'rate_limit_error', message: bodies.openai429.error.message } });
  });

  it('reads Gemini\'s array, Ollama\'s and FastAPI\'s shapes, and plain text', () => {
    expect(parsed(400, bodies.gemini400)).toStrictEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'Invalid JSON payload received. Unknown name "user": Cannot find field.' } });
    expect(parsed(404, bodies.ollama404)).toStrictEqual({ type: 'error', error: { type: 'not_found_error', message: 'model "llama9" not found, try pulling it first' } });
    expect(parsed(422, bodies.fastapi422)).toStrictEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens must be at least 1' } });
    expect(parsed(502, '<html>Bad Gateway</html>\n')).toStrictEqual({ type: 'error', error: { type: 'api_error', message: '<html>Bad Gateway</html>' } });
    expect(parsed(500, '')).toStrictEqual({ type: 'error', error: { type: 'api_error', message: 'the upstream answered 500' } });
  });

  it.each([
    [400, 'invalid_request_error'], [401, 'authentication_error'], [403, 'permission_error'], [404, 'not_found_error'],
    [413, 'request_too_large'], [429, 'rate_limit_error'], [503, 'overloaded_error'], [529, 'overloaded_error'],
    [500, 'api_error'], [502, 'api_error'], [409, 'invalid_request_error'],
  ])('types status %i as %s', (status, type) => {
    expect(parsed(status, { error: { message: 'm' } })).toStrictEqual({ type: 'error', error: { type, message: 'm' } });
  });

  it('redacts the provider key an upstream echoes and strips control characters', () => {
    const key = 'sk-proj-abcdefghijklmnop';
    const body = { error: { message: `Incorrect API key provided: ${key}.\n\u001b[31m` } };
    expect(parsed(401, body, [key])).toStrictEqual({ type: 'error', error: { type: 'authentication_error', message: 'Incorrect API key provided: [redacted].[31m' } });
  });
});

describe('estimateInputTokens: a documented estimate, not a count', () => {
  it('counts about four characters a token over system, text, tool calls, tool results and tool definitions', () => {
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' } }];
    const request = {
      system: 'x'.repeat(40),
      tools,
      messages: [
        { role: 'user', content: 'y'.repeat(80) },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'not sent, not counted', signature: 's' }, { type: 'tool_use', id: 't', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'z'.repeat(20) }] }] },
      ],
    };
    const chars = 40 + 80 + 'get_weather'.length + '{"city":"Paris"}'.length + 20 + JSON.stringify(tools).length;
    expect(estimateInputTokens(request)).toBe(Math.ceil(chars / 4) + 3 * TOKENS_PER_MESSAGE);
  });

  it('counts a fixed cost per image, wherever it is', () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(10_000) } };
    const request = { messages: [{ role: 'user', content: [image, { type: 'tool_result', tool_use_id: 't', content: [image] }] }] };
    expect(estimateInputTokens(request)).toBe(2 * TOKENS_PER_IMAGE + TOKENS_PER_MESSAGE);
  });

  it('is at least 1, even for nonsense', () => {
    expect(estimateInputTokens(null)).toBe(1);
    expect(estimateInputTokens({ messages: [] })).toBe(1);
  });
});
