/**
 * @module OpenAI chat `messages` in the internal form (docs/translation.md, "Reading a chat request"): a
 * leading run of system/developer messages is the top-level system, later ones stay in place; user parts
 * (text, image_url, file), assistant text, tool_calls and reasoning from history; `tool` (and the legacy
 * `function`) messages as one tool turn. Unknown roles and part types are dropped; malformed known ones refused.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { DocumentPart, ImagePart, Message, Part, TextPart, ToolResultPart } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';

type UserPart = TextPart | ImagePart | DocumentPart;

/** A `data:` URL's media type and base64 payload, or undefined for any other URL. */
function dataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+)(?:;[^;,]*)*;base64,/.exec(url);
  return match === null || match[1] === undefined ? undefined : { mediaType: match[1], data: url.slice(match[0].length) };
}

/** A string, or the text of an array of `text` (and `refusal`) parts; other parts are dropped. */
function textOf(content: unknown, field: string): string[] | Refusal {
  if (typeof content === 'string') return [content];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) return invalid(field, 'a string or an array of content parts');
  const texts: string[] = [];
  for (let i = 0; i < content.length; i++) {
    const part: unknown = content[i];
    if (!isObject(part)) return invalid(`${field}[${i}]`, 'a content part object');
    const text = part.type === 'refusal' ? part.refusal : part.text;
    if (part.type !== 'text' && part.type !== 'refusal') continue;
    if (typeof text !== 'string') return invalid(`${field}[${i}].${String(part.type)}`, 'a string');
    texts.push(text);
  }
  return texts;
}

/** One user content part; undefined for a part type no owner reads (dropped). */
function userPart(part: unknown, field: string): UserPart | Refusal | undefined {
  if (!isObject(part)) return invalid(field, 'a content part object');
  switch (part.type) {
    case 'text':
      return typeof part.text === 'string' ? { type: 'text', text: part.text } : invalid(`${field}.text`, 'a string');
    case 'image_url': {
      const image = isObject(part.image_url) ? part.image_url.url : part.image_url;
      if (typeof image !== 'string') return invalid(`${field}.image_url.url`, 'a string');
      const inline = dataUrl(image);
      return { type: 'image', source: inline === undefined ? { kind: 'url', url: image } : { kind: 'base64', ...inline } };
    }
    case 'file': {
      const file = isObject(part.file) ? part.file : {};
      if (typeof file.file_data !== 'string') {
        // A file_id names a file in OpenAI's own Files storage, which no other provider can read.
        if (file.file_id !== undefined) return new Refusal(`${field}.file.file_id: a file stored with OpenAI's Files API cannot be read by this model's provider; send it as file_data instead`);
        return invalid(`${field}.file.file_data`, 'a base64 data URL');
      }
      const inline = dataUrl(file.file_data) ?? { mediaType: 'application/pdf', data: file.file_data };
      const document: DocumentPart = { type: 'document', source: { kind: 'base64', ...inline } };
      if (typeof file.filename === 'string') document.title = file.filename;
      return document;
    }
    case 'input_audio':
      // Dropping the audio would leave the model answering a question it never heard.
      return new Refusal(`${field}: an input_audio part cannot be carried to this model's provider; remove it or call a model that takes audio through the chat API`);
    default:
      return undefined;
  }
}

function userParts(content: unknown, field: string): UserPart[] | Refusal {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return invalid(field, 'a string or an array of content parts');
  const parts: UserPart[] = [];
  for (let i = 0; i < content.length; i++) {
    const part = userPart(content[i], `${field}[${i}]`);
    if (part instanceof Refusal) return part;
    if (part !== undefined) parts.push(part);
  }
  return parts;
}

/** The state kept across messages: tool call ids → names (Gemini owners need a result's name), legacy calls. */
type History = { names: Map<string, string>; lastFunctionCall?: string };

