/**
 * @module Anthropic Messages content blocks read into the internal form's parts (docs/translation.md,
 * "Reading a Messages request"): what each block becomes, what is dropped (and why that is harmless), and
 * the few blocks refused because they point at something only the Anthropic account has.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { CacheHint, DocumentPart, ImagePart, Part, Source, TextPart, ToolResultPart } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';

/** A refusal for what only Anthropic's own servers can honour (the owner is never Anthropic here: that call is forwarded natively). */
export function anthropicOnly(field: string, what: string): Refusal {
  return new Refusal(`${field}: ${what} exists only on Anthropic's side and cannot be translated for this model's provider; remove it or call a model whose provider speaks the Messages API`);
}

export function cacheOf(block: Json): CacheHint | undefined {
  return isObject(block.cache_control) ? block.cache_control : undefined;
}

function withCache<T extends TextPart | ImagePart | DocumentPart | ToolResultPart>(part: T, block: Json): T {
  const cache = cacheOf(block);
  if (cache !== undefined) part.cache = cache;
  return part;
}

/** An image or document `source`; `file` (a Files API id of the caller's Anthropic account) is refused. */
function source(block: Json, field: string, document: boolean): Source | Refusal {
  const src = block.source;
  if (!isObject(src)) return invalid(`${field}.source`, 'an object');
  switch (src.type) {
    case 'base64':
      if (typeof src.media_type !== 'string' || typeof src.data !== 'string') return invalid(`${field}.source`, 'media_type and data strings');
      return { kind: 'base64', mediaType: src.media_type, data: src.data };
    case 'url':
      if (typeof src.url !== 'string') return invalid(`${field}.source.url`, 'a string');
      return document ? { kind: 'url', url: src.url, mediaType: 'application/pdf' } : { kind: 'url', url: src.url };
    case 'text':
      if (!document) break;
      if (typeof src.data !== 'string') return invalid(`${field}.source.data`, 'a string');
      return { kind: 'text', text: src.data, mediaType: typeof src.media_type === 'string' ? src.media_type : 'text/plain' };
    case 'content': {
      // A custom-content document: its text blocks as one plain-text document.
      if (!document) break;
      if (typeof src.content === 'string') return { kind: 'text', text: src.content, mediaType: 'text/plain' };
      const texts = Array.isArray(src.content) ? src.content.filter((item): item is Json => isObject(item) && typeof item.text === 'string').map((item) => String(item.text)) : [];
      return { kind: 'text', text: texts.join('\n\n'), mediaType: 'text/plain' };
    }
    case 'file':
      return anthropicOnly(`${field}.source`, 'a Files API file id');
  }
  return invalid(`${field}.source.type`, document ? '"base64", "url", "text" or "content"' : '"base64" or "url"');
}

function text(block: Json, field: string): TextPart | Refusal {
  if (typeof block.text !== 'string') return invalid(`${field}.text`, 'a string');
  // `citations` are dropped: they annotate text the model already has.
  return withCache<TextPart>({ type: 'text', text: block.text }, block);
}

/** A `search_result` block (RAG content with a source) as plain text: the model still reads title, source and content. */
function searchResult(block: Json): TextPart {
  const texts = Array.isArray(block.content) ? block.content.filter((item): item is Json => isObject(item) && typeof item.text === 'string').map((item) => String(item.text)) : [];
  const head = [block.title, block.source].filter((value) => typeof value === 'string').join('\n');
  return withCache<TextPart>({ type: 'text', text: head === '' ? texts.join('\n\n') : `${head}\n\n${texts.join('\n\n')}` }, block);
}

/**
 * A block that may stand in a user turn or a tool result: text, image, document, search_result.
 * `undefined`: dropped (a block type this reader does not know, e.g. a newer one).
 */
