/**
 * @module Internal messages as Gemini `contents`. System and developer turns before the first
 * conversation turn join `systemInstruction`; later ones have no place in Gemini's turns, so they become
 * a user text part `<system>…</system>` where they stood. A function response needs the function's name:
 * taken from the result, else from the earlier call with its id. Reasoning from other owners is dropped
 * (Gemini reads only its own signed thoughts). Gemini 3 wants a `thoughtSignature` on the first call of
 * each model turn: a call brought from elsewhere gets Google's documented stand-in,
 * `skip_thought_signature_validator` (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { DocumentPart, ImagePart, Message, Source, TextPart } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';

export const STAND_IN_SIGNATURE = 'skip_thought_signature_validator';

type Content = { role: 'user' | 'model'; parts: Json[] };

export function writeContents(messages: Message[]): { contents: Content[]; system: string[] } | Refusal {
  const contents: Content[] = [];
  const system: string[] = [];
  const names = new Map<string, string>();
  const add = (role: 'user' | 'model', parts: Json[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const [m, message] of messages.entries()) {
    const field = `messages[${m}]`;
    if (message.role === 'system' || message.role === 'developer') {
      const text = message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
      if (contents.length === 0) system.push(text);
      else if (text !== '') add('user', [{ text: `<system>\n${text}\n</system>` }]);
      continue;
    }
    const parts: Json[] = [];
    /** Images and documents tools gave: after the turn's function responses (every Gemini model reads them there). */
    const toolMedia: Json[] = [];
    let calls = 0;
    for (const [p, part] of message.parts.entries()) {
      const at = `${field}.parts[${p}]`;
      if (part.type === 'text') {
        if (part.text !== '') parts.push({ text: part.text });
      } else if (part.type === 'image' || part.type === 'document') {
        parts.push(mediaPart(part));
      } else if (part.type === 'tool_call') {
        const args = argsObject(part.arguments);
        if (args === undefined) return invalid(`${at}.arguments`, 'the JSON text of an object');
        names.set(part.id, part.name);
        const signature = part.signature ?? (calls === 0 ? STAND_IN_SIGNATURE : undefined);
        parts.push({ functionCall: { id: part.id, name: part.name, args }, ...(signature === undefined ? {} : { thoughtSignature: signature }) });
        calls++;
      } else if (part.type === 'tool_result') {
        const name = part.name ?? names.get(part.id);
        if (name === undefined) return invalid(`${at}.id`, `the id of a tool call made earlier in the conversation (Gemini needs the function's name), got "${part.id}"`);
        const text = part.content.flatMap((item) => (item.type === 'text' ? [item.text] : [])).join('\n');
        parts.push({ functionResponse: { id: part.id, name, response: part.isError === true ? { error: text } : (jsonObject(text) ?? { output: text }) } });
        for (const item of part.content) if (item.type !== 'text') toolMedia.push(mediaPart(item));
      }
      // reasoning: dropped (see the module comment).
    }
    add(message.role === 'assistant' ? 'model' : 'user', [...parts, ...toolMedia]);
  }
  return { contents, system };
}

/** A call's arguments as an object (none: `{}`). */
function argsObject(text: string): Json | undefined {
  return text.trim() === '' ? {} : jsonObject(text);
}

/** The object a JSON text holds, if it holds one: a tool's JSON result is Gemini's `response` as it is. */
function jsonObject(text: string): Json | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Extensions Gemini's media types can be read from when a URL came without one. */
const TYPE_BY_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif', pdf: 'application/pdf', txt: 'text/plain' };

function mediaPart(part: ImagePart | DocumentPart | TextPart): Json {
  if (part.type === 'text') return { text: part.text };
  const source: Source = part.source;
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  if (source.kind === 'text') return { text: part.type === 'document' && part.title !== undefined ? `${part.title}\n\n${source.text}` : source.text };
  const extension = source.url.split(/[?#]/)[0]?.split('.').pop()?.toLowerCase() ?? '';
  const mimeType = source.mediaType ?? TYPE_BY_EXTENSION[extension] ?? (part.type === 'image' ? 'image/jpeg' : 'application/pdf');
  return { fileData: { mimeType, fileUri: source.url } };
}
