/**
 * @module Internal stream events as Gemini's `alt=sse` stream: each event `data: {GenerateContentResponse}`
 * ended by CRLF CRLF, as Google sends them. Text (and, when `includeThoughts` was asked, thought) parts go
 * out as they come; a `functionCall` goes out whole, once its arguments' JSON closes or the answer stops
 * (Gemini never splits a call); the last event carries `finishReason` and `usageMetadata`. A failure is
 * Google's error object written bare, the form `@google/genai` looks for in a stream.
 */
import type { AnswerContext, StreamWriter } from '../codec.ts';
import type { Event, StopReason, Usage } from '../ir.ts';
import { follow, jsonProgress, type JsonProgress } from '../json-close.ts';
import { argsOf, foreignSignatureOut } from './answer.ts';
import { geminiErrorJson } from './errors.ts';
import { writeFinish, writeUsage } from './usage.ts';

/** A call being held: its pieces, and where its JSON stands (depth, inside a string, after a backslash). */
type HeldCall = JsonProgress & { id: string; name: string; signature?: string; text: string; sent: boolean };

export function geminiStreamWriter(context: AnswerContext): StreamWriter {
  const thoughts = context.request.reasoning?.includeText === true;
  let responseId = context.randomId;
  // Every event's tail is the same: only the parts differ.
  let tail = '';
  const setTail = (): void => {
    tail = `,"modelVersion":${JSON.stringify(context.model)},"responseId":${JSON.stringify(responseId)}}\r\n\r\n`;
  };
  setTail();
  const head = 'data: {"candidates":[{"content":{"parts":[';
  const middle = '],"role":"model"},"index":0}]';
  const calls = new Map<number, HeldCall>();
  let stop: StopReason | undefined;
  let usage: Usage | undefined;
  let over = false;

  const chunk = (parts: string): string => head + parts + middle + tail;

  function sendCall(call: HeldCall): string {
    call.sent = true;
    const part = `{"functionCall":${JSON.stringify({ id: call.id, name: call.name, args: argsOf(call.text) })}${call.signature === undefined ? '' : `,"thoughtSignature":${JSON.stringify(call.signature)}`}}`;
    return chunk(part);
  }

  /** Every call not yet sent, in index order (an answer that stops ends its calls). */
  function flushCalls(): string {
    let out = '';
    for (const index of [...calls.keys()].sort((a, b) => a - b)) {
      const call = calls.get(index);
      if (call !== undefined && !call.sent) out += sendCall(call);
    }
    return out;
  }

  function last(): string {
    const finish = `,"finishReason":"${writeFinish(stop)}"`;
    const metadata = usage === undefined ? '' : `,"usageMetadata":${JSON.stringify(writeUsage(usage))}`;
    return `data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"}${finish},"index":0}]${metadata}${tail}`;
  }

  return {
    write(events: readonly Event[]): string {
      let out = '';
      let text = '';
      const flushText = (): void => {
        if (text !== '') out += chunk(`{"text":${JSON.stringify(text)}}`);
        text = '';
      };
      for (const event of events) {
        if (over) break;
        if (event.type === 'text') {
          text += event.text; // consecutive deltas of one write go out as one part
          continue;
        }
        flushText();
        switch (event.type) {
          case 'start':
            if (event.id !== undefined && event.id !== '') {
              responseId = event.id;
              setTail();
            }
            if (event.usage !== undefined) usage = event.usage;
            break;
          case 'reasoning':
            if (thoughts && (event.text !== '' || event.signature !== undefined)) {
              out += chunk(`{"text":${JSON.stringify(event.text)},"thought":true${event.signature === undefined ? '' : `,"thoughtSignature":${JSON.stringify(foreignSignatureOut(event.signature))}`}}`);
            }
            break;
          case 'tool_call': {
            let call = calls.get(event.index);
            if (call === undefined) {
              call = { id: event.id ?? `call_${responseId}_${event.index}`, name: event.name ?? '', text: '', ...jsonProgress(), sent: false };
              calls.set(event.index, call);
            }
            if (event.signature !== undefined) call.signature = event.signature;
            if (call.sent) break;
            call.text += event.arguments;
            if (follow(call, event.arguments)) out += sendCall(call);
            break;
          }
          case 'usage':
            usage = event.usage;
            break;
          case 'stop':
            stop = event.reason;
            out += flushCalls();
            break;
          case 'done':
            over = true;
            out += flushCalls() + last();
            break;
          case 'error': {
            over = true;
            out += `${geminiErrorJson(event.failure).text}\r\n`;
            break;
          }
        }
      }
      flushText();
      return out;
    },
  };
}

