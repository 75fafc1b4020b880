/**
 * @module An OpenAI-compatible owner's `chat.completion.chunk`s as internal stream events, one SSE `data` at
 * a time (docs/translation.md, "Answers and streams"). Normalises the servers' quirks so the guarantees of
 * ir.ts `Event` hold: Ollama's whole calls reusing an index with a new id, calls with neither index nor id,
 * usage on the first chunk (vLLM, xAI), on the finish chunk (Groq's `x_groq`) or on a last `choices: []`
 * chunk (OpenAI), vLLM/SGLang naming the matched stop, an `error` object mid-stream.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { StreamReader } from '../codec.ts';
import type { Event, Request } from '../ir.ts';
import { failure } from '../failure.ts';
import { follow, jsonProgress, type JsonProgress } from '../json-close.ts';
import { reasoningOf } from './answer.ts';
import { madeUpCallId, namedStop, stopFromChat, trailingStop, usageFromChat, usageOf } from './common.ts';
import { failureOf } from './errors.ts';

/** Why a stream ends in `error` when the owner stops before saying why it finished. */
export const CUT_SHORT = 'the upstream stream ended before the answer was complete';
export const NOT_JSON = 'the upstream sent a stream event that is not JSON';

/**
 * One call as read so far: its own index, its id (`ownId`: the owner's, not made up), where its arguments'
 * JSON stands (to see it close), and `held`: its arguments so far while its name has not come yet.
 */
type Call = JsonProgress & { index: number; id: string; ownId: boolean; held?: string };

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function streamReader(request: Request): StreamReader {
  const stops = request.stop ?? [];
  const tailLength = stops.reduce((max, stop) => Math.max(max, stop.length), 0);
  /** The owner's tool-call index → the call now at it. */
  const calls = new Map<number, Call>();
  let callCount = 0;
  let started = false;
  let stopped = false;
  let ended = false;
  /** The owner's id for the answer: ids made up for calls that came without one are made from it. */
  let answerId: string | undefined;
  /** The last characters of the text, as long as the longest stop sequence: enough to see one at the end. */
  let tail = '';

  function toolCall(call: Json, position: number, out: Event[]): void {
    const fn = isObject(call.function) ? call.function : {};
    const ownerIndex = typeof call.index === 'number' ? call.index : position;
    const id = text(call.id);
    const name = text(fn.name);
    const args = typeof fn.arguments === 'string' ? fn.arguments : isObject(fn.arguments) ? JSON.stringify(fn.arguments) : '';
    let current = calls.get(ownerIndex);
    // A call whose name has not come yet is held: a later id or name at its index is its own, arriving late.
    if (current?.held !== undefined) {
      if (id !== undefined && !current.ownId) Object.assign(current, { id, ownId: true });
      if (!current.complete) {
        follow(current, args);
        current.held += args;
      }
      if (name !== undefined) release(current, name, out);
      return;
    }
    // A new index, another id where the owner gave one (Ollama), or a name once the call at the index has
    // closed its JSON (whole calls with neither index nor id) is a new call.
    if (current === undefined || (id !== undefined && current.ownId && id !== current.id) || (current.complete && name !== undefined)) {
      current = { index: callCount++, id: id ?? madeUpCallId(answerId, callCount - 1), ownId: id !== undefined, ...jsonProgress() };
      calls.set(ownerIndex, current);
      follow(current, args);
      // The first event of a call carries its name (ir.ts): without one yet, the call waits for it.
      if (name === undefined) current.held = args;
      else out.push({ type: 'tool_call', index: current.index, id: current.id, name, arguments: args });
      return;
    }
    // A piece after the call's JSON closed can only be padding.
    if (args === '' || current.complete) return;
    follow(current, args);
    out.push({ type: 'tool_call', index: current.index, arguments: args });
  }

  /** A held call's first event, with what it got so far. */
  function release(call: Call, name: string, out: Event[]): void {
    out.push({ type: 'tool_call', index: call.index, id: call.id, name, arguments: call.held ?? '' });
    call.held = undefined;
  }

  function choice(entry: Json, out: Event[]): void {
    const delta = isObject(entry.delta) ? entry.delta : {};
    const reasoning = reasoningOf(delta);
    if (reasoning !== undefined) out.push({ type: 'reasoning', text: reasoning });
    // `refusal` (OpenAI structured outputs) is what the model said, so it streams as text.
    for (const piece of [text(delta.content), text(delta.refusal)]) {
      if (piece === undefined) continue;
      out.push({ type: 'text', text: piece });
      if (tailLength > 0) tail = (tail + piece).slice(-tailLength);
    }
    if (Array.isArray(delta.tool_calls)) {
      delta.tool_calls.forEach((call: unknown, position) => {
        if (isObject(call)) toolCall(call, position, out);
      });
    }
    if (entry.finish_reason !== null && entry.finish_reason !== undefined && !stopped) stop(entry.finish_reason, entry, out);
  }

  function stop(finish: unknown, entry: Json, out: Event[]): void {
    stopped = true;
    // A call whose name never came goes out nameless rather than lost.
    for (const call of calls.values()) if (call.held !== undefined) release(call, '', out);
    const matched = namedStop(entry, stops) ?? trailingStop(tail, stops);
    const reason = stopFromChat(finish, matched, calls.size > 0);
    out.push(reason.stopSequence === undefined ? { type: 'stop', reason: reason.reason } : { type: 'stop', reason: reason.reason, stopSequence: reason.stopSequence });
  }

  function finish(out: Event[]): Event[] {
    ended = true;
    out.push({ type: 'done' });
    return out;
  }

  /** An error ends the stream; `start` still comes first. */
  function fail(event: Event): Event[] {
    const out: Event[] = started ? [] : [{ type: 'start' }];
    started = true;
    ended = true;
    out.push(event);
    return out;
  }

  return {
    push(data: string): Event[] {
      if (ended) return [];
      const out: Event[] = [];
      if (data === '[DONE]') {
        // The owner says it finished; one that never named a reason ended normally.
        if (!started) out.push({ type: 'start' });
        if (!stopped) stop(null, {}, out);
        return finish(out);
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        return fail({ type: 'error', failure: failure(502, NOT_JSON) });
      }
      if (!isObject(chunk)) return out;
      if (chunk.error !== undefined && chunk.error !== null) return fail({ type: 'error', failure: failureOf(chunk.error) });
      const usage = usageOf(chunk);
      if (!started) {
        started = true;
        const start: Event = { type: 'start' };
        if (typeof chunk.id === 'string' && chunk.id !== '') start.id = answerId = chunk.id;
        if (usage !== undefined) start.usage = usageFromChat(usage);
        out.push(start);
      }
      if (usage !== undefined) out.push({ type: 'usage', usage: usageFromChat(usage) });
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      // Only the first choice: a translated request never asks for more than one.
      const first: unknown = choices.find((entry) => isObject(entry) && (entry.index === 0 || entry.index === undefined));
      if (isObject(first)) choice(first, out);
      // OpenAI's usage chunk (`choices: []`, after the finish) is the last one: the answer is over.
      if (stopped && choices.length === 0 && usage !== undefined) return finish(out);
      return out;
    },
    end(): Event[] {
      if (ended) return [];
      if (stopped) return finish([]);
      return fail({ type: 'error', failure: failure(502, CUT_SHORT) });
    },
  };
}
