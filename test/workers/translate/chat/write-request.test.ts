import { describe, expect, it } from 'vitest';
import { chatOwner } from '../../../../src/translate/chat/index.ts';
import type { OwnerContext, OwnerRequest } from '../../../../src/translate/codec.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import { request } from './support.ts';

const CONTEXT: OwnerContext = { upstreamModel: 'gpt-4o-mini' };

function write(fields: Partial<Request>, context: OwnerContext = CONTEXT): Record<string, unknown> {
  const out = chatOwner.writeRequest(request({ stream: false, ...fields }), context);
  if (out instanceof Refusal) throw new Error(out.message);
  expect(out.path).toBe('/chat/completions');
  const written: OwnerRequest = out;
  return written.body;
}

describe('chat owner writer: the internal request → a /chat/completions body', () => {
  it('joins the top-level system into one leading system message, keeps mid-conversation system and developer in place (developer as system: most compatible servers refuse the role), text as strings', () => {
    const body = write({
      system: [{ type: 'text', text: 'You are terse.', cache: { type: 'ephemeral' } }, { type: 'text', text: 'Be kind.' }],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
        { role: 'system', parts: [{ type: 'text', text: 'Now in French.' }] },
        { role: 'developer', parts: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', parts: [{ type: 'text', text: 'three' }] },
      ],
    });
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.messages).toStrictEqual([
      { role: 'system', content: 'You are terse.\nBe kind.' },
      { role: 'user', content: 'one\ntwo' },
      { role: 'system', content: 'Now in French.' },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'three' },
    ]);
  });

  it('writes images as image_url parts: base64 as a data URL, URLs as they are', () => {
    const body = write({ messages: [{ role: 'user', parts: [
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0K' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
    ] }] });
    expect(body.messages).toStrictEqual([{ role: 'user', content: [
      { type: 'text', text: 'Compare' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
    ] }]);
  });

  it('writes text documents as text, a PDF as a file part for OpenAI itself, and refuses it elsewhere', () => {
    const text = write({ messages: [{ role: 'user', parts: [
      { type: 'document', source: { kind: 'text', text: 'The grass is green.' }, title: 'Facts' },
      { type: 'document', source: { kind: 'base64', mediaType: 'text/plain', data: btoa('plain text') } },
    ] }] });
    expect(text.messages).toStrictEqual([{ role: 'user', content: 'Facts\nThe grass is green.\nplain text' }]);
    const pdf: Partial<Request> = { messages: [{ role: 'user', parts: [{ type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0x' }, title: 'a.pdf' }] }] };
    expect(write(pdf, { upstreamModel: 'gpt-4.1', maxTokensField: 'max_completion_tokens' }).messages).toStrictEqual([
      { role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0x' } }] },
    ]);
    const refused = chatOwner.writeRequest(request(pdf), CONTEXT);
    expect(refused).toBeInstanceOf(Refusal);
    expect(refused instanceof Refusal && refused.message).toMatch(/^messages\[0\]\.parts\[0\]: a application\/pdf document cannot be carried to this model's provider \(OpenAI chat completions\)/);
  });

  it('writes assistant calls as tool_calls with null content, drops reasoning, and tool results as tool messages right after', () => {
    const body = write({ messages: [
      { role: 'user', parts: [{ type: 'text', text: 'weather?' }] },
      { role: 'assistant', parts: [
        { type: 'reasoning', text: 'secret thoughts', signature: 'EqQBCkYIARgCIkA' },
        { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'toolu_2', name: 'get_time', arguments: '' },
      ] },
      { role: 'tool', parts: [
        { type: 'tool_result', id: 'toolu_1', content: [{ type: 'text', text: '18°C' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAA' } }] },
        { type: 'tool_result', id: 'toolu_2', content: [{ type: 'text', text: 'no clock' }], isError: true },
      ] },
    ] });
    expect(JSON.stringify(body)).not.toContain('secret thoughts');
    expect(body.messages).toStrictEqual([
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
      ] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: no clock' },
      { role: 'user', content: [{ type: 'text', text: 'Returned by tool call toolu_1:' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } }] },
    ]);
  });

  it('writes tool results and the user text of one turn as tool messages first, then the user message', () => {
    const body = write({ messages: [{ role: 'user', parts: [{ type: 'text', text: 'and now?' }, { type: 'tool_result', id: 'c1', content: [{ type: 'text', text: 'ok' }] }] }] });
    expect(body.messages).toStrictEqual([{ role: 'tool', tool_call_id: 'c1', content: 'ok' }, { role: 'user', content: 'and now?' }]);
  });

  it('writes tools, tool_choice and parallel_tool_calls only with tools', () => {
    const tools = [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true, cache: { type: 'ephemeral' } }];
    const body = write({ tools, toolChoice: { type: 'tool', name: 'get_weather' }, parallelToolCalls: false });
    expect(body.tools).toStrictEqual([{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, description: 'Weather', strict: true } }]);
    expect([body.tool_choice, body.parallel_tool_calls]).toStrictEqual([{ type: 'function', function: { name: 'get_weather' } }, false]);
    expect(write({ tools, toolChoice: { type: 'required' } }).tool_choice).toBe('required');
    expect(write({ tools, toolChoice: { type: 'none' } }).tool_choice).toBe('none');
    const none = write({ tools: [], toolChoice: { type: 'auto' }, parallelToolCalls: true });
    expect(['tools', 'tool_choice', 'parallel_tool_calls'].filter((field) => field in none)).toStrictEqual([]);
  });

  it('writes sampling, stop and user, drops top_k, and puts the cap where the owner wants it', () => {
    const body = write({ maxTokens: 500, temperature: 0.5, topP: 0.8, topK: 40, seed: 3, presencePenalty: 0.2, frequencyPenalty: 0.4, stop: ['END'], user: 'a'.repeat(64) });
    expect(body).toStrictEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 500, temperature: 0.5, top_p: 0.8, seed: 3, presence_penalty: 0.2, frequency_penalty: 0.4, stop: ['END'], user: 'a'.repeat(64) });
    expect(write({ maxTokens: 500 }, { upstreamModel: 'o4-mini', maxTokensField: 'max_completion_tokens' })).toMatchObject({ max_completion_tokens: 500 });
    expect(write({ stop: [] })).not.toHaveProperty('stop');
  });

  it('writes reasoning_effort only for an effort the client named: a budget alone is dropped', () => {
    expect(write({ reasoning: { effort: 'low', budgetTokens: 2048 } }).reasoning_effort).toBe('low');
    expect(write({ reasoning: { effort: 'max' } }).reasoning_effort).toBe('high');
    expect(write({ reasoning: { budgetTokens: 8000, includeText: true } })).not.toHaveProperty('reasoning_effort');
  });

  it('writes no reasoning_effort for an owner that refuses it (Ollama: `"llama3.2:latest" does not support thinking`)', () => {
    const ollama: OwnerContext = { upstreamModel: 'llama3.2:latest', reasoningEffort: false };
    expect(write({ reasoning: { effort: 'high' } }, ollama)).not.toHaveProperty('reasoning_effort');
    expect(write({ reasoning: { effort: 'high' } }, { ...ollama, reasoningEffort: true }).reasoning_effort).toBe('high');
  });

  it('writes no temperature or top_p for an owner that refuses them (OpenAI’s gpt-5: `Unsupported parameter: \'top_p\'`)', () => {
    const sampled = { temperature: 1, topP: 0.95, seed: 7 };
    expect(write(sampled, { upstreamModel: 'gpt-5', sampling: false })).toMatchObject({ seed: 7 });
    expect(write(sampled, { upstreamModel: 'gpt-5', sampling: false })).not.toHaveProperty('top_p');
    expect(write(sampled, { upstreamModel: 'gpt-5', sampling: false })).not.toHaveProperty('temperature');
    expect(write(sampled)).toMatchObject({ temperature: 1, top_p: 0.95 });
  });

  it('writes response_format for json_object and json_schema', () => {
    expect(write({ responseFormat: { type: 'json_object' } }).response_format).toStrictEqual({ type: 'json_object' });
    expect(write({ responseFormat: { type: 'json_schema', schema: { type: 'object' }, strict: true } }).response_format).toStrictEqual({ type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' }, strict: true } });
  });

  it('always asks a stream for its usage, whatever the client asked', () => {
    expect(write({ stream: true, streamUsage: false })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(write({ stream: false })).not.toHaveProperty('stream');
  });
});
