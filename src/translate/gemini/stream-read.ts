/**
 * @module A Gemini owner's `streamGenerateContent?alt=sse` stream as internal events. Each SSE event is a
 * whole `GenerateContentResponse` holding only the new parts: text and thought deltas, whole
 * `functionCall`s (each its own call index), `usageMetadata` as running totals (the last counts) and, at
 * the end, a `finishReason`. The stream then simply ends: `done` if a reason was seen, else an error
 * saying it was cut short. An `{"error":…}` object in the stream is an `error`.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { StreamReader } from '../codec.ts';
import { failure } from '../failure.ts';
import type { Event, Request, Usage } from '../ir.ts';
import { madeUpCallId } from './answer.ts';
import { errorOf } from './errors.ts';
import { readFinish, readUsage } from './usage.ts';

export const CUT_SHORT = 'the upstream stream ended before the answer was complete';

export function geminiStreamReader(_request: Request): StreamReader {
  let started = false;
  let finished = false;
  let over = false;
  let calls = 0;
  let id: string | undefined;
  let last: Usage | undefined;

  function start(chunk: Json, out: Event[]): void {
    if (started) return;
    started = true;
    if (typeof chunk.responseId === 'string') id = chunk.responseId;
    out.push(id === undefined ? { type: 'start' } : { type: 'start', id });
  }

  function parts(candidate: Json, out: Event[]): void {
    const content = candidate.content;
    if (!isObject(content) || !Array.isArray(content.parts)) return;
    for (const part of content.parts) {
      if (!isObject(part)) continue;
      const signature = typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined;
      if (isObject(part.functionCall)) {
        const call = part.functionCall;
        const callId = typeof call.id === 'string' && call.id !== '' ? call.id : madeUpCallId(id, calls);
        const event: Event = { type: 'tool_call', index: calls++, id: callId, name: typeof call.name === 'string' ? call.name : '', arguments: JSON.stringify(isObject(call.args) ? call.args : {}) };
        if (signature !== undefined) event.signature = signature;
        out.push(event);
      } else if (typeof part.text === 'string') {
        if (part.thought === true) {
          if (part.text !== '' || signature !== undefined) out.push(signature === undefined ? { type: 'reasoning', text: part.text } : { type: 'reasoning', text: part.text, signature });
        } else if (part.text !== '') out.push({ type: 'text', text: part.text });
      }
    }
  }

  function usage(metadata: unknown, out: Event[]): void {
    const read = readUsage(metadata);
    if (read === undefined) return;
    if (last !== undefined && last.input === read.input && last.output === read.output && last.cacheRead === read.cacheRead && last.reasoning === read.reasoning) return;
    last = read;
    out.push({ type: 'usage', usage: read });
  }

  return {
    push(data: string): Event[] {
      if (over) return [];
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        return []; // Not JSON: no Gemini event; nothing to read.
      }
      const out: Event[] = [];
      const error = Array.isArray(chunk) ? chunk[0] : chunk;
      if (isObject(error) && isObject(error.error)) {
        start({}, out);
        over = true;
        out.push({ type: 'error', failure: errorOf(typeof error.error.code === 'number' ? error.error.code : 500, error) });
        return out;
      }
      if (!isObject(chunk)) return out;
      start(chunk, out);
      const candidate = Array.isArray(chunk.candidates) && isObject(chunk.candidates[0]) ? chunk.candidates[0] : undefined;
      if (candidate !== undefined) parts(candidate, out);
      usage(chunk.usageMetadata, out);
      const reason = candidate !== undefined && typeof candidate.finishReason === 'string' ? candidate.finishReason : undefined;
      const blocked = isObject(chunk.promptFeedback) && typeof chunk.promptFeedback.blockReason === 'string';
      if (!finished && (reason !== undefined || blocked)) {
        finished = true;
        out.push({ type: 'stop', reason: reason === undefined ? 'refusal' : readFinish(reason, calls > 0) });
      }
      return out;
    },
    end(): Event[] {
      if (over) return [];
      over = true;
      const out: Event[] = [];
      start({}, out);
      out.push(finished ? { type: 'done' } : { type: 'error', failure: failure(502, CUT_SHORT) });
      return out;
    },
  };
}
