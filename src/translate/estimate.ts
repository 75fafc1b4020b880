/**
 * @module An ESTIMATE of a request's input tokens, for a count asked of an owner that has no counter
 * (an OpenAI-compatible chat owner) and for the input a stream reports before its owner does
 * (docs/translation.md, "Counting tokens"). Not a tokenizer: about four characters a token over every
 * text the model reads, a fixed cost per image or document, and a little per message for the template.
 */
import type { Part, Request } from './ir.ts';

/** Characters per token for English text and code in common tokenizers (cl100k, Llama 3, Claude's). */
export const CHARS_PER_TOKEN = 4;
/** Per image: Anthropic's price of a ~1.15 megapixel image (width × height / 750); the size is not read. */
export const TOKENS_PER_IMAGE = 1600;
/** Per binary document (a PDF): about one page's text and image, as Anthropic prices a page; pages are not read. */
export const TOKENS_PER_DOCUMENT = 3000;
/** Per message: the role markers and separators a chat template adds. */
export const TOKENS_PER_MESSAGE = 4;

type Tally = { chars: number; tokens: number };

function measure(part: Part, tally: Tally): void {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      tally.chars += part.text.length;
      return;
    case 'image':
      tally.tokens += TOKENS_PER_IMAGE;
      return;
    case 'document':
      if (part.source.kind === 'text') tally.chars += part.source.text.length;
      else tally.tokens += TOKENS_PER_DOCUMENT;
      return;
    case 'tool_call':
      tally.chars += part.name.length + part.arguments.length;
      return;
    case 'tool_result':
      for (const inner of part.content) measure(inner, tally);
      return;
  }
}

/** The estimated input tokens of a request (instructions, messages, tool definitions); at least 1. */
export function estimateInputTokens(request: Request): number {
  const tally: Tally = { chars: 0, tokens: 0 };
  for (const part of request.system) measure(part, tally);
  for (const message of request.messages) for (const part of message.parts) measure(part, tally);
  // A tool's name, description and schema all reach the model as text.
  if (request.tools !== undefined) tally.chars += JSON.stringify(request.tools).length;
  const tokens = Math.ceil(tally.chars / CHARS_PER_TOKEN) + tally.tokens + request.messages.length * TOKENS_PER_MESSAGE;
  return Math.max(1, tokens);
}
