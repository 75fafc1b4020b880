import { describe, expect, it } from 'vitest';
import { chatClient, chatOwner } from '../../../../src/translate/chat/index.ts';
import { failure } from '../../../../src/translate/failure.ts';
import bodies from '../../../fixtures/translate/error-bodies.json';

describe('chat owner: error bodies → failures, the message word for word', () => {
  it.each([
    [429, bodies.openai429, 'rate_limit', bodies.openai429.error.message],
    [401, bodies.openai401, 'authentication', bodies.openai401.error.message],
    [400, bodies.gemini400, 'invalid_request', 'Invalid JSON payload received. Unknown name "user": Cannot find field.'],
    [404, bodies.ollama404, 'not_found', 'model "llama9" not found, try pulling it first'],
    [422, bodies.fastapi422, 'invalid_request', 'max_tokens must be at least 1'],
    [500, { error: 'llama runner process has terminated' }, 'api_error', 'llama runner process has terminated'],
    [503, { message: 'Service Unavailable' }, 'overloaded', 'Service Unavailable'],
  ])('reads a %i body', (status, body, kind, message) => {
    expect(chatOwner.readError(status, JSON.stringify(body))).toStrictEqual({ status, kind, message });
  });

  it('reads plain text as the message, and says the status when the body is empty', () => {
    expect(chatOwner.readError(502, '<html>Bad Gateway</html>\n')).toStrictEqual({ status: 502, kind: 'api_error', message: '<html>Bad Gateway</html>' });
    expect(chatOwner.readError(504, '')).toStrictEqual({ status: 504, kind: 'timeout', message: 'the upstream answered 504' });
  });
});

describe('chat client: failures → OpenAI error bodies', () => {
  it.each([
    [400, 'invalid_request_error', 'invalid_request'],
    [401, 'authentication_error', 'authentication'],
    [403, 'permission_error', 'permission'],
    [404, 'not_found_error', 'not_found'],
    [413, 'invalid_request_error', 'request_too_large'],
    [429, 'rate_limit_error', 'rate_limit_exceeded'],
    [529, 'server_error', 'overloaded'],
    [500, 'server_error', 'upstream_error'],
  ])('writes a %i as type %s, code %s, with the status and the message word for word', (status, type, code) => {
    const message = 'prompt is too long: 210000 tokens > 200000 maximum';
    const written = chatClient.writeError(failure(status, message));
    expect(written.status).toBe(status);
    expect(JSON.parse(written.body)).toStrictEqual({ error: { message, type, param: null, code } });
  });
});