/** Reasoning from history (DeepSeek's `reasoning_content`, OpenRouter's and vLLM's `reasoning`), then text, then calls. */
function assistant(message: Json, field: string, history: History): Part[] | Refusal {
  const parts: Part[] = [];
  const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', text: reasoning });
  const texts = textOf(message.content, `${field}.content`);
  if (texts instanceof Refusal) return texts;
  // Empty text (`content: ""` beside tool_calls, as LangChain and the AI SDK send it) says nothing; owners such as Anthropic refuse empty text blocks.
  for (const text of texts) if (text !== '') parts.push({ type: 'text', text });
  const calls: unknown = message.tool_calls ?? [];
  if (!Array.isArray(calls)) return invalid(`${field}.tool_calls`, 'an array');
  for (let i = 0; i < calls.length; i++) {
    const call: unknown = calls[i];
    const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
    if (!isObject(call) || fn === undefined || typeof call.id !== 'string' || typeof fn.name !== 'string') {
      return invalid(`${field}.tool_calls[${i}]`, 'a function call with string id and function.name');
    }
    const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    parts.push({ type: 'tool_call', id: call.id, name: fn.name, arguments: args });
    history.names.set(call.id, fn.name);
  }
  // The legacy `function_call` (one call, no id): an id is made up and the next `function` message answers it.
  const legacy = message.function_call;
  if (isObject(legacy) && typeof legacy.name === 'string') {
    const id = `call_legacy_${field.replace(/\D/g, '')}`;
    parts.push({ type: 'tool_call', id, name: legacy.name, arguments: typeof legacy.arguments === 'string' ? legacy.arguments : '{}' });
    history.names.set(id, legacy.name);
    history.lastFunctionCall = id;
  }
  return parts;
}

function toolResult(message: Json, field: string, history: History): ToolResultPart | Refusal {
  const id = message.role === 'function' ? history.lastFunctionCall : message.tool_call_id;
  if (typeof id !== 'string') {
    return message.role === 'function' ? invalid(field, 'a function message after an assistant function_call') : invalid(`${field}.tool_call_id`, 'a string');
  }
  const texts = textOf(message.content, `${field}.content`);
  if (texts instanceof Refusal) return texts;
  const result: ToolResultPart = { type: 'tool_result', id, content: texts.filter((text) => text !== '').map((text) => ({ type: 'text', text })) };
  const name = history.names.get(id) ?? (typeof message.name === 'string' ? message.name : undefined);
  if (name !== undefined) result.name = name;
  return result;
}

/** `messages` as the top-level system and the conversation. */
export function readMessages(list: unknown): { system: TextPart[]; messages: Message[] } | Refusal {
  if (!Array.isArray(list) || list.length === 0) return invalid('messages', 'a non-empty array');
  const system: TextPart[] = [];
  const messages: Message[] = [];
  const history: History = { names: new Map() };
  for (let i = 0; i < list.length; i++) {
    const message: unknown = list[i];
    const field = `messages[${i}]`;
    if (!isObject(message)) return invalid(field, 'a message object');
    const role = message.role;
    if (role === 'system' || role === 'developer') {
      const texts = textOf(message.content, `${field}.content`);
      if (texts instanceof Refusal) return texts;
      const parts: TextPart[] = texts.map((text) => ({ type: 'text', text }));
      if (messages.length === 0) system.push(...parts);
      else messages.push({ role, parts });
    } else if (role === 'user') {
      const parts = userParts(message.content, `${field}.content`);
      if (parts instanceof Refusal) return parts;
      messages.push({ role: 'user', parts });
    } else if (role === 'assistant') {
      const parts = assistant(message, field, history);
      if (parts instanceof Refusal) return parts;
      messages.push({ role: 'assistant', parts });
    } else if (role === 'tool' || role === 'function') {
      const result = toolResult(message, field, history);
      if (result instanceof Refusal) return result;
      // Consecutive tool messages answer one assistant turn: one tool turn holds them all.
      const last = messages[messages.length - 1];
      if (last?.role === 'tool') last.parts.push(result);
      else messages.push({ role: 'tool', parts: [result] });
    }
    // Any other role is dropped: no owner has a place for it.
  }
  return { system, messages };
}
