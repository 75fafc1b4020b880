/**
 * @module An ESTIMATE of a Messages request's input tokens, for `count_tokens` on a model whose owner cannot
 * count them (README, "Translation"). Not a tokenizer: about four characters a token over every text the
 * model reads, a fixed cost per image, and a little per message for the chat template.
 */
import { isObject } from '../providers/narrow.ts';

/** Characters per token for English text and code in common tokenizers (cl100k, Llama 3, Claude's). */
export const CHARS_PER_TOKEN = 4;
/** Per image: Anthropic's price of a ~1.15 megapixel image (width × height / 750); the size is not read. */
export const TOKENS_PER_IMAGE = 1600;
/** Per message: the role markers and separators a chat template adds. */
export const TOKENS_PER_MESSAGE = 4;

/** Characters of text and the number of images in one value of a request, walked once. */
function measure(value: unknown, total: { chars: number; images: number }): void {
  if (typeof value === 'string') {
    total.chars += value.length;
  } else if (Array.isArray(value)) {
    for (const item of value) measure(item, total);
  } else if (isObject(value)) {
    if (value.type === 'image') {
      total.images++;
      return;
    }
    if (value.type === 'tool_use') {
      total.chars += typeof value.name === 'string' ? value.name.length : 0;
      total.chars += JSON.stringify(value.input ?? {}).length;
      return;
    }
    // Thinking blocks are not counted: the translation drops them.
    for (const field of ['text', 'content']) measure(value[field], total);
  }
}

/** The estimated input tokens of a Messages request (system, messages, tool definitions); at least 1. */
export function estimateInputTokens(request: unknown): number {
  if (!isObject(request)) return 1;
  const total = { chars: 0, images: 0 };
  measure(request.system, total);
  const messages = Array.isArray(request.messages) ? request.messages : [];
  for (const message of messages) if (isObject(message)) measure(message.content, total);
  // A tool's name, description and schema all reach the model as text.
  if (Array.isArray(request.tools)) total.chars += JSON.stringify(request.tools).length;
  const tokens = Math.ceil(total.chars / CHARS_PER_TOKEN) + total.images * TOKENS_PER_IMAGE + messages.length * TOKENS_PER_MESSAGE;
  return Math.max(1, tokens);
}
