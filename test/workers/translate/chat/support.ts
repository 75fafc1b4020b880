/**
 * @module Test helpers for the OpenAI chat dialect: a recorded SSE fixture as its `data` payloads, run
 * through a stream reader; a request as the readers see it; and a checker that a written chat stream
 * follows OpenAI's documented chunk order and adds up to a message, the way the openai SDK accumulates one.
 */
import { expect } from 'vitest';
import type { AnswerContext } from '../../../../src/translate/codec.ts';
import type { Event, Request } from '../../../../src/translate/ir.ts';
import { chatOwner } from '../../../../src/translate/chat/index.ts';

export type SseFixture = { source: string; sse: string[]; stopSequences?: string[] };

/** The `data` payloads of a fixture, `[DONE]` included, in order. */
export const datasOf = (fixture: SseFixture): string[] => fixture.sse.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));

export const request = (fields: Partial<Request> = {}): Request => ({ system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], stream: true, ...fields });

/** Every event the reader gives for the fixture, push by push, then `end()`. */
export function readStream(fixture: SseFixture, fields: Partial<Request> = {}): Event[] {
  const reader = chatOwner.streamReader(request({ stop: fixture.stopSequences, ...fields }));
  return [...datasOf(fixture).flatMap((data) => reader.push(data)), ...reader.end()];
}

export const context = (fields: Partial<AnswerContext> = {}): AnswerContext => ({ model: 'claude-sonnet-4-5', request: request(), now: 1764650000, randomId: 'r4nd0m', ...fields });

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

export type ChatMessage = {
  id: string;
  model: string;
  created: unknown;
  content: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finish: unknown;
  usage: unknown;
  error: unknown;
  done: boolean;
};

/**
 * Fails unless `text` is SSE `data:` events only, each a `chat.completion.chunk` of one id, created and
 * model; the first a role chunk; a tool call's first delta with id, type and name; one finish chunk; after
 * it at most a usage chunk with `choices: []`; then `[DONE]` (or an `error` event, ending the stream).
 */
export function accumulateChat(text: string): ChatMessage {
  expect(text.endsWith('\n\n')).toBe(true);
  const datas = text.slice(0, -2).split('\n\n').map((event) => {
    expect(event.startsWith('data: ')).toBe(true);
    return event.slice(6);
  });
  const message: ChatMessage = { id: '', model: '', created: undefined, content: '', reasoning: '', toolCalls: [], finish: undefined, usage: undefined, error: undefined, done: false };
  let finishes = 0;
  datas.forEach((data, position) => {
    expect(message.done || message.error !== undefined, 'an event after the end').toBe(false);
    if (data === '[DONE]') {
      message.done = true;
      return;
    }
    const chunk = record(JSON.parse(data));
    if (chunk.error !== undefined) {
      message.error = chunk.error;
      return;
    }
    expect(chunk.object).toBe('chat.completion.chunk');
    if (position === 0) Object.assign(message, { id: chunk.id, model: chunk.model, created: chunk.created });
    expect([chunk.id, chunk.model, chunk.created]).toStrictEqual([message.id, message.model, message.created]);
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    if (choices.length === 0) {
      expect(finishes, 'the usage chunk comes after the finish chunk').toBe(1);
      message.usage = chunk.usage;
      return;
    }
    expect(finishes, 'a choice chunk after the finish').toBe(0);
    const choice = record(choices[0]);
    expect(choice.index).toBe(0);
    const delta = record(choice.delta);
    if (position === 0) expect(delta).toStrictEqual({ role: 'assistant', content: '' });
    else expect(delta.role).toBeUndefined();
    if (typeof delta.content === 'string') message.content += delta.content;
    if (typeof delta.reasoning_content === 'string') message.reasoning += delta.reasoning_content;
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      const entry = record(call);
      const fn = record(entry.function);
      const index = Number(entry.index);
      if (index === message.toolCalls.length) {
        expect(entry.type).toBe('function');
        expect(typeof entry.id === 'string' && typeof fn.name === 'string').toBe(true);
        message.toolCalls.push({ id: String(entry.id), name: String(fn.name), arguments: '' });
      } else {
        expect(index, 'a delta for a call not yet started').toBeLessThan(message.toolCalls.length);
        expect(entry.id).toBeUndefined();
      }
      const target = message.toolCalls[index];
      if (target !== undefined) target.arguments += String(fn.arguments ?? '');
    }
    if (choice.finish_reason !== null) {
      finishes++;
      message.finish = choice.finish_reason;
    }
  });
  return message;
}
