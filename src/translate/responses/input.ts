/**
 * @module A Responses request's `input` (a string, or a list of items) as internal messages
 * (docs/translation.md, "Reading a Responses request"). Consecutive assistant items (reasoning, message,
 * function calls) make one assistant turn and consecutive `function_call_output` items one tool turn.
 * Unknown item types, roles and content parts are dropped; items that only make sense inside OpenAI's
 * own account (stored files, item references, client-run built-in tools) are refused, since dropping
 * them would lose part of the conversation unnoticed.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { DocumentPart, ImagePart, Message, Part, Role, Source, TextPart } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';

/** A refusal for what lives in OpenAI's own account (stored files, stored items, server-side state). */
export function openaiOnly(field: string, what: string): Refusal {
  return new Refusal(`${field}: ${what} only exists in OpenAI's own service and cannot be used with this model's provider; send the content itself instead`);
}

/** Items of built-in tools the client runs (a call and its output): a tool turn no other owner can take. */
const CLIENT_RUN_CALLS = new Set([
  'computer_call', 'computer_call_output', 'local_shell_call', 'local_shell_call_output', 'shell_call', 'shell_call_output',
  'apply_patch_call', 'apply_patch_call_output', 'custom_tool_call', 'custom_tool_call_output', 'mcp_approval_request', 'mcp_approval_response',
]);

const MESSAGE_ROLES = new Set<string>(['user', 'assistant', 'system', 'developer']);

/** `data:<media type>;base64,<data>` as a base64 source; undefined when it is not one. */
function dataUrl(url: string): Source | undefined {
  const match = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return match ? { kind: 'base64', mediaType: match[1] ?? '', data: match[2] ?? '' } : undefined;
}

function imagePart(part: Json, field: string): ImagePart | Refusal {
  if (typeof part.image_url === 'string') {
    return { type: 'image', source: dataUrl(part.image_url) ?? { kind: 'url', url: part.image_url } };
  }
  if (typeof part.file_id === 'string') return openaiOnly(`${field}.file_id`, 'an image uploaded to OpenAI (file_id)');
  return invalid(`${field}.image_url`, 'a data: or http(s) URL');
}

function filePart(part: Json, field: string): DocumentPart | Refusal {
  const title = typeof part.filename === 'string' ? part.filename : undefined;
  if (typeof part.file_data === 'string') {
    // The SDKs send a data URL; bare base64 is taken as a PDF, the only file type the API reads.
    const source = dataUrl(part.file_data) ?? { kind: 'base64', mediaType: 'application/pdf', data: part.file_data };
    return title === undefined ? { type: 'document', source } : { type: 'document', source, title };
  }
  if (typeof part.file_url === 'string') {
    const source: Source = { kind: 'url', url: part.file_url };
    return title === undefined ? { type: 'document', source } : { type: 'document', source, title };
  }
  if (typeof part.file_id === 'string') return openaiOnly(`${field}.file_id`, 'a file uploaded to OpenAI (file_id)');
  return invalid(field, 'an input_file with file_data or file_url');
}

/** One content part; null for a part type that is dropped. */
function contentPart(part: unknown, field: string): TextPart | ImagePart | DocumentPart | Refusal | null {
  if (!isObject(part)) return invalid(field, 'a content part object');
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return typeof part.text === 'string' ? { type: 'text', text: part.text } : invalid(`${field}.text`, 'a string');
    case 'refusal': // an assistant's earlier refusal, kept as what it said
      return typeof part.refusal === 'string' ? { type: 'text', text: part.refusal } : invalid(`${field}.refusal`, 'a string');
    case 'input_image':
      return imagePart(part, field);
    case 'input_file':
      return filePart(part, field);
    default:
      return null;
  }
}

/** A message's or a tool output's content: a string or a list of parts. */
export function contentParts(content: unknown, field: string): Array<TextPart | ImagePart | DocumentPart> | Refusal {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return invalid(field, 'a string or an array of content parts');
  const parts: Array<TextPart | ImagePart | DocumentPart> = [];
  for (const [index, raw] of content.entries()) {
    const part = contentPart(raw, `${field}[${index}]`);
    if (part instanceof Refusal) return part;
    if (part) parts.push(part);
  }
  return parts;
}

