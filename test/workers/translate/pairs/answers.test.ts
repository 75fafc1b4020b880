/**
 * @module Every owner's whole answer through every client's writer: the same text, calls (a call without
 * arguments too), stop reason and usage totals, and the name the client asked for as the model.
 */
import { describe, expect, it } from 'vitest';
import type { OwnerDialect } from '../../../../src/translate/codec.ts';
import { chatClient, chatOwner } from '../../../../src/translate/chat/index.ts';
import { geminiOwner } from '../../../../src/translate/gemini/index.ts';
import { messagesOwner } from '../../../../src/translate/messages/index.ts';
import { calls, CLIENTS, type Json, list, record, request, type Seen } from './support.ts';

/** Whole answers: each owner's answer (text, a call with arguments, a call without any) through every client's writer. */
const noArgs = { name: 'list_files', args: {} };
const WHOLE: Record<string, { owner: OwnerDialect; body: unknown }> = {
  chat: {
    owner: chatOwner,
    body: { id: 'chatcmpl-w', object: 'chat.completion', created: 1, model: 'gpt-4.1', choices: [{ index: 0, message: { role: 'assistant', content: 'Let me check.', tool_calls: [
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(calls[0]?.args) } },
      // Some servers send a call without parameters with empty arguments.
      { id: 'call_b', type: 'function', function: { name: 'list_files', arguments: '' } },
    ] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, prompt_tokens_details: { cached_tokens: 40 } } },
  },
  messages: {
    owner: messagesOwner,
    body: { id: 'msg_w', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: calls[0]?.args },
      { type: 'tool_use', id: 'toolu_b', name: 'list_files', input: {} },
    ], stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 60, cache_read_input_tokens: 40, cache_creation_input_tokens: 0, output_tokens: 50 } },
  },
  gemini: {
    owner: geminiOwner,
    body: { candidates: [{ content: { role: 'model', parts: [{ text: 'Let me check.' }, { functionCall: { name: 'get_weather', args: calls[0]?.args } }, { functionCall: { name: 'list_files', args: {} } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 50, totalTokenCount: 150 }, modelVersion: 'gemini-2.5-flash', responseId: 'w' },
  },
};

/** A whole answer read back as its client sees it. */
function seeWhole(clientName: string, body: Json): Seen {
  const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
  if (clientName === 'chat') {
    const choice = record(list(body.choices)[0]);
    const message = record(choice.message);
    const usage = record(body.usage);
    return { model: String(body.model), text: String(message.content), calls: list(message.tool_calls).map((call) => record(record(call).function)).map((fn) => ({ name: String(fn.name), args: JSON.parse(String(fn.arguments)) })), stop: choice.finish_reason === 'tool_calls' ? 'tool_use' : String(choice.finish_reason), usage: { prompt: Number(usage.prompt_tokens), cached: Number(record(usage.prompt_tokens_details).cached_tokens), output: Number(usage.completion_tokens) } };
  }
  if (clientName === 'messages') {
    const usage = record(body.usage);
    const blocks = list(body.content).map(record);
    const cached = Number(usage.cache_read_input_tokens);
    return { model: String(body.model), text: blocks.filter((b) => b.type === 'text').map((b) => b.text).join(''), calls: blocks.filter((b) => b.type === 'tool_use').map((b) => ({ name: String(b.name), args: b.input })), stop: String(body.stop_reason), usage: { prompt: Number(usage.input_tokens) + cached + Number(usage.cache_creation_input_tokens), cached, output: Number(usage.output_tokens) } };
  }
  if (clientName === 'gemini') {
    const candidate = record(list(body.candidates)[0]);
    const parts = list(record(candidate.content).parts).map(record);
    const usage = record(body.usageMetadata);
    seen.calls = parts.filter((p) => p.functionCall !== undefined).map((p) => ({ name: String(record(p.functionCall).name), args: record(p.functionCall).args }));
    return { model: String(body.modelVersion), text: parts.filter((p) => typeof p.text === 'string').map((p) => p.text).join(''), calls: seen.calls, stop: candidate.finishReason === 'STOP' && seen.calls.length > 0 ? 'tool_use' : String(candidate.finishReason), usage: { prompt: Number(usage.promptTokenCount), cached: Number(usage.cachedContentTokenCount ?? 0), output: Number(usage.candidatesTokenCount) + Number(usage.thoughtsTokenCount ?? 0) } };
  }
  const output = list(body.output).map(record);
  const usage = record(body.usage);
  seen.calls = output.filter((i) => i.type === 'function_call').map((i) => ({ name: String(i.name), args: JSON.parse(String(i.arguments)) }));
  return { model: String(body.model), text: output.filter((i) => i.type === 'message').flatMap((i) => list(i.content).map((c) => record(c).text)).join(''), calls: seen.calls, stop: seen.calls.length > 0 ? 'tool_use' : 'end', usage: { prompt: Number(usage.input_tokens), cached: Number(record(usage.input_tokens_details).cached_tokens), output: Number(usage.output_tokens) } };
}

describe('every owner answer through every client writer', () => {
  for (const [ownerName, { owner, body }] of Object.entries(WHOLE)) {
    for (const clientName of Object.keys(CLIENTS)) {
      it(`${ownerName} owner → ${clientName} client`, () => {
        const wholeRequest = { ...request, stream: false };
        const answer = owner.readAnswer(body, wholeRequest);
        if ('kind' in answer) throw new Error(answer.message);
        const client = CLIENTS[clientName]?.client ?? chatClient;
        const written = client.writeAnswer(answer, { model: 'my-alias', request: wholeRequest, now: 1764650000, randomId: 'r4nd0m' });
        expect(seeWhole(clientName, JSON.parse(JSON.stringify(written)) as Json)).toStrictEqual({ model: 'my-alias', text: 'Let me check.', calls: [calls[0], noArgs], stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } });
      });
    }
  }
});
