import { describe, expect, it } from 'vitest';
import type { Request } from '../../../../src/translate/ir.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import { responsesClient } from '../../../../src/translate/responses/index.ts';
import recorded from '../../../fixtures/translate/responses/requests.json';

/** The request read, failing the test on a refusal. */
function read(body: unknown): Request {
  const result = responsesClient.readRequest(body, {});
  if (result instanceof Refusal) throw new Error(`refused: ${result.message}`);
  return result;
}

/** The refusal's message, failing the test when the request was read. */
function refused(body: unknown): string {
  const result = responsesClient.readRequest(body, {});
  if (!(result instanceof Refusal)) throw new Error('expected a refusal');
  return result.message;
}

describe('reading what the openai package sends', () => {
  it('reads a string input with instructions as one user turn and a system prompt', () => {
    const request = read(recorded.openaiNodePlain);
    expect(request.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(request.messages).toEqual([{ role: 'user', parts: [{ type: 'text', text: 'Say hi' }] }]);
    expect(request.stream).toBe(false);
  });

  it("reads an agent's turn: leading developer joins the system prompt, images, files, reasoning, calls and their outputs, a mid-conversation system turn", () => {
    const request = read(recorded.openaiNodeAgentTurn);
    expect(request.system.map((part) => part.text)).toEqual(['You are a weather bot.', 'Answer in Celsius.']);
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'system', 'user']);
    expect(request.messages[0]?.parts).toEqual([
      { type: 'text', text: 'Weather in Paris and Rome? See the map.' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/map.png' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0xLjQ=' }, title: 'notes.pdf' },
    ]);
    // Reasoning (its summary; the encrypted content is OpenAI's own) and both calls make one assistant turn.
    expect(request.messages[1]?.parts).toEqual([
      { type: 'reasoning', text: 'Two cities: two calls.' },
      { type: 'tool_call', id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
    ]);
    // Both outputs make one tool turn; an output may be a list of parts.
    expect(request.messages[2]?.parts).toEqual([
      { type: 'tool_result', id: 'call_paris', content: [{ type: 'text', text: '{"t":18}' }] },
      { type: 'tool_result', id: 'call_rome', content: [{ type: 'text', text: '{"t":24}' }, { type: 'image', source: { kind: 'url', url: 'https://example.com/rome.png' } }] },
    ]);
    expect(request.messages[3]?.parts).toEqual([{ type: 'text', text: 'Paris 18, Rome 24.' }]);
    expect(request.messages[4]?.parts).toEqual([{ type: 'text', text: 'Now be terse.' }]);
  });

  it('reads tools (flat in Responses), tool choice, sampling, the output cap, reasoning and the JSON schema format', () => {
    const request = read(recorded.openaiNodeAgentTurn);
    expect(request.tools).toEqual([
      { name: 'get_weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true },
    ]);
    expect(request.toolChoice).toEqual({ type: 'auto' });
    expect(request.parallelToolCalls).toBe(true);
    expect(request).toMatchObject({ maxTokens: 1024, temperature: 0.2, topP: 0.9, stream: true, user: 'user-42' });
    expect(request.reasoning).toEqual({ effort: 'low', includeText: true });
    expect(request.responseFormat).toEqual({
      type: 'json_schema', name: 'weather', strict: true,
      schema: { type: 'object', properties: { t: { type: 'number' } }, required: ['t'], additionalProperties: false },
    });
  });

  it("reads Codex's request: developer and environment items, reasoning, a shell call and its output; store, include, prompt_cache_key and verbosity dropped", () => {
    const request = read(recorded.codexLike);
    expect(request.system).toHaveLength(2);
    expect(request.system[1]?.text).toContain('permissions instructions');
    // Each user item stays its own turn, as sent.
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'user', 'assistant', 'tool', 'assistant', 'user']);
    expect(request.messages[2]?.parts).toEqual([
      { type: 'reasoning', text: '**Listing files**' },
      { type: 'tool_call', id: 'toolu_01A', name: 'shell', arguments: '{"command":["ls"],"workdir":"/home/me/project"}' },
    ]);
    expect(request.messages[3]?.parts).toEqual([{ type: 'tool_result', id: 'toolu_01A', content: [{ type: 'text', text: 'README.md\nsrc\n' }] }]);
    expect(request.parallelToolCalls).toBe(false);
    expect(request.tools?.map((tool) => [tool.name, tool.strict])).toEqual([['shell', false], ['update_plan', false]]);
    expect(request.reasoning).toEqual({ effort: 'medium', includeText: true });
    expect(request.responseFormat).toBeUndefined();
  });

  it("reads the Agents SDK's tool loop: reasoning, the call and its list output, the assistant's text, a file; its own fields dropped", () => {
    const request = read(recorded.agentsJsLike);
    expect(request.system).toEqual([{ type: 'text', text: 'You are a helpful assistant that answers with a forecast.' }]);
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(request.messages[1]?.parts).toEqual([
      { type: 'reasoning', text: 'Need the weather first.' },
      { type: 'tool_call', id: 'toolu_01Oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
    expect(request.messages[2]?.parts).toEqual([{
      type: 'tool_result', id: 'toolu_01Oslo',
      content: [{ type: 'text', text: '-3°C, snow' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } }],
    }]);
    expect(request.messages[4]?.parts).toEqual([
      { type: 'text', text: 'And a packing list?' },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0xLjcK' }, title: 'trip.pdf' },
    ]);
    expect(request.responseFormat).toMatchObject({ type: 'json_schema', name: 'final_output', strict: true });
    expect(request).toMatchObject({ temperature: 0.5, maxTokens: 2048, stream: true, parallelToolCalls: true });
  });
});

