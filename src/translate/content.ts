/**
 * @module Anthropic message content blocks to OpenAI chat messages (README, "Translation"): one user turn
 * becomes its `tool` messages first (OpenAI wants them right after the assistant turn that asked), then one
 * `user` message; one assistant turn becomes one `assistant` message with `tool_calls`.
 */
import { isObject, type Json } from '../providers/narrow.ts';
import { invalid, notTranslated, Refusal } from './refuse.ts';

/** Text parts of one turn are joined with this: OpenAI-compatible servers differ on content arrays, a string works everywhere. */
export const TEXT_JOIN = '\n';

/** What a tool result with `is_error: true` starts with: OpenAI's `tool` role has no error flag. */
export const TOOL_ERROR_PREFIX = 'Error: ';

/** Block types dropped from history: the model's earlier reasoning, which no other model can use or verify. */
const DROPPED_ASSISTANT_BLOCKS = new Set(['thinking', 'redacted_thinking']);

type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** An image block's source as the URL OpenAI's `image_url` takes: a `data:` URL for base64, the URL itself for `url`. */
function imageUrl(block: Json, field: string): string | Refusal {
  const source = block.source;
  if (!isObject(source)) return invalid(`${field}.source`, 'an object');
  if (source.type === 'base64') {
    if (typeof source.media_type !== 'string' || typeof source.data !== 'string') return invalid(`${field}.source`, 'media_type and data strings');
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (source.type === 'url') return typeof source.url === 'string' ? source.url : invalid(`${field}.source.url`, 'a string');
  return notTranslated(`${field}.source.type`, `an image source of type ${JSON.stringify(source.type)} (Files API)`);
}

/** A user-side text or image block as an OpenAI content part; anything else is refused, named. */
function userPart(block: unknown, field: string): Part | Refusal {
  if (!isObject(block)) return invalid(field, 'a content block object');
  if (block.type === 'text') return typeof block.text === 'string' ? { type: 'text', text: block.text } : invalid(`${field}.text`, 'a string');
  if (block.type === 'image') {
    const url = imageUrl(block, field);
    return url instanceof Refusal ? url : { type: 'image_url', image_url: { url } };
  }
  if (block.type === 'document') return notTranslated(`${field}.type`, 'a document block (PDF or text document)');
  return notTranslated(`${field}.type`, `a ${JSON.stringify(block.type)} block`);
}

/** Parts as OpenAI `content`: a string when all text, else the array (images need it). */
function contentOf(parts: Part[]): string | Part[] {
  const texts: string[] = [];
  for (const part of parts) {
    if (part.type !== 'text') return parts;
    texts.push(part.text);
  }
  return texts.join(TEXT_JOIN);
}

/** A `tool_result` block: its `tool` message, plus its images (OpenAI tool messages hold text only). */
function toolResult(block: Json, field: string): { tool: Json; images: Part[] } | Refusal {
  if (typeof block.tool_use_id !== 'string') return invalid(`${field}.tool_use_id`, 'a string');
  const texts: string[] = [];
  const images: Part[] = [];
  if (typeof block.content === 'string') {
    texts.push(block.content);
  } else if (Array.isArray(block.content)) {
    for (let i = 0; i < block.content.length; i++) {
      const part = userPart(block.content[i], `${field}.content[${i}]`);
      if (part instanceof Refusal) return part;
      if (part.type === 'text') texts.push(part.text);
      else images.push(part);
    }
  } else if (block.content !== undefined) {
    return invalid(`${field}.content`, 'a string or an array of blocks');
  }
  const text = texts.join(TEXT_JOIN);
  const content = block.is_error === true ? TOOL_ERROR_PREFIX + text : text;
  return { tool: { role: 'tool', tool_call_id: block.tool_use_id, content }, images };
}

/**
 * A user turn's blocks as OpenAI messages: every `tool_result` as a `tool` message in order; then, if any
 * result held images, one `user` message carrying them (named by tool call); then the turn's own text and
 * images as one `user` message.
 */
export function userMessages(content: unknown, field: string): Json[] | Refusal {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) return invalid(field, 'a string or an array of content blocks');
  const tools: Json[] = [];
  const toolImages: Part[] = [];
  const parts: Part[] = [];
  for (let i = 0; i < content.length; i++) {
    const block: unknown = content[i];
    const blockField = `${field}[${i}]`;
    if (isObject(block) && block.type === 'tool_result') {
      const result = toolResult(block, blockField);
      if (result instanceof Refusal) return result;
      tools.push(result.tool);
      if (result.images.length > 0) toolImages.push({ type: 'text', text: `Images returned by tool call ${String(block.tool_use_id)}:` }, ...result.images);
      continue;
    }
    const part = userPart(block, blockField);
    if (part instanceof Refusal) return part;
    parts.push(part);
  }
  const messages = tools;
  if (toolImages.length > 0) messages.push({ role: 'user', content: toolImages });
  if (parts.length > 0) messages.push({ role: 'user', content: contentOf(parts) });
  return messages;
}

/** An assistant turn as one OpenAI `assistant` message: text joined, `tool_use` blocks as `tool_calls` in order. */
export function assistantMessage(content: unknown, field: string): Json | Refusal {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) return invalid(field, 'a string or an array of content blocks');
  const texts: string[] = [];
  const calls: Json[] = [];
  for (let i = 0; i < content.length; i++) {
    const block: unknown = content[i];
    const blockField = `${field}[${i}]`;
    if (!isObject(block)) return invalid(blockField, 'a content block object');
    if (block.type === 'text') {
      if (typeof block.text !== 'string') return invalid(`${blockField}.text`, 'a string');
      texts.push(block.text);
    } else if (block.type === 'tool_use') {
      if (typeof block.id !== 'string' || typeof block.name !== 'string') return invalid(blockField, 'a tool_use block with string id and name');
      calls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    } else if (typeof block.type !== 'string' || !DROPPED_ASSISTANT_BLOCKS.has(block.type)) {
      return notTranslated(`${blockField}.type`, `a ${JSON.stringify(block.type)} block`);
    }
  }
  // `null` content is allowed only beside tool calls; a turn of dropped thinking alone becomes empty text.
  const message: Json = { role: 'assistant', content: texts.length > 0 ? texts.join(TEXT_JOIN) : calls.length > 0 ? null : '' };
  if (calls.length > 0) message.tool_calls = calls;
  return message;
}
