/**
 * @module Internal stream events as a client's `chat.completion.chunk`s (docs/translation.md, "Answers and
 * streams"): a role chunk first, content, `reasoning_content` and tool-call deltas as they come (chat lets
 * parallel calls interleave by `index`, so nothing is held back), a finish chunk, the usage chunk
 * (`choices: []`) only when the client asked for it, then `data: [DONE]`. An error is OpenAI's in-stream
 * `data: {"error":…}` and ends the stream without `[DONE]`.
 */
import type { AnswerContext, StreamWriter } from '../codec.ts';
import type { Event, Usage } from '../ir.ts';
import { completionId } from './answer.ts';
import { chatUsage, finishReason } from './common.ts';
import { errorObject } from './errors.ts';

const DONE = 'data: [DONE]\n\n';

export function streamWriter(context: AnswerContext): StreamWriter {
  /** Every chunk's fields before `choices`, written once (the id is known at `start`). */
  let head = '';
  let started = false;
  let finished = false;
  let finishSent = false;
  let usage: Usage | undefined;
  /** The internal call index → the chunk's `index` (0, 1, … in order of first appearance). */
  const calls = new Map<number, number>();
  /** Chunk indexes of calls that have had no argument piece yet. */
  const empty = new Set<number>();

  const chunk = (delta: string, finish: string | null = null): string =>
    `data: ${head},"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]}\n\n`;

  function start(id: string | undefined): string {
    started = true;
    head = `{"id":${JSON.stringify(completionId(id, context))},"object":"chat.completion.chunk","created":${context.now},"model":${JSON.stringify(context.model)}`;
    return chunk('{"role":"assistant","content":""}');
  }

  function toolCall(event: Extract<Event, { type: 'tool_call' }>): string {
    const args = JSON.stringify(event.arguments);
    const known = calls.get(event.index);
    if (known !== undefined) {
      if (event.arguments === '') return '';
      empty.delete(known);
      return chunk(`{"tool_calls":[{"index":${known},"function":{"arguments":${args}}}]}`);
    }
    const index = calls.size;
    calls.set(event.index, index);
    if (event.arguments === '') empty.add(index);
    const id = JSON.stringify(event.id ?? `call_${context.randomId}_${index}`);
    return chunk(`{"tool_calls":[{"index":${index},"id":${id},"type":"function","function":{"name":${JSON.stringify(event.name ?? '')},"arguments":${args}}}]}`);
  }

  /**
   * `{}` for each call that got no argument piece (a tool without parameters, as Anthropic streams it):
   * clients parse the arguments as JSON, and OpenAI itself sends `{}`.
   */
  function emptyCalls(): string {
    let out = '';
    for (const index of empty) out += chunk(`{"tool_calls":[{"index":${index},"function":{"arguments":"{}"}}]}`);
    empty.clear();
    return out;
  }

  /** The finish chunk if none was sent, the usage chunk when asked for, then `[DONE]`. */
  function done(): string {
    finished = true;
    let out = finishSent ? '' : emptyCalls() + chunk('{}', calls.size > 0 ? 'tool_calls' : 'stop');
    if (context.request.streamUsage === true) {
      const counted = usage ?? { input: context.estimatedInputTokens ?? 0, output: 0 };
      out += `data: ${head},"choices":[],"usage":${JSON.stringify(chatUsage(counted))}}\n\n`;
    }
    return out + DONE;
  }

  function one(event: Event): string {
    switch (event.type) {
      case 'start': return '';
      case 'text': return chunk(`{"content":${JSON.stringify(event.text)}}`);
      case 'reasoning': return event.text === '' ? '' : chunk(`{"reasoning_content":${JSON.stringify(event.text)}}`);
      case 'tool_call': return toolCall(event);
      case 'usage':
        usage = event.usage;
        return '';
      case 'stop':
        if (finishSent) return '';
        finishSent = true;
        return emptyCalls() + chunk('{}', finishReason(event.reason));
      case 'done': return done();
      case 'error':
        finished = true;
        return `data: ${JSON.stringify(errorObject(event.failure))}\n\n`;
    }
  }

  return {
    write(events: readonly Event[]): string {
      let out = '';
      for (const event of events) {
        if (finished) break;
        if (!started) out += start(event.type === 'start' ? event.id : undefined);
        if (event.type === 'start' && event.usage !== undefined) usage = event.usage;
        out += one(event);
      }
      return out;
    },
  };
}
