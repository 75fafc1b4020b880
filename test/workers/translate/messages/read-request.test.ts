import { describe, expect, it } from 'vitest';
import type { Request } from '../../../../src/translate/ir.ts';
import { messagesClient } from '../../../../src/translate/messages/index.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import sayHi from '../../../fixtures/translate/messages/claude-code/say-hi.messages.json';
import customModel from '../../../fixtures/translate/messages/claude-code/custom-model.messages.json';
import discovery from '../../../fixtures/translate/messages/claude-code/discovery.messages.json';
import tool1 from '../../../fixtures/translate/messages/claude-code/tool-1.messages.json';
import tool2 from '../../../fixtures/translate/messages/claude-code/tool-2-tool-result.messages.json';

const read = (body: unknown): Request | Refusal => messagesClient.readRequest(body, {});

function ok(body: unknown): Request {
  const request = read(body);
  if (request instanceof Refusal) throw new Error(`refused: ${request.message}`);
  return request;
}

function refused(body: unknown): string {
  const request = read(body);
  if (!(request instanceof Refusal)) throw new Error('expected a refusal');
  return request.message;
}

const base = { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

describe("Claude Code's recorded requests", () => {
  it.each([['say-hi', sayHi, 128000, 'medium'], ['discovery', discovery, 128000, 'medium'], ['tool-1', tool1, 128000, 'medium'], ['tool-2', tool2, 128000, 'medium'], ['custom-model', customModel, 32000, 'high']])('%s reads without refusal', (_name, fixture, maxTokens, effort) => {
    const request = ok(fixture.body);
    expect(request.stream).toBe(true);
    expect(request.maxTokens).toBe(maxTokens);
    // The role "system" message after the first user turn is kept in place, not rejected.
    expect(request.messages[0]?.role).toBe('user');
    expect(request.messages[1]?.role).toBe('system');
    expect(request.messages[1]?.parts[0]?.type).toBe('text');
    // thinking adaptive + display omitted + output_config.effort: effort carried, no thinking text back.
    expect(request.reasoning).toEqual({ effort, includeText: false });
    // metadata.user_id (a JSON string) is the opaque user id.
    expect(request.user).toBe(fixture.body.metadata.user_id);
    // System blocks keep their cache hints; the billing header block has none.
    expect(request.system).toHaveLength(3);
    expect(request.system[0]?.cache).toBeUndefined();
    expect(request.system[1]?.cache).toEqual({ type: 'ephemeral' });
    // Twelve custom tools, defer_loading dropped (the deferred placeholder is an ordinary tool).
    expect(request.tools).toHaveLength(12);
    expect(request.tools?.find((tool) => tool.name === 'DeferredToolPlaceholder')).toEqual({ name: 'DeferredToolPlaceholder', description: expect.any(String), parameters: expect.any(Object) });
  });

  it('keeps the mid-conversation system turn cache hint, and splits the tool result into a tool turn named after its call', () => {
    const first = ok(tool1.body);
    expect(first.messages[1]?.parts[0]).toMatchObject({ type: 'text', cache: { type: 'ephemeral' } });
    const second = ok(tool2.body);
    expect(second.messages.map((message) => message.role)).toEqual(['user', 'system', 'assistant', 'tool']);
    expect(second.messages[2]?.parts).toEqual([{ type: 'tool_call', id: 'toolu_rec1', name: 'Bash', arguments: '{"command":"echo hello","description":"Print hello"}' }]);
    expect(second.messages[3]?.parts).toEqual([{ type: 'tool_result', id: 'toolu_rec1', name: 'Bash', content: [{ type: 'text', text: 'hello' }], cache: { type: 'ephemeral' } }]);
  });
});

describe('readRequest: fields', () => {
  it('reads system as a string or text blocks', () => {
    expect(ok({ ...base, system: 'be brief' }).system).toEqual([{ type: 'text', text: 'be brief' }]);
    expect(refused({ ...base, system: 3 })).toContain('system');
    expect(ok({ ...base, system: [{ type: 'text', text: 'a' }, { type: 'future_block' }] }).system).toEqual([{ type: 'text', text: 'a' }]);
    expect(refused({ ...base, system: [{ type: 'text', text: 1 }] })).toBe('system[0].text: expected a string');
  });

  it('keeps system and developer turns anywhere, drops unknown roles', () => {
    const request = ok({ ...base, messages: [{ role: 'user', content: 'a' }, { role: 'developer', content: 'rules' }, { role: 'critic', content: 'x' }, { role: 'assistant', content: 'b' }, { role: 'system', content: [{ type: 'text', text: 's' }] }] });
    expect(request.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'a' }] },
      { role: 'developer', parts: [{ type: 'text', text: 'rules' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'b' }] },
      { role: 'system', parts: [{ type: 'text', text: 's' }] },
    ]);
  });

  it('reads images (base64, url), documents (base64 PDF, text, url, content) and refuses Files API ids', () => {
    const request = ok({ ...base, messages: [{ role: 'user', content: [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
      { type: 'image', source: { type: 'url', url: 'https://x/cat.jpg' }, cache_control: { type: 'ephemeral' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'Spec', citations: { enabled: true } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
      { type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } },
      { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] } },
      { type: 'text', text: 'what?', citations: [] },
    ] }] });
    expect(request.messages[0]?.parts).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
      { type: 'image', source: { kind: 'url', url: 'https://x/cat.jpg' }, cache: { type: 'ephemeral' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, title: 'Spec' },
      { type: 'document', source: { kind: 'text', text: 'plain words', mediaType: 'text/plain' } },
      { type: 'document', source: { kind: 'url', url: 'https://x/a.pdf', mediaType: 'application/pdf' } },
      { type: 'document', source: { kind: 'text', text: 'one\n\ntwo', mediaType: 'text/plain' } },
      { type: 'text', text: 'what?' },
    ]);
    expect(refused({ ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_011' } }] }] })).toMatch(/^messages\[0\]\.content\[0\]\.source: a Files API file id exists only on Anthropic's side/);
  });

  it('reads tool results as a tool turn before the rest of the user turn: blocks, errors, search results', () => {
    const request = ok({ ...base, messages: [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'text', text: 'calling' }, { type: 'tool_use', id: 't1', name: 'look', input: { q: 1 } }, { type: 'tool_use', id: 't2', name: 'shot', input: {} }] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'found' }, { type: 'search_result', source: 'https://s', title: 'S', content: [{ type: 'text', text: 'body' }] }] },
        { type: 'tool_result', tool_use_id: 't2', is_error: true, content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA' } }] },
        { type: 'text', text: 'and?' },
      ] },
    ] });
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(request.messages[2]?.parts).toEqual([
      { type: 'tool_result', id: 't1', name: 'look', content: [{ type: 'text', text: 'found' }, { type: 'text', text: 'S\nhttps://s\n\nbody' }] },
      { type: 'tool_result', id: 't2', name: 'shot', isError: true, content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA' } }] },
    ]);
    expect(request.messages[3]?.parts).toEqual([{ type: 'text', text: 'and?' }]);
  });

  it('reads thinking and redacted thinking as reasoning, drops server tool blocks and unknown blocks, keeps a prefill', () => {
    const request = ok({ ...base, messages: [
      { role: 'user', content: [{ type: 'text', text: 'q' }, { type: 'brand_new_block', x: 1 }] },
      { role: 'assistant', content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'enc' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
        { type: 'text', text: 'answer' },
      ] },
      { role: 'user', content: 'more' },
      { role: 'assistant', content: 'The answer is' },
    ] });
    expect(request.messages[0]?.parts).toEqual([{ type: 'text', text: 'q' }]);
    expect(request.messages[1]?.parts).toEqual([{ type: 'reasoning', text: 'hmm', signature: 'sig' }, { type: 'reasoning', text: '', redacted: 'enc' }, { type: 'text', text: 'answer' }]);
    expect(request.messages[3]).toEqual({ role: 'assistant', parts: [{ type: 'text', text: 'The answer is' }] });
  });

  it('reads sampling, stop sequences, stream, metadata', () => {
    const request = ok({ ...base, temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['END'], stream: true, metadata: { user_id: 'u-1' } });
    expect(request).toMatchObject({ maxTokens: 100, temperature: 0.2, topP: 0.9, topK: 40, stop: ['END'], stream: true, user: 'u-1' });
    expect(refused({ ...base, temperature: 'hot' })).toBe('temperature: expected a number');
    expect(refused({ ...base, max_tokens: 0 })).toBe('max_tokens: expected a positive integer');
    expect(refused({ ...base, stop_sequences: [1] })).toBe('stop_sequences: expected an array of strings');
  });

  it('reads custom tools and tool_choice; refuses server tools by name', () => {
    const request = ok({ ...base, tools: [{ name: 'f', description: 'd', input_schema: { type: 'object' }, strict: true, cache_control: { type: 'ephemeral' }, defer_loading: true, input_examples: [{}] }], tool_choice: { type: 'any', disable_parallel_tool_use: true } });
    expect(request.tools).toEqual([{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true, cache: { type: 'ephemeral' } }]);
    expect(request.toolChoice).toEqual({ type: 'required' });
    expect(request.parallelToolCalls).toBe(false);
    expect(ok({ ...base, tool_choice: { type: 'tool', name: 'f' } }).toolChoice).toEqual({ type: 'tool', name: 'f' });
    expect(ok({ ...base, tool_choice: { type: 'none' } }).toolChoice).toEqual({ type: 'none' });
    expect(ok({ ...base, tool_choice: { type: 'someday' } }).toolChoice).toBeUndefined();
    expect(refused({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] })).toMatch(/^tools\[0\]\.type: the server or Anthropic-defined tool "web_search_20250305"/);
    expect(refused({ ...base, tools: [{ type: 'bash_20250124', name: 'bash' }] })).toContain('"bash_20250124"');
  });

  it('reads thinking: budget, adaptive with effort, disabled, display', () => {
    expect(ok({ ...base, thinking: { type: 'enabled', budget_tokens: 2048 } }).reasoning).toEqual({ budgetTokens: 2048, includeText: true });
    expect(ok({ ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'low' } }).reasoning).toEqual({ effort: 'low', includeText: true });
    expect(ok({ ...base, thinking: { type: 'adaptive', display: 'omitted' } }).reasoning).toEqual({ effort: 'high', includeText: false });
    expect(ok({ ...base, thinking: { type: 'disabled' } }).reasoning).toEqual({ effort: 'none' });
    expect(ok({ ...base, output_config: { effort: 'max' } }).reasoning).toEqual({ effort: 'max' });
    expect(refused({ ...base, output_config: { effort: 3 } })).toBe('output_config.effort: expected a string');
    // A level or thinking type this reader does not know is dropped, never an error.
    expect(ok({ ...base, output_config: { effort: 'extreme' } }).reasoning).toBeUndefined();
    expect(ok({ ...base, thinking: { type: 'auto' }, output_config: { effort: 'low' } }).reasoning).toEqual({ effort: 'low' });
  });

  it('reads output_config.format and output_format as a JSON schema', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(ok({ ...base, output_config: { format: { type: 'json_schema', schema } } }).responseFormat).toEqual({ type: 'json_schema', schema, strict: true });
    expect(ok({ ...base, output_format: { type: 'json_schema', schema } }).responseFormat).toEqual({ type: 'json_schema', schema, strict: true });
  });

  it('drops unknown and server-hint fields, refuses the server-side features named', () => {
    const request = ok({ ...base, context_management: { edits: [] }, service_tier: 'auto', speed: 'fast', inference_geo: 'us', tags: ['a'], brand_new_field: { x: 1 }, cache_control: { type: 'ephemeral' } });
    expect(request.messages).toHaveLength(1);
    expect(refused({ ...base, mcp_servers: [{ type: 'url', url: 'https://m', name: 'm' }] })).toMatch(/^mcp_servers: MCP servers called by Anthropic exists only on Anthropic's side/);
    expect(refused({ ...base, safeguards: { enabled: true } })).toContain('safeguards');
    expect(refused({ ...base, messages: [] })).toBe('messages: expected a non-empty array');
  });
});
