/**
 * @module Internal messages as OpenAI chat messages (docs/translation.md, "Writing a chat request"): text
 * as a string (some servers refuse content arrays), images as `image_url` parts, tool results as `tool`
 * messages with their images in a following user message, reasoning from history dropped.
 */
import type { Json } from '../../providers/narrow.ts';
import type { DocumentPart, ImagePart, Message, Part, Source, TextPart, ToolResultPart } from '../ir.ts';
import { invalid, notCarried, Refusal } from '../refuse.ts';
import { TEXT_JOIN } from './common.ts';

/** The owner's API, as refusals name it. */
export const OWNER_API = 'OpenAI chat completions';

/** What a tool result with `isError` starts with: OpenAI's `tool` role has no error flag. */
export const TOOL_ERROR_PREFIX = 'Error: ';

type ChatPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } } | { type: 'file'; file: Json };

export type ContentOptions = {
  /** Whether the owner reads PDFs as `file` parts (OpenAI's own API only). */
  files: boolean;
};

const url = (source: Source): string => (source.kind === 'base64' ? `data:${source.mediaType};base64,${source.data}` : source.kind === 'url' ? source.url : source.text);

/** A base64 text document's text (`text/plain`, `text/markdown`, …), decoded as UTF-8; undefined when not base64. */
function decodedText(data: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** A document as a chat part: text as text, a base64 PDF as a `file` part where the owner reads one, else refused. */
function documentPart(part: DocumentPart, field: string, options: ContentOptions): ChatPart | Refusal {
  const source = part.source;
  const titled = (text: string): ChatPart => ({ type: 'text', text: part.title === undefined ? text : `${part.title}${TEXT_JOIN}${text}` });
  if (source.kind === 'text') return titled(source.text);
  if (source.kind === 'base64' && source.mediaType.startsWith('text/')) {
    const text = decodedText(source.data);
    return text === undefined ? invalid(`${field}.source.data`, 'base64 text') : titled(text);
  }
  if (source.kind === 'base64' && source.mediaType === 'application/pdf' && options.files) {
    return { type: 'file', file: { filename: part.title ?? 'document.pdf', file_data: url(source) } };
  }
  return notCarried(field, `a ${source.kind === 'url' ? 'document by URL' : `${source.mediaType} document`}`, OWNER_API);
}

function chatPart(part: TextPart | ImagePart | DocumentPart, field: string, options: ContentOptions): ChatPart | Refusal {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image') return { type: 'image_url', image_url: { url: url(part.source) } };
  return documentPart(part, field, options);
}

/** Parts as chat `content`: one string when all text, else the array. */
function contentOf(parts: ChatPart[]): string | ChatPart[] {
  const texts: string[] = [];
  for (const part of parts) {
    if (part.type !== 'text') return parts;
    texts.push(part.text);
  }
  return texts.join(TEXT_JOIN);
}

/** A tool result's `tool` message, and its images and files for the user message that follows. */
function toolMessage(result: ToolResultPart, field: string, options: ContentOptions): { tool: Json; extra: ChatPart[] } | Refusal {
  const texts: string[] = [];
  const extra: ChatPart[] = [];
  for (let i = 0; i < result.content.length; i++) {
    const part = result.content[i];
    if (part === undefined) continue;
    const chat = chatPart(part, `${field}.content[${i}]`, options);
    if (chat instanceof Refusal) return chat;
    if (chat.type === 'text') texts.push(chat.text);
    else extra.push(chat);
  }
  const text = texts.join(TEXT_JOIN);
  return { tool: { role: 'tool', tool_call_id: result.id, content: result.isError === true ? TOOL_ERROR_PREFIX + text : text }, extra };
}

/** An assistant turn: text joined, calls as `tool_calls`; reasoning dropped (no other model can use it). */
function assistantMessage(parts: Part[]): Json {
  const texts: string[] = [];
  const calls: Json[] = [];
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'tool_call') calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments === '' ? '{}' : part.arguments } });
  }
  // `null` content is allowed only beside tool calls.
  const message: Json = { role: 'assistant', content: texts.length > 0 ? texts.join(TEXT_JOIN) : calls.length > 0 ? null : '' };
  if (calls.length > 0) message.tool_calls = calls;
  return message;
}

/**
 * A user, tool, system or developer turn: every tool result as a `tool` message first (OpenAI wants them
 * right after the assistant turn), then one user message with the results' images, then the turn's own.
 */
function otherMessages(message: Message, field: string, options: ContentOptions): Json[] | Refusal {
  const out: Json[] = [];
  const extra: ChatPart[] = [];
  const own: ChatPart[] = [];
  for (let i = 0; i < message.parts.length; i++) {
    const part = message.parts[i];
    const partField = `${field}.parts[${i}]`;
    if (part === undefined || part.type === 'reasoning' || part.type === 'tool_call') continue;
    if (part.type === 'tool_result') {
      const result = toolMessage(part, partField, options);
      if (result instanceof Refusal) return result;
      out.push(result.tool);
      if (result.extra.length > 0) extra.push({ type: 'text', text: `Returned by tool call ${part.id}:` }, ...result.extra);
      continue;
    }
    const chat = chatPart(part, partField, options);
    if (chat instanceof Refusal) return chat;
    own.push(chat);
  }
  if (extra.length > 0) out.push({ role: 'user', content: extra });
  // `developer` is OpenAI's own name; vLLM, LM Studio, llama.cpp and many gateways refuse it ("developer is
  // not one of ['system', …]"), and OpenAI takes `system` for it on every model.
  const role = message.role === 'tool' ? 'user' : message.role === 'developer' ? 'system' : message.role;
  if (own.length > 0) out.push({ role, content: role === 'user' ? contentOf(own) : textOnly(own) });
  return out;
}

/** System and developer messages hold text only: other parts are dropped. */
const textOnly = (parts: ChatPart[]): string => parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(TEXT_JOIN);

/** The whole conversation, the top-level system first as one system message. */
export function chatMessages(system: TextPart[], messages: Message[], options: ContentOptions): Json[] | Refusal {
  const out: Json[] = [];
  if (system.length > 0) out.push({ role: 'system', content: system.map((part) => part.text).join(TEXT_JOIN) });
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message === undefined) continue;
    if (message.role === 'assistant') {
      out.push(assistantMessage(message.parts));
      continue;
    }
    const written = otherMessages(message, `messages[${i}]`, options);
    if (written instanceof Refusal) return written;
    out.push(...written);
  }
  return out;
}
