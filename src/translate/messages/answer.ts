/**
 * @module Whole Messages answers both ways (docs/translation.md, "Answers and streams"): an answer written
 * as an Anthropic `message` for the client, and an Anthropic owner's `message` read into the internal form.
 * Stop reasons and usage map the same way in streams (stream-reader.ts, stream-writer.ts).
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { AnswerContext } from '../codec.ts';
import type { Answer, Failure, Request, StopReason, Usage } from '../ir.ts';
import { failureFromError } from './errors.ts';
import { toolInput, toolUseId } from './write-request.ts';

const STOP_OUT: Record<StopReason, string> = {
  end: 'end_turn', max_tokens: 'max_tokens', stop_sequence: 'stop_sequence', tool_use: 'tool_use',
  refusal: 'refusal', pause: 'pause_turn', other: 'end_turn',
};

/** Anthropic's `stop_reason`; an `end` after tool calls is `tool_use` (some owners say "stop" after calls). */
export function stopReasonOut(reason: StopReason, sawToolCall: boolean): string {
  return reason === 'end' && sawToolCall ? 'tool_use' : STOP_OUT[reason];
}

const STOP_IN: Record<string, StopReason> = {
  end_turn: 'end', max_tokens: 'max_tokens', stop_sequence: 'stop_sequence', tool_use: 'tool_use',
  refusal: 'refusal', pause_turn: 'pause',
  model_context_window_exceeded: 'max_tokens', // the answer was cut by the context window: a length stop
};

export function stopReasonIn(reason: unknown): StopReason {
  return (typeof reason === 'string' ? STOP_IN[reason] : undefined) ?? 'other';
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined);

/** An Anthropic `usage` object read onto `into` (the fields it has: message_delta repeats only some). */
export function usageIn(usage: unknown, into: Usage = { input: 0, output: 0 }): Usage {
  if (!isObject(usage)) return into;
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  const read = count(usage.cache_read_input_tokens);
  const write = count(usage.cache_creation_input_tokens);
  if (input !== undefined) into.input = input;
  if (output !== undefined) into.output = output;
  if (read !== undefined) into.cacheRead = read;
  if (write !== undefined) into.cacheWrite = write;
  return into;
}

export function usageOut(usage: Usage): Json {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite ?? 0,
    cache_read_input_tokens: usage.cacheRead ?? 0,
    output_tokens: usage.output,
  };
}

/** The owner's id when it is already a `msg_` id; else `msg_` and its letters and digits, or the context's random id. */
export function messageId(id: string | undefined, context: AnswerContext): string {
  if (id !== undefined && /^msg_[A-Za-z0-9_]+$/.test(id)) return id;
  const clean = id?.replace(/[^A-Za-z0-9]/g, '') ?? '';
  return `msg_${clean === '' ? context.randomId : clean}`;
}

/**
 * Whether thinking blocks go back: the client turned thinking on (`enabled` or `adaptive`, which the reader
 * marks with `includeText`) and did not ask to omit its text. An effort alone turns no thinking on.
 */
export function wantsThinking(request: Request): boolean {
  const reasoning = request.reasoning;
  return reasoning !== undefined && reasoning.effort !== 'none' && reasoning.includeText === true;
}

/**
 * The answer as an Anthropic `message`. Thinking blocks carry an empty `signature`: no signature from us
 * would be valid, and this module's own writer drops unsigned thinking from history.
 */
export function writeAnswer(answer: Answer, context: AnswerContext): Record<string, unknown> {
  const content: Json[] = [];
  const thinking = wantsThinking(context.request);
  let sawToolCall = false;
  for (const part of answer.parts) {
    if (part.type === 'text') {
      if (part.text !== '') content.push({ type: 'text', text: part.text });
    } else if (part.type === 'tool_call') {
      sawToolCall = true;
      // The client may send this history to an Anthropic model itself: the id in the form Anthropic takes.
      content.push({ type: 'tool_use', id: toolUseId(part.id), name: part.name, input: toolInput(part.arguments) });
    } else if (thinking && part.text !== '') {
      content.push({ type: 'thinking', thinking: part.text, signature: '' });
    }
  }
  return {
    id: messageId(answer.id, context),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content,
    stop_reason: stopReasonOut(answer.stop, sawToolCall),
    stop_sequence: answer.stop === 'stop_sequence' ? answer.stopSequence ?? null : null,
    usage: usageOut(answer.usage ?? { input: context.estimatedInputTokens ?? 0, output: 0 }),
  };
}

/** An Anthropic owner's `message` read; server-side tool blocks (server_tool_use, *_tool_result) are dropped, citations too. */
export function readAnswer(body: unknown): Answer | Failure {
  if (!isObject(body)) return failureFromError(undefined, 502);
  if (body.type === 'error') return failureFromError(body.error, 500);
  const answer: Answer = { parts: [], stop: stopReasonIn(body.stop_reason) };
  if (typeof body.id === 'string') answer.id = body.id;
  if (typeof body.stop_sequence === 'string') answer.stopSequence = body.stop_sequence;
  if (isObject(body.usage)) answer.usage = usageIn(body.usage);
  const content = Array.isArray(body.content) ? body.content : [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') answer.parts.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      answer.parts.push({ type: 'tool_call', id: block.id, name: block.name, arguments: JSON.stringify(isObject(block.input) ? block.input : {}) });
    } else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      answer.parts.push(typeof block.signature === 'string' && block.signature !== '' ? { type: 'reasoning', text: block.thinking, signature: block.signature } : { type: 'reasoning', text: block.thinking });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      answer.parts.push({ type: 'reasoning', text: '', redacted: block.data });
    }
  }
  return answer;
}