describe('reading the rest of the request', () => {
  it('keeps a system or developer item after the first turn where it stands', () => {
    const request = read({ input: [{ role: 'user', content: 'a' }, { role: 'developer', content: 'b' }, { role: 'user', content: 'c' }] });
    expect(request.system).toEqual([]);
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'developer', 'user']);
  });

  it('reads tool choices: none, required, a named function, and allowed_tools narrowing the tools', () => {
    const tools = ['a', 'b', 'c'].map((name) => ({ type: 'function', name, parameters: { type: 'object', properties: {} } }));
    expect(read({ input: 'x', tools, tool_choice: 'none' }).toolChoice).toEqual({ type: 'none' });
    expect(read({ input: 'x', tools, tool_choice: 'required' }).toolChoice).toEqual({ type: 'required' });
    expect(read({ input: 'x', tools, tool_choice: { type: 'function', name: 'b' } }).toolChoice).toEqual({ type: 'tool', name: 'b' });
    const allowed = read({ input: 'x', tools, tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'a' }, { type: 'function', name: 'c' }] } });
    expect(allowed.toolChoice).toEqual({ type: 'required' });
    expect(allowed.tools?.map((tool) => tool.name)).toEqual(['a', 'c']);
  });

  it('reads json_object, a missing summary as no reasoning text, and a tool without parameters as an empty object schema', () => {
    const request = read({ input: 'x', text: { format: { type: 'json_object' } }, reasoning: { effort: 'high' }, tools: [{ type: 'function', name: 'now' }] });
    expect(request.responseFormat).toEqual({ type: 'json_object' });
    expect(request.reasoning).toEqual({ effort: 'high' });
    expect(request.tools).toEqual([{ name: 'now', parameters: { type: 'object', properties: {} } }]);
  });

  it('takes a file URL as a URL document, bare base64 file data as a PDF, and an assistant refusal as its text', () => {
    const request = read({
      input: [
        { role: 'user', content: [{ type: 'input_file', file_url: 'https://example.com/a.pdf' }, { type: 'input_file', file_data: 'JVBERi0=' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
      ],
    });
    expect(request.messages[0]?.parts).toEqual([
      { type: 'document', source: { kind: 'url', url: 'https://example.com/a.pdf' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
    expect(request.messages[1]?.parts).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
  });

  it("prefers safety_identifier over user, and a call's empty arguments are an empty object", () => {
    const request = read({ input: [{ type: 'function_call', call_id: 'c1', name: 'now', arguments: '' }], user: 'old', safety_identifier: 'new' });
    expect(request.user).toBe('new');
    expect(request.messages[0]?.parts).toEqual([{ type: 'tool_call', id: 'c1', name: 'now', arguments: '{}' }]);
  });
});

describe('what is dropped, not rejected', () => {
  it('drops unknown fields, item types, roles, content parts and tool types, the records of OpenAI-hosted tool steps, encrypted reasoning and references to reasoning', () => {
    const request = read({
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_hologram', data: 'x' }] },
        { role: 'narrator', content: 'ignored' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } },
        { type: 'future_item', payload: 1 },
        { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'only-openai-can-read-this' },
        { type: 'item_reference', id: 'rs_3' },
        { role: 'assistant', content: 'hello' },
      ],
      tools: [{ type: 'function', name: 'f' }, { type: 'future_tool' }],
      store: true, metadata: { a: '1' }, include: ['reasoning.encrypted_content'], prompt_cache_key: 'k', service_tier: 'flex',
      truncation: 'auto', max_tool_calls: 3, top_logprobs: 2, text: { verbosity: 'low' }, stream_options: { include_obfuscation: false },
      brand_new_field: { x: 1 },
    });
    expect(request.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'hello' }] },
    ]);
    expect(request.tools?.map((tool) => tool.name)).toEqual(['f']);
  });
});

