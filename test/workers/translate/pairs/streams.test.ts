/**
 * @module Every owner's stream through every client's writer (contract §15: one reader and one writer per
 * dialect, every pair), through the pipe in small byte pieces: the client, reading its stream as its SDK
 * does, sees the owner's text, calls (name, parsed arguments), stop reason, usage totals and reasoning, the
 * name it asked for as the model, and the owner's failures word for word.
 */
import { describe, expect, it } from 'vitest';
import type { OwnerDialect } from '../../../../src/translate/codec.ts';
import { chatOwner } from '../../../../src/translate/chat/index.ts';
import { geminiOwner } from '../../../../src/translate/gemini/index.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { messagesClient, messagesOwner } from '../../../../src/translate/messages/index.ts';
import { translateStream } from '../../../../src/translate/pipe.ts';
import { sseParser } from '../../../../src/translate/sse.ts';
import { block, blockStop, chunk, delta, FAILURES, geminiChunk, geminiLength, messageStart, OWNERS } from './owners.ts';
import { CLIENTS, type Json, list, named, parse, record, request, run, sse } from './support.ts';

describe('every owner stream through every client writer', () => {
  for (const [ownerName, cases] of Object.entries(OWNERS)) {
    for (const [clientName, { client, read }] of Object.entries(CLIENTS)) {
      cases.forEach((owner, n) => {
        it(`${ownerName} owner → ${clientName} client (${owner.stop})`, async () => {
          const seen = read(await run(owner.owner, client, owner.body, n === 0 ? 7 : 64));
          expect(seen).toStrictEqual({ model: 'my-alias', text: owner.text, calls: owner.calls, stop: owner.stop, usage: owner.usage });
        });
      });
    }
  }
});


describe('every owner failure through every client writer', () => {
  for (const [ownerName, failure] of Object.entries(FAILURES)) {
    for (const [clientName, { client, read }] of Object.entries(CLIENTS)) {
      it(`${ownerName} owner's in-stream error → ${clientName} client, word for word`, async () => {
        const seen = read(await run(failure.owner, client, failure.error));
        expect([seen.text, seen.error]).toStrictEqual(['Hel', failure.message]);
      });
      it(`${ownerName} owner cut short → ${clientName} client sees an error`, async () => {
        const seen = read(await run(failure.owner, client, failure.cut));
        expect([seen.text, seen.error]).toStrictEqual(['Hel', 'the upstream stream ended before the answer was complete']);
      });
    }
  }
});


/** The reasoning text a client's events carry, in its dialect's place for it. */
function reasoningSeen(clientName: string, events: Json[]): string {
  let text = '';
  for (const event of events) {
    if (clientName === 'chat') for (const choice of list(event.choices)) text += String(record(record(choice).delta).reasoning_content ?? '');
    if (clientName === 'messages' && event.type === 'content_block_delta' && record(event.delta).type === 'thinking_delta') text += String(record(event.delta).thinking);
    if (clientName === 'gemini') for (const part of list(record(record(list(event.candidates)[0]).content).parts)) if (record(part).thought === true) text += String(record(part).text);
    if (clientName === 'responses' && event.type === 'response.reasoning_summary_text.delta') text += String(event.delta);
  }
  return text;
}

describe("every owner's reasoning text reaches every client that asked for it", () => {
  const owners: Record<string, { owner: OwnerDialect; body: string }> = {
    chat: { owner: chatOwner, body: sse([chunk({ role: 'assistant', content: '' }), chunk({ reasoning_content: 'Paris is ' }), chunk({ reasoning_content: 'in France.' }), chunk({ content: 'Sunny.' }), chunk({}, 'stop'), '[DONE]']) },
    messages: { owner: messagesOwner, body: named([
      messageStart({ input_tokens: 10, output_tokens: 1 }),
      block(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'Paris is ' }),
      delta(0, { type: 'thinking_delta', thinking: 'in France.' }),
      delta(0, { type: 'signature_delta', signature: 'EqQBCkgIARAB' }),
      blockStop(0),
      block(1, { type: 'text', text: '' }),
      delta(1, { type: 'text_delta', text: 'Sunny.' }),
      blockStop(1),
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }],
      ['message_stop', { type: 'message_stop' }],
    ]) },
    gemini: { owner: geminiOwner, body: sse([
      geminiChunk([{ text: 'Paris is ', thought: true }]),
      geminiChunk([{ text: 'in France.', thought: true }]),
      geminiChunk([{ text: 'Sunny.', thoughtSignature: 'CikBcsjaf' }], { finishReason: 'STOP' }, { promptTokenCount: 10, candidatesTokenCount: 2, thoughtsTokenCount: 7, totalTokenCount: 19 }),
    ]).replaceAll('\n\n', '\r\n\r\n') },
  };
  const thinkingRequest: Request = { ...request, reasoning: { budgetTokens: 2048, includeText: true } };
  for (const [ownerName, { owner, body }] of Object.entries(owners)) {
    for (const [clientName, { client, read }] of Object.entries(CLIENTS)) {
      it(`${ownerName} owner → ${clientName} client`, async () => {
        const bytes = new TextEncoder().encode(body);
        const context = { model: 'my-alias', request: thinkingRequest, now: 1764650000, randomId: 'r4nd0m' };
        const out = translateStream(new Response(bytes).body ?? new ReadableStream(), owner.streamReader(thinkingRequest), client.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: () => {} });
        const parser = sseParser();
        const text = await new Response(out).text();
        const events = [...parser.feed(text), ...parser.flush()].filter((data) => data !== '[DONE]').map(parse);
        expect([reasoningSeen(clientName, events), read(events).text]).toStrictEqual(['Paris is in France.', 'Sunny.']);
      });
    }
  }
});


describe('a body that breaks after the owner finished', () => {
  it('a Gemini owner (whose stream ends only by closing) that broke after its finishReason: the client still gets the whole answer', async () => {
    const bytes = new TextEncoder().encode(geminiLength);
    let sent = false;
    const upstream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('Network connection lost.'));
        sent = true;
        controller.enqueue(bytes);
      },
    });
    const failures: string[] = [];
    const context = { model: 'my-alias', request, now: 1764650000, randomId: 'r4nd0m' };
    const out = translateStream(upstream, geminiOwner.streamReader(request), messagesClient.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: (kind) => failures.push(kind) });
    const parser = sseParser();
    const seen = CLIENTS.messages?.read([...parser.feed(await new Response(out).text()), ...parser.flush()].map(parse));
    expect([seen?.text, seen?.stop, seen?.error, failures]).toStrictEqual(['A long story', 'max_tokens', undefined, []]);
  });
});
