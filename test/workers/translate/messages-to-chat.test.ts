import { describe, expect, it } from 'vitest';
import { messagesToChat } from '../../../src/translate/messages-to-chat.ts';

/** The chat body for `request`, failing the test if it was refused. */
function chat(request: Record<string, unknown>, upstream = 'gpt-4o-mini'): Record<string, unknown> {
  const result = messagesToChat({ model: 'client-model', max_tokens: 100, ...request }, upstream);
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result.body;
}

/** The refusal message for `request`, failing the test if it was translated. */
function refusal(request: Record<string, unknown>): string {
  const result = messagesToChat({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...request }, 'up');
  if (result.ok) throw new Error(`translated: ${JSON.stringify(result.body)}`);
  return result.message;
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('messagesToChat: Anthropic Messages request → OpenAI chat body', () => {
  it('sends the upstream model id, max_tokens, temperature, top_p, stop and user', () => {
    const body = chat({
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 1024, temperature: 0.2, top_p: 0.9, stop_sequences: ['END', '\n\nHuman:'], metadata: { user_id: 'user-42' },
    }, 'llama3.2:latest');
    expect(body).toStrictEqual({
      model: 'llama3.2:latest',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 1024, temperature: 0.2, top_p: 0.9, stop: ['END', '\n\nHuman:'], user: 'user-42',
    });
  });

  it('puts max_tokens in max_completion_tokens when asked (OpenAI reasoning models)', () => {
    const result = messagesToChat({ max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }, 'o4-mini', { maxTokensField: 'max_completion_tokens' });
    expect(result.ok && result.body.max_completion_tokens).toBe(50);
    expect(result.ok && 'max_tokens' in result.body).toBe(false);
  });

  it('asks for usage in the stream when stream is true, and not otherwise', () => {
    expect(chat({ stream: true, messages: [{ role: 'user', content: 'x' }] })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const plain = chat({ stream: false, messages: [{ role: 'user', content: 'x' }] });
    expect('stream' in plain || 'stream_options' in plain).toBe(false);
  });

  it('makes system a leading system message, from a string or from text blocks (cache_control dropped)', () => {
    expect(chat({ system: 'Be brief.', messages: [{ role: 'user', content: 'x' }] }).messages).toStrictEqual([
      { role: 'system', content: 'Be brief.' }, { role: 'user', content: 'x' },
    ]);
    const blocks = chat({
      system: [{ type: 'text', text: 'You are Claude Code.' }, { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(blocks.messages).toStrictEqual([{ role: 'system', content: 'You are Claude Code.\nAnswer in French.' }, { role: 'user', content: 'x' }]);
  });

  it('joins text blocks into one string and turns images into image_url parts (base64 as a data: URL, url as is)', () => {
    const body = chat({ messages: [
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two', cache_control: { type: 'ephemeral' } }] },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        { type: 'text', text: 'What are these?' },
      ] },
    ] });
    expect(body.messages).toStrictEqual([
      { role: 'user', content: 'one\ntwo' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        { type: 'text', text: 'What are these?' },
      ] },
    ]);
  });

  it('turns tools with input_schema into function tools', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const body = chat({ messages: [{ role: 'user', content: 'x' }], tools: [
      { name: 'get_weather', description: 'Weather by city', input_schema: schema, cache_control: { type: 'ephemeral' } },
      { type: 'custom', name: 'noop', input_schema: { type: 'object' } },
    ] });
    expect(body.tools).toStrictEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: schema } },
      { type: 'function', function: { name: 'noop', parameters: { type: 'object' } } },
    ]);
  });

  it.each([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [{ type: 'any' }, { tool_choice: 'required' }],
    [{ type: 'none' }, { tool_choice: 'none' }],
    [{ type: 'tool', name: 'get_weather' }, { tool_choice: { type: 'function', function: { name: 'get_weather' } } }],
    [{ type: 'any', disable_parallel_tool_use: true }, { tool_choice: 'required', parallel_tool_calls: false }],
    [{ type: 'auto', disable_parallel_tool_use: false }, { tool_choice: 'auto' }],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    const body = chat({ messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'get_weather', input_schema: { type: 'object' } }], tool_choice: choice });
    expect({ tool_choice: body.tool_choice, ...('parallel_tool_calls' in body ? { parallel_tool_calls: body.parallel_tool_calls } : {}) }).toStrictEqual(expected);
  });

  it('turns parallel tool_use blocks into one assistant message with tool_calls, and tool_results into tool messages right after, in order', () => {
    const body = chat({ messages: [
      { role: 'user', content: 'Weather in Paris and Tokyo?' },
      { role: 'assistant', content: [
        { type: 'thinking', thinking: 'Two calls.', signature: 'EqQBCgIYAhIM' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Tokyo' } },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'toolu_01', content: '18°C, cloudy' },
        { type: 'tool_result', tool_use_id: 'toolu_02', content: [{ type: 'text', text: 'Service down' }], is_error: true },
        { type: 'text', text: 'Thanks!' },
      ] },
    ] });
    expect(body.messages).toStrictEqual([
      { role: 'user', content: 'Weather in Paris and Tokyo?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [
        { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_02', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
      ] },
      { role: 'tool', tool_call_id: 'toolu_01', content: '18°C, cloudy' },
      { role: 'tool', tool_call_id: 'toolu_02', content: 'Error: Service down' },
      { role: 'user', content: 'Thanks!' },
    ]);
  });

  it('sends tool_use alone with null content, and a tool_result of text and image blocks as text plus a user message with the images', () => {
    const body = chat({ messages: [
      { role: 'user', content: 'Screenshot please' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'screenshot', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: [
        { type: 'text', text: 'Captured.' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      ] }] },
    ] });
    expect(body.messages).toStrictEqual([
      { role: 'user', content: 'Screenshot please' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'screenshot', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_9', content: 'Captured.' },
      { role: 'user', content: [{ type: 'text', text: 'Images returned by tool call toolu_9:' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });

  it('turns output_config.format (a JSON schema) into response_format', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } } };
    const body = chat({ messages: [{ role: 'user', content: 'x' }], output_config: { effort: 'high', format: { type: 'json_schema', schema } } });
    expect(body.response_format).toStrictEqual({ type: 'json_schema', json_schema: { name: 'output', schema, strict: true } });
  });

  it('drops cache_control, thinking, top_k and context_management without a trace in the body', () => {
    const body = chat({
      messages: [{ role: 'user', content: 'x' }],
      cache_control: { type: 'ephemeral' }, thinking: { type: 'enabled', budget_tokens: 2048 }, top_k: 40,
      context_management: { edits: [] }, service_tier: 'auto',
    });
    expect(body).toStrictEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], max_tokens: 100 });
  });

  it.each([
    [{ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }] }] }, 'messages[0].content[0].type', 'document'],
    [{ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }, 'tools[0].type', 'web_search_20250305'],
    [{ tools: [{ type: 'bash_20250124', name: 'bash' }] }, 'tools[0].type', 'bash_20250124'],
    [{ mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'x' }] }, 'mcp_servers', 'MCP'],
    [{ container: 'container_011' }, 'container', 'container'],
    [{ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_011' } }] }] }, 'messages[0].content[0].source.type', 'file'],
    [{ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }] }, { role: 'user', content: 'go on' }] }, 'messages[1].content[0].type', 'server_tool_use'],
    [{ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] }] }, 'messages[0].content[0].content[0].type', 'search_result'],
    [{ messages: [{ role: 'user', content: 'JSON please' }, { role: 'assistant', content: '{' }] }, 'messages[1]', 'prefill'],
    [{ some_new_field: true }, 'some_new_field', 'this field'],
  ])('refuses %j naming %s', (request, field, feature) => {
    const message = refusal(request);
    expect(message.startsWith(`${field}: `)).toBe(true);
    expect(message).toContain(feature);
    expect(message).toContain('cannot be translated');
  });

  it.each([
    [{ max_tokens: undefined }, 'max_tokens'],
    [{ messages: [] }, 'messages'],
    [{ messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
    [{ system: [{ type: 'image' }] }, 'system[0]'],
    [{ stop_sequences: 'END' }, 'stop_sequences'],
    [{ tools: [{ name: 'x' }] }, 'tools[0].input_schema'],
    [{ tools: [{ name: 'x', input_schema: {} }], tool_choice: { type: 'sometimes' } }, 'tool_choice.type'],
  ])('answers a malformed %j with a message naming %s', (request, field) => {
    expect(refusal(request).startsWith(`${field}: expected`)).toBe(true);
  });
});
