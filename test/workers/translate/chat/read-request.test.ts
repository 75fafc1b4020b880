import { describe, expect, it } from 'vitest';
import { chatClient } from '../../../../src/translate/chat/index.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==';

function read(body: Record<string, unknown>): Request {
  const out = chatClient.readRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], ...body }, {});
  if (out instanceof Refusal) throw new Error(out.message);
  return out;
}

function refusal(body: Record<string, unknown>): string {
  const out = chatClient.readRequest({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], ...body }, {});
  expect(out).toBeInstanceOf(Refusal);
  return out instanceof Refusal ? out.message : '';
}

describe('chat client reader: /chat/completions bodies → the internal request', () => {
  it('makes leading system and developer messages the top-level system, and keeps later ones in place', () => {
    const request = read({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'hi' },
        { role: 'developer', content: 'From now on, answer in German.' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(request.system).toStrictEqual([{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Answer in French.' }]);
    expect(request.messages.map((message) => message.role)).toStrictEqual(['user', 'developer', 'user']);
    expect(request.messages[1]?.parts).toStrictEqual([{ type: 'text', text: 'From now on, answer in German.' }]);
  });

  it('reads user text, base64 and URL images, and a PDF file part as a document', () => {
    const request = read({
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/cat.jpg' } },
          { type: 'file', file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF}` } },
        ],
      }],
    });
    expect(request.messages[0]?.parts).toStrictEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } },
      { type: 'image', source: { kind: 'url', url: 'https://upload.wikimedia.org/cat.jpg' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: PDF }, title: 'report.pdf' },
    ]);
  });

  it('refuses input_audio and a file_id, naming the part', () => {
    expect(refusal({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } }] }] })).toMatch(/^messages\[0\]\.content\[0\]: an input_audio part/);
    expect(refusal({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] })).toMatch(/^messages\[0\]\.content\[0\]\.file\.file_id/);
  });

  it('drops unknown roles, part types and fields instead of refusing them', () => {
    const request = read({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'hologram', data: 1 }] }, { role: 'narrator', content: 'x' }],
      logprobs: true, top_logprobs: 3, logit_bias: { 50256: -100 }, prediction: { type: 'content', content: 'x' }, store: true,
      metadata: { a: 'b' }, service_tier: 'flex', verbosity: 'low', prompt_cache_key: 'k', some_future_field: { x: 1 }, n: 1, modalities: ['text'],
    });
    expect(request.messages).toStrictEqual([{ role: 'user', parts: [{ type: 'text', text: 'a' }] }]);
  });

  it('reads assistant history: reasoning_content as reasoning, text, tool_calls; tool messages as one tool turn with names', () => {
    const request = read({
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant', content: 'Checking.', reasoning_content: 'Two cities.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '22°C' }, { type: 'text', text: 'humid' }] },
      ],
    });
    expect(request.messages.slice(1)).toStrictEqual([
      { role: 'assistant', parts: [
        { type: 'reasoning', text: 'Two cities.' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
      ] },
      { role: 'tool', parts: [
        { type: 'tool_result', id: 'call_1', name: 'get_weather', content: [{ type: 'text', text: '18°C' }] },
        { type: 'tool_result', id: 'call_2', name: 'get_weather', content: [{ type: 'text', text: '22°C' }, { type: 'text', text: 'humid' }] },
      ] },
    ]);
  });

  it('drops empty assistant text beside calls and empty tool result text', () => {
    const request = read({ messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c', content: '' },
    ] });
    expect(request.messages.slice(1)).toStrictEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }] },
      { role: 'tool', parts: [{ type: 'tool_result', id: 'c', name: 'f', content: [] }] },
    ]);
  });

  it("reads OpenRouter's and vLLM's `reasoning` from history too", () => {
    const request = read({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', reasoning: 'thought' }, { role: 'user', content: 'q2' }] });
    expect(request.messages[1]?.parts[0]).toStrictEqual({ type: 'reasoning', text: 'thought' });
  });

  it('maps the legacy functions, function_call and function role onto tools, a made-up call id and its result', () => {
    const request = read({
      functions: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
      function_call: { name: 'lookup' },
      messages: [
        { role: 'user', content: 'find x' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"x"}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    });
    expect(request.tools).toStrictEqual([{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }]);
    expect(request.toolChoice).toStrictEqual({ type: 'tool', name: 'lookup' });
    const call = request.messages[1]?.parts[0];
    expect(call).toMatchObject({ type: 'tool_call', name: 'lookup', arguments: '{"q":"x"}' });
    expect(request.messages[2]?.parts[0]).toStrictEqual({ type: 'tool_result', id: call?.type === 'tool_call' ? call.id : '?', name: 'lookup', content: [{ type: 'text', text: 'found' }] });
  });

  it('reads tools with strict, every tool_choice form, parallel_tool_calls; allowed_tools narrows the tools', () => {
    const tools = [
      { type: 'function', function: { name: 'a', description: 'A', parameters: { type: 'object', properties: {} }, strict: true } },
      { type: 'function', function: { name: 'b' } },
    ];
    const request = read({ tools, tool_choice: 'required', parallel_tool_calls: false });
    expect(request.tools).toStrictEqual([
      { name: 'a', description: 'A', parameters: { type: 'object', properties: {} }, strict: true },
      { name: 'b', parameters: { type: 'object', properties: {} } },
    ]);
    expect([request.toolChoice, request.parallelToolCalls]).toStrictEqual([{ type: 'required' }, false]);
    expect(read({ tools, tool_choice: 'none' }).toolChoice).toStrictEqual({ type: 'none' });
    expect(read({ tools, tool_choice: 'auto' }).toolChoice).toStrictEqual({ type: 'auto' });
    expect(read({ tools, tool_choice: { type: 'function', function: { name: 'b' } } }).toolChoice).toStrictEqual({ type: 'tool', name: 'b' });
    const allowed = read({ tools, tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'b' } }] } } });
    expect([allowed.tools?.map((tool) => tool.name), allowed.toolChoice]).toStrictEqual([['b'], { type: 'required' }]);
    expect(refusal({ tools: [{ type: 'custom', custom: { name: 'grammar' } }] })).toMatch(/^tools\[0\]\.type: a custom/);
  });

  it('reads sampling, limits, stop (string or array), seed, user and safety_identifier', () => {
    const request = read({ temperature: 0.2, top_p: 0.9, seed: 7, presence_penalty: 0.1, frequency_penalty: 0.3, max_tokens: 100, max_completion_tokens: 200, stop: 'END', user: 'u1' });
    expect(request).toMatchObject({ temperature: 0.2, topP: 0.9, seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.3, maxTokens: 200, stop: ['END'], user: 'u1' });
    expect(read({ max_tokens: 50, stop: ['a', 'b'], user: 'u1', safety_identifier: 'sid' })).toMatchObject({ maxTokens: 50, stop: ['a', 'b'], user: 'sid' });
    expect(read({ temperature: null, stop: null })).not.toHaveProperty('temperature');
  });

  it('reads reasoning_effort, response_format and stream_options.include_usage', () => {
    expect(read({ reasoning_effort: 'high' }).reasoning).toStrictEqual({ effort: 'high' });
    expect(read({ response_format: { type: 'json_object' } }).responseFormat).toStrictEqual({ type: 'json_object' });
    expect(read({ response_format: { type: 'json_schema', json_schema: { name: 'person', schema: { type: 'object' }, strict: true } } }).responseFormat).toStrictEqual({ type: 'json_schema', name: 'person', schema: { type: 'object' }, strict: true });
    expect(read({ response_format: { type: 'text' } }).responseFormat).toBeUndefined();
    expect(read({ stream: true, stream_options: { include_usage: true } })).toMatchObject({ stream: true, streamUsage: true });
    expect(read({ stream: true })).not.toHaveProperty('streamUsage');
    expect(read({}).stream).toBe(false);
  });

  it('refuses n > 1, audio answers and web search, naming the field', () => {
    expect(refusal({ n: 2 })).toMatch(/^n: more than one choice/);
    expect(refusal({ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } })).toMatch(/^audio: an audio answer/);
    expect(refusal({ web_search_options: {} })).toMatch(/^web_search_options: web search/);
  });

  it('refuses malformed known fields with what they should be', () => {
    expect(refusal({ messages: [] })).toBe('messages: expected a non-empty array');
    expect(refusal({ temperature: 'hot' })).toBe('temperature: expected a number');
    expect(refusal({ max_tokens: 0 })).toBe('max_tokens: expected a positive integer');
    expect(refusal({ stop: [1] })).toBe('stop: expected a string or an array of strings');
    expect(refusal({ reasoning_effort: 'extreme' })).toMatch(/^reasoning_effort: expected/);
    expect(refusal({ messages: [{ role: 'tool', content: 'x' }] })).toBe('messages[0].tool_call_id: expected a string');
    expect(refusal({ messages: [{ role: 'assistant', tool_calls: [{ type: 'function' }] }] })).toMatch(/^messages\[0\]\.tool_calls\[0\]: expected/);
    expect(chatClient.readRequest('not an object', {})).toBeInstanceOf(Refusal);
  });
});
