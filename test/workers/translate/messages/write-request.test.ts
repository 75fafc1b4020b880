import { describe, expect, it } from 'vitest';
import type { OwnerRequest } from '../../../../src/translate/codec.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { messagesClient, messagesOwner } from '../../../../src/translate/messages/index.ts';
import { DEFAULT_MAX_TOKENS } from '../../../../src/translate/messages/write-request.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import tool2 from '../../../fixtures/translate/messages/claude-code/tool-2-tool-result.messages.json';

const context = { upstreamModel: 'claude-sonnet-4-5-20250929' };

function write(request: Partial<Request>, upstreamModel = context.upstreamModel): Record<string, unknown> {
  const out: OwnerRequest | Refusal = messagesOwner.writeRequest({ system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], stream: false, ...request }, { upstreamModel });
  if (out instanceof Refusal) throw new Error(out.message);
  expect(out.path).toBe('/messages');
  return out.body;
}

describe('writeRequest: an Anthropic owner', () => {
  it('writes model, system with cache hints, a default max_tokens, sampling (temperature over top_p), stops, stream, user', () => {
    const body = write({ system: [{ type: 'text', text: 'sys', cache: { type: 'ephemeral' } }], temperature: 0.5, topP: 0.9, topK: 5, stop: ['X'], stream: true, user: 'u1', seed: 3, presencePenalty: 1 });
    expect(body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      max_tokens: DEFAULT_MAX_TOKENS,
      temperature: 0.5,
      top_k: 5,
      stop_sequences: ['X'],
      metadata: { user_id: 'u1' },
      stream: true,
    });
    expect(write({ topP: 0.8, maxTokens: 77 })).toMatchObject({ top_p: 0.8, max_tokens: 77 });
    expect(write({ temperature: 1.7 }).temperature).toBe(1);
  });

  it('keeps mid-conversation system/developer turns in place as role "system", a leading one joins the top-level system', () => {
    const body = write({ messages: [
      { role: 'developer', parts: [{ type: 'text', text: 'lead' }] },
      { role: 'user', parts: [{ type: 'text', text: 'a' }] },
      { role: 'developer', parts: [{ type: 'text', text: 'mid' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'b' }] },
    ] });
    expect(body.system).toEqual([{ type: 'text', text: 'lead' }]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'system', content: [{ type: 'text', text: 'mid' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
    ]);
  });

  it('writes tool turns as user turns with tool_result first, merging consecutive same-role turns', () => {
    const body = write({ messages: [
      { role: 'user', parts: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{"a":1}' }, { type: 'tool_call', id: 'c2', name: 'g', arguments: 'not json' }] },
      { role: 'tool', parts: [{ type: 'tool_result', id: 'c1', content: [{ type: 'text', text: 'r1' }] }] },
      { role: 'tool', parts: [{ type: 'tool_result', id: 'c2', isError: true, content: [{ type: 'image', source: { kind: 'url', url: 'https://i' } }] }] },
      { role: 'user', parts: [{ type: 'text', text: 'next' }] },
    ] });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }, { type: 'tool_use', id: 'c2', name: 'g', input: {} }] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'c1', content: [{ type: 'text', text: 'r1' }] },
        { type: 'tool_result', tool_use_id: 'c2', content: [{ type: 'image', source: { type: 'url', url: 'https://i' } }], is_error: true },
        { type: 'text', text: 'next' },
      ] },
    ]);
  });

  it('writes images and documents with their sources, keeps signed or redacted reasoning only, trims a prefill', () => {
    const body = write({ messages: [
      { role: 'user', parts: [
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA' } },
        { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JV' }, title: 'T', cache: { type: 'ephemeral' } },
        { type: 'document', source: { kind: 'text', text: 'words' } },
        { type: 'image', source: { kind: 'url', url: 'data:image/jpeg;base64,/9j/4A' } },
      ] },
      { role: 'assistant', parts: [{ type: 'reasoning', text: 'signed', signature: 'S' }, { type: 'reasoning', text: 'unsigned' }, { type: 'reasoning', text: '', redacted: 'R' }, { type: 'text', text: 'x' }] },
      { role: 'user', parts: [{ type: 'text', text: 'y' }] },
      { role: 'assistant', parts: [{ type: 'reasoning', text: 'only unsigned' }, { type: 'text', text: 'Sure:  ' }] },
    ] });
    expect(body.messages).toEqual([
      { role: 'user', content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA' } },
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JV' }, cache_control: { type: 'ephemeral' }, title: 'T' },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'words' } },
        { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4A' } },
      ] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'signed', signature: 'S' }, { type: 'redacted_thinking', data: 'R' }, { type: 'text', text: 'x' }] },
      { role: 'user', content: [{ type: 'text', text: 'y' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Sure:' }] },
    ]);
  });

  it('writes tools, tool choice and parallel calls off', () => {
    const tools = [{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true, cache: { type: 'ephemeral' } }];
    expect(write({ tools, toolChoice: { type: 'required' }, parallelToolCalls: false })).toMatchObject({
      tools: [{ name: 'f', description: 'd', input_schema: { type: 'object' }, strict: true, cache_control: { type: 'ephemeral' } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(write({ tools, toolChoice: { type: 'tool', name: 'f' } }).tool_choice).toEqual({ type: 'tool', name: 'f' });
    expect(write({ tools, toolChoice: { type: 'none' } }).tool_choice).toEqual({ type: 'none' });
    expect(write({ tools, parallelToolCalls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(write({ toolChoice: { type: 'required' } }).tool_choice).toBeUndefined();
  });

  it('writes reasoning to a current Claude as adaptive thinking + output_config.effort (a budget picks the effort)', () => {
    const opus = 'claude-opus-5-5';
    expect(write({ reasoning: { effort: 'low' }, temperature: 0.3, topK: 4, topP: 0.5 }, opus)).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'low' } });
    // Thinking takes no temperature, top_k or top_p below 0.95.
    const sampled = write({ reasoning: { effort: 'low' }, temperature: 0.3, topK: 4 }, opus);
    expect([sampled.temperature, sampled.top_k]).toEqual([undefined, undefined]);
    expect(write({ reasoning: { effort: 'low' }, topP: 0.5 }, opus).top_p).toBeUndefined();
    expect(write({ reasoning: { effort: 'low' }, topP: 0.97 }, opus).top_p).toBe(0.97);
    expect(write({ reasoning: { effort: 'minimal', includeText: false } }, opus)).toMatchObject({ thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'low' } });
    expect(write({ reasoning: { effort: 'xhigh' } }, 'claude-opus-4-7').output_config).toEqual({ effort: 'xhigh' });
    expect(write({ reasoning: { budgetTokens: 1500 } }, 'claude-sonnet-4-6').output_config).toEqual({ effort: 'low' });
    expect(write({ reasoning: { budgetTokens: 8000 } }, opus).output_config).toEqual({ effort: 'medium' });
    expect(write({ reasoning: { budgetTokens: 30000 } }, opus)).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'high' } });
  });

  it('writes reasoning to Claude up to 4.5 as enabled thinking with a budget (an effort picks the budget)', () => {
    for (const model of ['claude-sonnet-4-5-20250929', 'claude-opus-4-1', 'claude-sonnet-4-20250514', 'claude-3-7-sonnet-latest', 'anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-opus-4']) {
      expect(write({ reasoning: { effort: 'medium' } }, model).thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    }
    expect(write({ reasoning: { budgetTokens: 500 }, maxTokens: 4000 }).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(write({ reasoning: { budgetTokens: 9000 }, maxTokens: 4000 }).thinking).toEqual({ type: 'enabled', budget_tokens: 3999 });
    expect(write({ reasoning: { budgetTokens: 2000 }, maxTokens: 1000 }).thinking).toBeUndefined();
    expect(write({ reasoning: { effort: 'high', includeText: false } }).thinking).toEqual({ type: 'enabled', budget_tokens: 16384 });
    expect(write({ reasoning: { effort: 'high' } }).output_config).toBeUndefined();
  });

  it('writes no thinking for effort none or with forced tool use (Anthropic refuses thinking with it)', () => {
    expect(write({ reasoning: { effort: 'none' } }, 'claude-opus-5-5').thinking).toBeUndefined();
    expect(write({ reasoning: { effort: 'high' }, tools: [{ name: 'f', parameters: {} }], toolChoice: { type: 'required' } }, 'claude-opus-5-5').thinking).toBeUndefined();
  });

  it('writes a JSON schema response format into output_config beside the effort; drops json_object', () => {
    const schema = { type: 'object' };
    expect(write({ responseFormat: { type: 'json_schema', schema, name: 'x' }, reasoning: { effort: 'high' } }, 'claude-opus-5-5').output_config).toEqual({ effort: 'high', format: { type: 'json_schema', schema } });
    expect(write({ responseFormat: { type: 'json_object' } }).output_config).toBeUndefined();
  });

  it('count_tokens: the same prompt without max_tokens, sampling or stream', () => {
    const count = messagesOwner.countRequest?.({ system: [{ type: 'text', text: 's' }], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], stream: true, maxTokens: 9, temperature: 1, reasoning: { budgetTokens: 2000 } }, context);
    expect(count).toEqual({ path: '/messages/count_tokens', body: { model: context.upstreamModel, system: [{ type: 'text', text: 's' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], thinking: { type: 'enabled', budget_tokens: 2000 } } });
    expect(messagesOwner.readCount?.({ input_tokens: 42 })).toBe(42);
    expect(messagesOwner.readCount?.({})).toBeUndefined();
  });
});

describe('round trip: Claude Code through the reader and this writer', () => {
  it('keeps the essentials of the recorded request', () => {
    const request = messagesClient.readRequest(tool2.body, {});
    if (request instanceof Refusal) throw new Error(request.message);
    const out = messagesOwner.writeRequest(request, { upstreamModel: 'claude-opus-5-5' });
    if (out instanceof Refusal) throw new Error(out.message);
    const body = out.body;
    expect(body.system).toEqual(tool2.body.system);
    expect(body.max_tokens).toBe(128000);
    expect(body.thinking).toEqual({ type: 'adaptive', display: 'omitted' });
    expect(body.output_config).toEqual({ effort: 'medium' });
    expect(body.metadata).toEqual(tool2.body.metadata);
    const sent = tool2.body.messages;
    expect(body.messages).toEqual([
      sent[0],
      { role: 'system', content: [{ type: 'text', text: sent[1]?.content }] },
      sent[2],
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_rec1', content: [{ type: 'text', text: 'hello' }], cache_control: { type: 'ephemeral' } }] },
    ]);
    expect((body.tools as unknown[]).length).toBe(12);
  });
});
