/** @module A whole (non-streamed) OpenAI `chat.completion` as an Anthropic `message` (README, "Translation"). */
import { isObject, type Json } from '../providers/narrow.ts';
import { anthropicUsage, messageId, namedStop, stopReason, toolInput, trailingStop, usageOf, type RequestFacts } from './answer.ts';

/** The text of a message's `content`: a string, or the text parts some servers send as an array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (isObject(part) && typeof part.text === 'string') text += part.text;
  return text;
}

/**
 * An OpenAI chat completion as an Anthropic message for the client's `model` id: text first, then one
 * `tool_use` block per tool call in order; `stop_reason` and `usage` as README, "Translation" says.
 * Only the first choice is read: the translation never asks for more than one.
 */
export function chatToMessage(completion: unknown, model: string, request: RequestFacts = {}): Record<string, unknown> {
  const body = isObject(completion) ? completion : {};
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: Json[] = [];
  // A refusal (OpenAI structured outputs) is the answer's text: it is what the model said.
  const text = textOf(message.content) || (typeof message.refusal === 'string' ? message.refusal : '');
  if (text !== '') content.push({ type: 'text', text });
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  for (const call of calls) {
    if (!isObject(call) || !isObject(call.function)) continue;
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : `toolu_${content.length}`;
    const name = typeof call.function.name === 'string' ? call.function.name : '';
    content.push({ type: 'tool_use', id, name, input: toolInput(call.function.arguments) });
  }
  const stops = request.stopSequences ?? [];
  const matched = namedStop(choice, stops) ?? trailingStop(text, stops);
  const refused = typeof message.refusal === 'string' && message.refusal !== '';
  const stop = refused ? { stop_reason: 'refusal', stop_sequence: null } : stopReason(choice.finish_reason, matched, content.some((block) => block.type === 'tool_use'));
  const usage = usageOf(body);
  return {
    id: messageId(body.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    ...stop,
    usage: usage === undefined ? { input_tokens: 0, output_tokens: 0 } : anthropicUsage(usage),
  };
}