/** The reasoning text of a `reasoning` item: its summaries (or its full text, where given); encrypted content is OpenAI's own. */
function reasoningText(item: Json): string {
  const texts: string[] = [];
  for (const list of [item.summary, item.content]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) if (isObject(entry) && typeof entry.text === 'string' && entry.text !== '') texts.push(entry.text);
    if (texts.length > 0) break; // the summary is a summary of the content: one of them
  }
  return texts.join('\n\n');
}

/** Appends parts to the last turn when it has this role, else starts a turn. */
function append(messages: Message[], role: Role, parts: Part[]): void {
  const last = messages.at(-1);
  if (last && last.role === role && (role === 'assistant' || role === 'tool')) last.parts.push(...parts);
  else messages.push({ role, parts });
}

/** One input item into `messages`; a refusal, or undefined when read (or dropped). */
function readItem(item: unknown, field: string, messages: Message[]): Refusal | undefined {
  if (!isObject(item)) return invalid(field, 'an input item object');
  const type = item.type ?? (typeof item.role === 'string' ? 'message' : undefined);
  switch (type) {
    case 'message': {
      if (typeof item.role !== 'string' || !MESSAGE_ROLES.has(item.role)) return undefined; // unknown role: dropped
      const parts = contentParts(item.content, `${field}.content`);
      if (parts instanceof Refusal) return parts;
      append(messages, item.role as Role, parts);
      return undefined;
    }
    case 'function_call': {
      if (typeof item.call_id !== 'string' || item.call_id === '') return invalid(`${field}.call_id`, 'a string');
      if (typeof item.name !== 'string' || item.name === '') return invalid(`${field}.name`, 'a string');
      if (item.arguments !== undefined && typeof item.arguments !== 'string') return invalid(`${field}.arguments`, 'a JSON string');
      const args = typeof item.arguments === 'string' && item.arguments !== '' ? item.arguments : '{}';
      append(messages, 'assistant', [{ type: 'tool_call', id: item.call_id, name: item.name, arguments: args }]);
      return undefined;
    }
    case 'function_call_output': {
      if (typeof item.call_id !== 'string' || item.call_id === '') return invalid(`${field}.call_id`, 'a string');
      const content = contentParts(item.output, `${field}.output`);
      if (content instanceof Refusal) return content;
      append(messages, 'tool', [{ type: 'tool_result', id: item.call_id, content }]);
      return undefined;
    }
    case 'reasoning': {
      const text = reasoningText(item);
      if (text !== '') append(messages, 'assistant', [{ type: 'reasoning', text }]);
      return undefined;
    }
    case 'item_reference':
      // A reasoning item (`rs_…`) is never needed to go on (no other owner can take OpenAI's or another
      // owner's reasoning back): dropped. Anything else would lose a turn: refused, saying how to send it whole.
      if (typeof item.id === 'string' && item.id.startsWith('rs_')) return undefined;
      return new Refusal(`${field}: an item_reference points at an item stored in OpenAI's own service, and translated answers are never stored; send the item itself (with the AI SDK: providerOptions.openai.store = false)`);
    default:
      if (typeof type === 'string' && CLIENT_RUN_CALLS.has(type)) {
        return new Refusal(`${field}: a "${type}" item (a built-in OpenAI tool) cannot be carried to this model's provider; use function tools instead`);
      }
      // OpenAI's record of a step it ran itself (web_search_call, file_search_call, code_interpreter_call,
      // image_generation_call, mcp_call, …: what it found is in the assistant's text after it) and unknown items: dropped.
      return undefined;
  }
}

/** `input` as messages. */
export function readInput(input: unknown): Message[] | Refusal {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', text: input }] }];
  if (!Array.isArray(input)) return invalid('input', 'a string or an array of input items');
  const messages: Message[] = [];
  for (const [index, item] of input.entries()) {
    const refusal = readItem(item, `input[${index}]`, messages);
    if (refusal) return refusal;
  }
  return messages.filter((message) => message.parts.length > 0);
}