describe('what is refused', () => {
  it.each([
    [{ input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ input: 'x', conversation: 'conv_1' }, 'conversation'],
    [{ input: 'x', prompt: { id: 'pmpt_1' } }, 'prompt'],
    [{ input: 'x', background: true }, 'background'],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0]'],
    [{ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, 'input[0].content[0].file_id'],
    [{ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] }, 'input[0].content[0].file_id'],
    [{ input: [{ type: 'computer_call', call_id: 'c', action: {} }] }, 'input[0]'],
    [{ input: [{ type: 'local_shell_call', call_id: 'c', action: {} }] }, 'input[0]'],
    [{ input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0].type'],
    [{ input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'code_interpreter', container: { type: 'auto' } }] }, 'tools[1].type'],
    [{ input: 'x', tools: [{ type: 'mcp', server_label: 's' }] }, 'tools[0].type'],
    [{ input: 'x', tool_choice: { type: 'file_search' } }, 'tool_choice.type'],
  ])('refuses %j naming %s', (body, field) => {
    expect(refused(body).startsWith(`${field}:`)).toBe(true);
  });

  it('names the built-in tool and says why', () => {
    expect(refused({ input: 'x', tools: [{ type: 'image_generation' }] })).toMatch(/"image_generation" tool runs in OpenAI's own service/);
    expect(refused({ input: 'x', tools: [{ type: 'local_shell' }] })).toMatch(/"local_shell" tool is called through item types only OpenAI's models produce/);
    expect(refused({ input: 'x', tool_choice: { type: 'hologram' } })).toMatch(/^tool_choice.type: a "hologram" tool choice cannot be carried/);
  });

  it.each([
    [{ input: 42 }, 'input'],
    [{ input: [{ role: 'user', content: 7 }] }, 'input[0].content'],
    [{ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    [{ input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id'],
    [{ input: 'x', tools: [{ type: 'function' }] }, 'tools[0].name'],
    [{ input: 'x', tools: {} }, 'tools'],
    [{ input: 'x', temperature: 'hot' }, 'temperature'],
    [{ input: 'x', reasoning: { effort: 'extreme' } }, 'reasoning.effort'],
    [{ input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }, 'text.format.schema'],
    [{ input: 'x', instructions: ['a'] }, 'instructions'],
  ])('answers malformed %j with a message naming %s', (body, field) => {
    expect(refused(body).startsWith(`${field}: expected`)).toBe(true);
  });
});
