import { describe, expect, it } from 'vitest';
import type { Answer, Event } from '../../../../src/translate/ir.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import { responsesClient } from '../../../../src/translate/responses/index.ts';
import real from '../../../fixtures/translate/responses/openai-streams.json';
import { assemble, context, type Data, parseSse } from './support.ts';

const answer: Answer = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  parts: [
    { type: 'reasoning', text: 'Two cities.', signature: 'EqQBCkYIARgCIkD' },
    { type: 'text', text: 'Checking ' },
    { type: 'text', text: 'both.' },
    { type: 'tool_call', id: 'toolu_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'tool_call', id: 'toolu_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
  ],
  stop: 'tool_use',
  usage: { input: 20, output: 50, cacheRead: 1000, cacheWrite: 30, reasoning: 12 },
};

describe('writing a whole answer as a response', () => {
  it('writes reasoning, the text as one message, and each call, in order, with the usage OpenAI counts', () => {
    const response = responsesClient.writeAnswer(answer, context({ reasoning: { effort: 'low', includeText: true } }));
    expect(response).toMatchObject({ id: 'resp_msg01XFDUDYJgAACzvnptvVoYEL', object: 'response', created_at: 1_765_552_659, status: 'completed', model: 'claude-alias', error: null, incomplete_details: null, store: false });
    expect(response.output).toEqual([
      { id: 'rs_a1b2c30', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Two cities.' }] },
      { id: 'msg_a1b2c31', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Checking both.' }] },
      { id: 'fc_a1b2c32', type: 'function_call', status: 'completed', arguments: '{"city":"Paris"}', call_id: 'toolu_paris', name: 'get_weather' },
      { id: 'fc_a1b2c33', type: 'function_call', status: 'completed', arguments: '{"city":"Rome"}', call_id: 'toolu_rome', name: 'get_weather' },
    ]);
    expect(response.usage).toEqual({ input_tokens: 1050, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 12 }, total_tokens: 1100 });
  });

  it('has every field of the response OpenAI sends', () => {
    const response = responsesClient.writeAnswer(answer, context());
    const recorded = (real.text.at(-1) as { response: Data }).response;
    expect(Object.keys(response).sort()).toEqual(Object.keys(recorded).sort());
  });

  it('leaves reasoning out unless its text was asked for', () => {
    const response = responsesClient.writeAnswer(answer, context());
    expect((response.output as Data[]).map((item) => item.type)).toEqual(['message', 'function_call', 'function_call']);
  });

  it('echoes the request: tools flat, tool choice, format, sampling', () => {
    const response = responsesClient.writeAnswer({ parts: [{ type: 'text', text: '{}' }], stop: 'end' }, context({
      tools: [{ name: 'f', description: 'F', parameters: { type: 'object' }, strict: true }],
      toolChoice: { type: 'tool', name: 'f' },
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      temperature: 0.3, topP: 0.8, maxTokens: 99, parallelToolCalls: false,
      system: [{ type: 'text', text: 'Be brief.' }],
    }));
    expect(response).toMatchObject({
      tools: [{ type: 'function', name: 'f', description: 'F', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      temperature: 0.3, top_p: 0.8, max_output_tokens: 99, parallel_tool_calls: false, instructions: 'Be brief.',
    });
    expect(response.usage).toBeNull();
    expect(response.id).toBe('resp_a1b2c3');
  });

  it.each([
    ['max_tokens', 'max_output_tokens'],
    ['refusal', 'content_filter'],
  ] as const)('says a %s stop is incomplete (%s)', (stop, reason) => {
    const response = responsesClient.writeAnswer({ parts: [{ type: 'text', text: 'Once' }], stop }, context());
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason } });
    expect((response.output as Data[])[0]?.status).toBe('incomplete');
  });

  it.each(['end', 'stop_sequence', 'pause', 'other'] as const)('says a %s stop is completed', (stop) => {
    expect(responsesClient.writeAnswer({ parts: [], stop }, context())).toMatchObject({ status: 'completed', incomplete_details: null, output: [] });
  });
});

describe('errors in OpenAI’s shape', () => {
  it.each([
    [400, 'invalid_request', 'invalid_request_error', null],
    [401, 'authentication', 'authentication_error', null],
    [403, 'permission', 'permission_error', null],
    [404, 'not_found', 'invalid_request_error', null],
    [413, 'request_too_large', 'invalid_request_error', null],
    [429, 'rate_limit', 'rate_limit_error', 'rate_limit_exceeded'],
    [529, 'overloaded', 'server_error', 'server_error'],
    [500, 'api_error', 'server_error', 'server_error'],
  ] as const)('answers %i %s with type %s', (status, kind, type, code) => {
    const message = `The owner said no (${kind}).`;
    const error = responsesClient.writeError({ status, kind, message });
    expect(error.status).toBe(status);
    expect(JSON.parse(error.body)).toEqual({ error: { message, type, param: null, code } });
  });
});

describe('a context that is too long', () => {
  it.each([
    'prompt is too long: 215000 tokens > 200000 maximum',
    "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
    'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
  ])('is answered with OpenAI’s code context_length_exceeded, the message kept: %s', (message) => {
    const error = responsesClient.writeError({ status: 400, kind: 'invalid_request', message });
    expect(JSON.parse(error.body)).toEqual({ error: { message, type: 'invalid_request_error', param: null, code: 'context_length_exceeded' } });
  });
});

describe('a round trip: the reader’s request through the writer', () => {
  it('answers what the request asked for: its tools, choice and format echoed, its calls answered with their ids', () => {
    const body = {
      model: 'claude-alias', instructions: 'Be brief.', stream: true, reasoning: { effort: 'medium', summary: 'detailed' },
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
      tool_choice: 'required', text: { format: { type: 'json_object' } }, input: [{ role: 'user', content: 'Weather in Paris?' }],
    };
    const request = responsesClient.readRequest(body, {});
    if (request instanceof Refusal) throw new Error(request.message);
    const events: Event[] = [
      { type: 'start', id: 'chatcmpl-9' },
      { type: 'reasoning', text: 'Call the tool.' },
      { type: 'tool_call', index: 0, id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'stop', reason: 'tool_use' },
      { type: 'usage', usage: { input: 10, output: 5 } },
      { type: 'done' },
    ];
    const streamed = assemble(parseSse(responsesClient.streamWriter({ ...context(), request }).write(events)));
    const whole = responsesClient.writeAnswer(
      { id: 'chatcmpl-9', parts: [{ type: 'reasoning', text: 'Call the tool.' }, { type: 'tool_call', id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}' }], stop: 'tool_use', usage: { input: 10, output: 5 } },
      { ...context(), request },
    );
    // The stream's final response and the whole answer say the same thing.
    expect(streamed).toEqual(whole);
    expect(whole).toMatchObject({
      instructions: 'Be brief.', tool_choice: 'required', text: { format: { type: 'json_object' } }, reasoning: { effort: 'medium', summary: 'auto' },
      tools: [{ type: 'function', name: 'get_weather', parameters: body.tools[0]?.parameters, strict: false }],
    });
    expect((whole.output as Data[]).map((item) => item.call_id ?? item.type)).toEqual(['reasoning', 'call_9']);
  });
});
