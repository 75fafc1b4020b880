/**
 * @module Every client's request through every owner's writer: the system prompt, a call and its result
 * still paired (with the name Gemini needs), and a later instruction in place, in the owner's own form.
 */
import { describe, expect, it } from 'vitest';
import type { OwnerDialect } from '../../../../src/translate/codec.ts';
import { chatClient, chatOwner } from '../../../../src/translate/chat/index.ts';
import { geminiOwner } from '../../../../src/translate/gemini/index.ts';
import { messagesOwner } from '../../../../src/translate/messages/index.ts';
import { responsesClient } from '../../../../src/translate/responses/index.ts';
import { CLIENTS, type Json, list, record } from './support.ts';

describe('a developer message to an OpenAI-compatible owner', () => {
  it("a Responses client's mid-conversation developer item reaches a chat owner as a system message (compatible servers refuse the role)", () => {
    const read = responsesClient.readRequest({ model: 'm', input: [
      { role: 'developer', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'developer', content: 'Approval mode is now full auto.' },
      { role: 'user', content: 'Go' },
    ] }, {});
    if (!('messages' in read)) throw new Error(read.message);
    const written = chatOwner.writeRequest(read, { upstreamModel: 'qwen3', maxTokensField: 'max_tokens' });
    if (!('body' in written)) throw new Error(written.message);
    expect(list(written.body.messages).map((message) => record(message).role)).toStrictEqual(['system', 'user', 'assistant', 'system', 'user']);
  });
});


describe("every client's tool history reaches every other owner paired", () => {
  const histories: Record<string, unknown> = {
    chat: { model: 'm', messages: [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      { role: 'system', content: 'Answer in French.' },
    ] },
    messages: { model: 'm', max_tokens: 100, system: 'Be terse.', messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' }] },
      { role: 'system', content: 'Answer in French.' },
    ] },
    gemini: { systemInstruction: { parts: [{ text: 'Be terse.' }] }, contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'call_1', name: 'get_weather', response: { output: 'Sunny' } } }] },
      { role: 'system', parts: [{ text: 'Answer in French.' }] },
    ] },
    responses: { model: 'm', instructions: 'Be terse.', input: [
      { role: 'user', content: 'Weather in Paris?' },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'Sunny' },
      { role: 'developer', content: 'Answer in French.' },
    ] },
  };
  /** What each owner's body says: the system prompt, the call, the result (with the name where the owner needs it), the later instruction. */
  const owners: Record<string, { owner: OwnerDialect; check(body: Json): void }> = {
    chat: {
      owner: chatOwner,
      check(body) {
        const messages = list(body.messages).map(record);
        expect(messages[0]).toStrictEqual({ role: 'system', content: 'Be terse.' });
        expect(messages.find((m) => m.role === 'assistant')?.tool_calls).toStrictEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
        expect(messages.find((m) => m.role === 'tool')).toStrictEqual({ role: 'tool', tool_call_id: 'call_1', content: 'Sunny' });
        expect(messages.at(-1)).toStrictEqual({ role: 'system', content: 'Answer in French.' });
      },
    },
    messages: {
      owner: messagesOwner,
      check(body) {
        expect(body.system).toStrictEqual([{ type: 'text', text: 'Be terse.' }]);
        const blocks = list(body.messages).flatMap((m) => list(record(m).content)).map(record);
        expect(blocks.find((b) => b.type === 'tool_use')).toStrictEqual({ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } });
        expect(blocks.find((b) => b.type === 'tool_result')).toStrictEqual({ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'Sunny' }] });
        expect(record(list(body.messages).at(-1))).toStrictEqual({ role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] });
      },
    },
    gemini: {
      owner: geminiOwner,
      check(body) {
        expect(body.systemInstruction).toStrictEqual({ parts: [{ text: 'Be terse.' }] });
        const parts = list(body.contents).flatMap((c) => list(record(c).parts)).map(record);
        expect(record(parts.find((p) => p.functionCall !== undefined)?.functionCall)).toStrictEqual({ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } });
        expect(parts.find((p) => p.functionResponse !== undefined)?.functionResponse).toStrictEqual({ id: 'call_1', name: 'get_weather', response: { output: 'Sunny' } });
        expect(parts.at(-1)).toStrictEqual({ text: '<system>\nAnswer in French.\n</system>' });
      },
    },
  };
  for (const [clientName, body] of Object.entries(histories)) {
    for (const [ownerName, { owner, check }] of Object.entries(owners)) {
      it(`${clientName} client → ${ownerName} owner`, () => {
        const read = (CLIENTS[clientName]?.client ?? chatClient).readRequest(body, { stream: false });
        if (!('messages' in read)) throw new Error(read.message);
        const written = owner.writeRequest(read, { upstreamModel: 'some-model', maxTokensField: 'max_tokens' });
        if (!('body' in written)) throw new Error(written.message);
        check(written.body);
      });
    }
  }
});
