/**
 * @module Whole answers both ways (docs/translation.md, "Answers and streams"): an owner's
 * `chat.completion` in the internal form, and the internal answer as a client's `chat.completion`.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { AnswerContext } from '../codec.ts';
import type { Answer, Failure, Request } from '../ir.ts';
import { chatUsage, finishReason, madeUpCallId, namedStop, stopFromChat, trailingStop, usageFromChat, usageOf } from './common.ts';
import { failureOf } from './errors.ts';

/** The text of a message's `content`: a string, or the text parts some servers send as an array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (isObject(part) && typeof part.text === 'string') text += part.text;
  return text;
}

/** The reasoning text a message or delta carries: DeepSeek's `reasoning_content`, else vLLM's / OpenRouter's `reasoning`. */
export function reasoningOf(message: Json): string | undefined {
  const text = typeof message.reasoning_content === 'string' ? message.reasoning_content : message.reasoning;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** An owner's completion: reasoning, then text (a refusal is the text it said), then the calls in order. */
export function readAnswer(completion: unknown, request: Request): Answer | Failure {
  const body = isObject(completion) ? completion : {};
  if (body.error !== undefined && body.error !== null) return failureOf(body.error);
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const answer: Answer = { parts: [], stop: 'end' };
  if (typeof body.id === 'string' && body.id !== '') answer.id = body.id;
  const reasoning = reasoningOf(message);
  if (reasoning !== undefined) answer.parts.push({ type: 'reasoning', text: reasoning });
  const refusal = typeof message.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
  const text = textOf(message.content) || (refusal ?? '');
  if (text !== '') answer.parts.push({ type: 'text', text });
  const calls = Array.isArray(message.tool_calls) ? [...message.tool_calls] : [];
  if (isObject(message.function_call)) calls.push({ type: 'function', function: message.function_call });
  for (let i = 0; i < calls.length; i++) {
    const call: unknown = calls[i];
    if (!isObject(call) || !isObject(call.function)) continue;
    const args = call.function.arguments;
    answer.parts.push({
      type: 'tool_call',
      id: typeof call.id === 'string' && call.id !== '' ? call.id : madeUpCallId(answer.id, i),
      name: typeof call.function.name === 'string' ? call.function.name : '',
      arguments: typeof args === 'string' ? args : args === undefined ? '' : JSON.stringify(args),
    });
  }
  const stops = request.stop ?? [];
  const stop = refusal !== undefined ? { reason: 'refusal' as const } : stopFromChat(choice.finish_reason, namedStop(choice, stops) ?? trailingStop(text, stops), answer.parts.some((part) => part.type === 'tool_call'));
  answer.stop = stop.reason;
  if (stop.stopSequence !== undefined) answer.stopSequence = stop.stopSequence;
  const usage = usageOf(body);
  if (usage !== undefined) answer.usage = usageFromChat(usage);
  return answer;
}

/** `chatcmpl-` and the owner's id (letters, digits, `_` and `-`), or the context's random id. */
export function completionId(ownerId: string | undefined, context: AnswerContext): string {
  if (ownerId?.startsWith('chatcmpl-') === true) return ownerId;
  const id = ownerId?.replace(/[^A-Za-z0-9_-]/g, '') ?? '';
  return `chatcmpl-${id === '' ? context.randomId : id}`;
}

/** The internal answer as a client's `chat.completion`; reasoning text as `reasoning_content`, as DeepSeek and vLLM send it. */
export function writeAnswer(answer: Answer, context: AnswerContext): Record<string, unknown> {
  let text = '';
  let reasoning = '';
  const calls: Json[] = [];
  for (const part of answer.parts) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments === '' ? '{}' : part.arguments } });
  }
  const message: Json = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, refusal: null };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  const out: Json = {
    id: completionId(answer.id, context),
    object: 'chat.completion',
    created: context.now,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer.stop) }],
  };
  if (answer.usage !== undefined) out.usage = chatUsage(answer.usage);
  return out;
}
