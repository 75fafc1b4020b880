/**
 * @module Tokens in and out of one call, read from the provider's own usage report in the answer's
 * text (a whole body, or the first and last bytes of a stream): OpenAI's `usage` (chat, completions,
 * embeddings; Responses' `response.usage`), Anthropic's `usage` (a stream's `message_start` has the
 * input, its last `message_delta` the output), Gemini's `usageMetadata` (every stream chunk carries
 * the running total; the last is final). The usage object is found by its key, scanning from the end,
 * and only that object is parsed: a 1 MB answer is not.
 */
import { isObject, type Json } from '../providers/narrow.ts';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, OPEN_BRACE, OPEN_BRACKET, QUOTE } from '../json-chars.ts';

export type UsageFormat = 'openai' | 'anthropic' | 'gemini';

export interface Tokens {
  input: number;
  output: number;
}

/**
 * The call's tokens from `head` (the answer's first bytes, as text) and `tail` (its last bytes; the
 * whole answer when short), or null when the answer carries no usage (a stream cut short, a client
 * that did not ask OpenAI for it, an error).
 */
export function tokensFrom(format: UsageFormat, head: string, tail: string): Tokens | null {
  if (format === 'gemini') {
    const meta = lastObjectAfter(tail, '"usageMetadata"');
    if (meta === undefined) return null;
    // Thinking tokens are billed as output: https://ai.google.dev/gemini-api/docs/tokens
    return { input: count(meta.promptTokenCount), output: count(meta.candidatesTokenCount) + count(meta.thoughtsTokenCount) };
  }
  const usage = lastObjectAfter(tail, '"usage"');
  if (usage === undefined) return null;
  if (format === 'openai') {
    // Chat, completions and embeddings say prompt/completion; Responses says input/output.
    return { input: count(usage.prompt_tokens ?? usage.input_tokens), output: count(usage.completion_tokens ?? usage.output_tokens) };
  }
  // Anthropic: a stream's last `message_delta` may carry only the output; its `message_start` (the head) has the input.
  const withInput = 'input_tokens' in usage ? usage : (firstObjectAfter(head, '"usage"') ?? usage);
  return { input: anthropicInput(withInput), output: count(usage.output_tokens) };
}

/** Anthropic's `input_tokens` leaves out what was written to or read from the prompt cache: all three were sent. */
function anthropicInput(usage: Json): number {
  return count(usage.input_tokens) + count(usage.cache_creation_input_tokens) + count(usage.cache_read_input_tokens);
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/** The JSON object after the last `key:` member in `text`, if whole and parseable. */
function lastObjectAfter(text: string, key: string): Json | undefined {
  for (let at = text.lastIndexOf(key); at !== -1; at = at === 0 ? -1 : text.lastIndexOf(key, at - 1)) {
    const object = objectAt(text, at, key);
    if (object !== undefined) return object;
  }
  return undefined;
}

function firstObjectAfter(text: string, key: string): Json | undefined {
  for (let at = text.indexOf(key); at !== -1; at = text.indexOf(key, at + 1)) {
    const object = objectAt(text, at, key);
    if (object !== undefined) return object;
  }
  return undefined;
}

/**
 * The object that is the value of the member named at `at`. A member name is never preceded by a
 * backslash (inside a JSON string every quote is escaped), which tells a key from text that quotes one.
 */
function objectAt(text: string, at: number, key: string): Json | undefined {
  if (at > 0 && text.charCodeAt(at - 1) === BACKSLASH) return undefined;
  let i = at + key.length;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== COLON) return undefined;
  i++;
  while (isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  const end = objectEnd(text, i);
  if (end === -1) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(i, end));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The index just past the object opening at `start`, or -1 when the text ends first. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) depth++;
    else if ((ch === CLOSE_BRACE || ch === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  return -1;
}

const isSpace = (ch: number) => ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09;