function mediaBlock(block: Json, field: string): TextPart | ImagePart | DocumentPart | Refusal | undefined {
  switch (block.type) {
    case 'text': return text(block, field);
    case 'image': {
      const src = source(block, field, false);
      return src instanceof Refusal ? src : withCache<ImagePart>({ type: 'image', source: src }, block);
    }
    case 'document': {
      const src = source(block, field, true);
      if (src instanceof Refusal) return src;
      const part: DocumentPart = withCache<DocumentPart>({ type: 'document', source: src }, block);
      if (typeof block.title === 'string') part.title = block.title;
      return part;
    }
    case 'search_result': return searchResult(block);
    case 'container_upload': return anthropicOnly(`${field}`, 'a container_upload block (a Files API file for code execution)');
  }
  return undefined;
}

function toolResult(block: Json, field: string, names: Map<string, string>): ToolResultPart | Refusal {
  if (typeof block.tool_use_id !== 'string') return invalid(`${field}.tool_use_id`, 'a string');
  const part: ToolResultPart = withCache<ToolResultPart>({ type: 'tool_result', id: block.tool_use_id, content: [] }, block);
  const name = names.get(block.tool_use_id);
  if (name !== undefined) part.name = name;
  if (block.is_error === true) part.isError = true;
  if (typeof block.content === 'string') {
    if (block.content !== '') part.content.push({ type: 'text', text: block.content });
  } else if (Array.isArray(block.content)) {
    for (let i = 0; i < block.content.length; i++) {
      const item: unknown = block.content[i];
      if (!isObject(item)) return invalid(`${field}.content[${i}]`, 'a content block object');
      const read = mediaBlock(item, `${field}.content[${i}]`);
      if (read instanceof Refusal) return read;
      if (read !== undefined) part.content.push(read);
    }
  } else if (block.content !== undefined) {
    return invalid(`${field}.content`, 'a string or an array of blocks');
  }
  return part;
}

/** A block of an assistant turn: text, tool_use, thinking, redacted_thinking; server-side tool blocks are dropped. */
function assistantBlock(block: Json, field: string, names: Map<string, string>): Part | Refusal | undefined {
  switch (block.type) {
    case 'text': return text(block, field);
    case 'tool_use':
      if (typeof block.id !== 'string' || typeof block.name !== 'string') return invalid(field, 'a tool_use block with string id and name');
      names.set(block.id, block.name);
      return { type: 'tool_call', id: block.id, name: block.name, arguments: JSON.stringify(isObject(block.input) ? block.input : {}) };
    case 'thinking': {
      if (typeof block.thinking !== 'string') return invalid(`${field}.thinking`, 'a string');
      return typeof block.signature === 'string' && block.signature !== '' ? { type: 'reasoning', text: block.thinking, signature: block.signature } : { type: 'reasoning', text: block.thinking };
    }
    case 'redacted_thinking':
      return typeof block.data === 'string' ? { type: 'reasoning', text: '', redacted: block.data } : invalid(`${field}.data`, 'a string');
  }
  // server_tool_use, web_search_tool_result, mcp_tool_use, … ran on Anthropic's side: the text that followed stays.
  return undefined;
}

/**
 * One turn's content (a string or blocks) as parts. `names` maps tool_use ids to tool names as the history
 * goes (tool results carry the name, which Gemini needs). Blocks of unknown types are dropped.
 */
export function readContent(content: unknown, field: string, role: 'user' | 'assistant' | 'system', names: Map<string, string>): Part[] | Refusal {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return invalid(field, 'a string or an array of content blocks');
  const parts: Part[] = [];
  for (let i = 0; i < content.length; i++) {
    const block: unknown = content[i];
    const blockField = `${field}[${i}]`;
    if (!isObject(block)) return invalid(blockField, 'a content block object');
    let part: Part | Refusal | undefined;
    if (role === 'assistant') part = assistantBlock(block, blockField, names);
    else if (role === 'system') part = block.type === 'text' ? text(block, blockField) : undefined;
    else part = block.type === 'tool_result' ? toolResult(block, blockField, names) : mediaBlock(block, blockField);
    if (part instanceof Refusal) return part;
    if (part !== undefined) parts.push(part);
  }
  return parts;
}
