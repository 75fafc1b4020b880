/**
 * The official openai SDK as the chat client: the bodies it sends are read, and what the writers produce is
 * served to it through a fake `fetch`, so its own stream accumulator and error classes judge the shapes.
 */
import OpenAI, { APIError, RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { chatClient } from '../../../../src/translate/chat/index.ts';
import type { Event } from '../../../../src/translate/ir.ts';
import { failure } from '../../../../src/translate/failure.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import { context, request } from './support.ts';

/** A client whose every call is answered by `answer`, recording the body it sent. */
function client(answer: (body: unknown) => Response): { sdk: OpenAI; sent: unknown[] } {
  const sent: unknown[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body: unknown = JSON.parse(String(init?.body));
    sent.push(body);
    return answer(body);
  };
  return { sdk: new OpenAI({ apiKey: 'sk-test', baseURL: 'http://edge.test/v1', fetch, maxRetries: 0 }), sent };
}

const sse = (text: string): Response => new Response(text, { headers: { 'content-type': chatClient.streamContentType } });

const EVENTS: Event[] = [
  { type: 'start', id: 'msg_01' },
  { type: 'reasoning', text: 'Paris and Tokyo.' },
  { type: 'text', text: 'Checking ' },
  { type: 'tool_call', index: 0, id: 'toolu_a', name: 'get_weather', arguments: '{"city":' },
  { type: 'text', text: 'both.' },
  { type: 'tool_call', index: 1, id: 'toolu_b', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
  { type: 'tool_call', index: 0, arguments: '"Paris"}' },
  { type: 'stop', reason: 'tool_use' },
  { type: 'usage', usage: { input: 20, output: 30, cacheRead: 100, reasoning: 5 } },
  { type: 'done' },
];

describe('the openai SDK against the chat dialect', () => {
  it('sends a body the reader takes whole', async () => {
    const { sdk, sent } = client(() => Response.json(chatClient.writeAnswer({ parts: [{ type: 'text', text: 'ok' }], stop: 'end' }, context())));
    const completion = await sdk.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'auto',
      max_completion_tokens: 64,
      reasoning_effort: 'low',
    });
    expect(completion.choices[0]?.message.content).toBe('ok');
    const read = chatClient.readRequest(sent[0], {});
    if (read instanceof Refusal) throw new Error(read.message);
    expect(read).toMatchObject({ system: [{ type: 'text', text: 'Be brief.' }], maxTokens: 64, reasoning: { effort: 'low' }, toolChoice: { type: 'auto' } });
    expect(read.messages[0]?.parts).toHaveLength(2);
  });

  it('accumulates a written stream: text, interleaved parallel calls, finish reason and the usage chunk', async () => {
    const { sdk } = client(() => sse(chatClient.streamWriter(context({ request: request({ streamUsage: true }) })).write(EVENTS)));
    const stream = sdk.chat.completions.stream({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'weather?' }], stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    const choice = completion.choices[0];
    expect(choice?.message.content).toBe('Checking both.');
    expect(choice?.message.tool_calls?.map((call) => (call.type === 'function' ? [call.id, call.function.name, call.function.arguments] : []))).toStrictEqual([
      ['toolu_a', 'get_weather', '{"city":"Paris"}'],
      ['toolu_b', 'get_weather', '{"city":"Tokyo"}'],
    ]);
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 5 } });
    expect(completion.model).toBe('claude-sonnet-4-5');
  });

  it('raises a mid-stream error as an APIError with the message word for word', async () => {
    const { sdk } = client(() => sse(chatClient.streamWriter(context()).write([{ type: 'start' }, { type: 'text', text: 'Part' }, { type: 'error', failure: failure(529, 'Overloaded') }])));
    const stream = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    const read = async () => {
      for await (const chunk of stream) void chunk;
    };
    await expect(read()).rejects.toSatisfy((error) => error instanceof APIError && error.message.includes('Overloaded'));
  });

  it('raises a written 429 as a RateLimitError with the message word for word', async () => {
    const message = 'Number of request tokens has exceeded your per-minute rate limit';
    const written = chatClient.writeError(failure(429, message));
    const { sdk } = client(() => new Response(written.body, { status: written.status, headers: { 'content-type': 'application/json' } }));
    await expect(sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toSatisfy(
      (error) => error instanceof RateLimitError && error.message.includes(message) && error.code === 'rate_limit_exceeded',
    );
  });
});
