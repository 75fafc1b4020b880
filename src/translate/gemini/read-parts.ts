/**
 * @module A Gemini client's `contents` as internal messages (docs/translation.md, "Reading a Gemini
 * request"). `model` turns become assistant turns; a `user` turn's `functionResponse` parts become a tool
 * turn and its other parts a user turn, in their order. Calls without an `id` get one made up
 * (`call_<turn>_<n>`) and the responses without one get the id of the first unanswered call of the same
 * name in the model turn before them, so every owner sees matching pairs.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { DocumentPart, ImagePart, Message, Part, ToolCallPart, ToolResultPart } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';
import { foreignSignatureIn } from './answer.ts';

/** The Files API's uris name a file in the caller's Google account: no other owner can fetch them. */
const FILES_API = /^https:\/\/generativelanguage\.googleapis\.com\/[^?#]*\/files\//;

type Call = { id: string; name: string; answered: boolean };

/** Why a part cannot go to another owner: the loss would change the answer unnoticed. */
export function untranslatable(field: string, what: string): Refusal {
  return new Refusal(`${field}: ${what} cannot be translated for this model's provider; remove it or call a Gemini model`);
}

export function readContents(contents: unknown): Message[] | Refusal {
  if (!Array.isArray(contents)) return invalid('contents', 'an array of Content objects');
  const messages: Message[] = [];
  /** The calls of the last model turn, for responses without an id. */
  let calls: Call[] = [];
  for (const [turn, content] of contents.entries()) {
    const field = `contents[${turn}]`;
    if (!isObject(content)) return invalid(field, 'a Content object');
    if (!Array.isArray(content.parts)) return invalid(`${field}.parts`, 'an array of Part objects');
    const role = content.role ?? 'user';
    if (role === 'model') {
      const read = modelParts(content.parts, field, turn);
      if (read instanceof Refusal) return read;
      calls = read.calls;
      if (read.parts.length > 0) messages.push({ role: 'assistant', parts: read.parts });
    } else if (role === 'user' || role === 'function' || role === 'tool' || role === 'system') {
      // `function` is the role older SDKs gave the turn of function responses; `system` in contents is
      // not Gemini's, but an instruction in place is what such a client means.
      const read = userParts(content.parts, field, calls);
      if (read instanceof Refusal) return read;
      for (const message of read) messages.push(role === 'system' ? { role: 'system', parts: message.parts.filter((part) => part.type === 'text') } : message);
    }
    // Any other role is not Gemini's: the turn is dropped (documented).
  }
  return messages;
}

function modelParts(parts: unknown[], field: string, turn: number): { parts: Part[]; calls: Call[] } | Refusal {
  const out: Part[] = [];
  const calls: Call[] = [];
  for (const [index, part] of parts.entries()) {
    if (!isObject(part)) return invalid(`${field}.parts[${index}]`, 'a Part object');
    const signature = typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined;
    if (isObject(part.functionCall)) {
      const call = part.functionCall;
      if (typeof call.name !== 'string' || call.name === '') return invalid(`${field}.parts[${index}].functionCall.name`, 'a function name');
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : `call_${turn}_${calls.length}`;
      const args = call.args ?? {};
      if (!isObject(args)) return invalid(`${field}.parts[${index}].functionCall.args`, 'an object');
      const toolCall: ToolCallPart = { type: 'tool_call', id, name: call.name, arguments: JSON.stringify(args) };
      if (signature !== undefined) toolCall.signature = signature;
      out.push(toolCall);
      calls.push({ id, name: call.name, answered: false });
    } else if (typeof part.text === 'string') {
      if (part.thought === true) {
        // Only another owner's signature we marked is kept (for that owner); Gemini's own is dropped, as a Gemini owner is given no thoughts back.
        const foreign = signature === undefined ? undefined : foreignSignatureIn(signature);
        const last = out[out.length - 1];
        // A thought streamed in pieces (its signature last, as our writer sends an Anthropic one) and kept so
        // by the client is one thought: the signature signs all of its text.
        if (last?.type === 'reasoning' && last.signature === undefined && last.redacted === undefined) {
          last.text += part.text;
          if (foreign !== undefined) last.signature = foreign;
        } else if (part.text !== '' || foreign !== undefined) {
          out.push(foreign === undefined ? { type: 'reasoning', text: part.text } : { type: 'reasoning', text: part.text, signature: foreign });
        }
      } else if (part.text !== '') out.push({ type: 'text', text: part.text });
    } else {
      const media = mediaPart(part, `${field}.parts[${index}]`);
      if (media instanceof Refusal) return media;
      if (media !== undefined) out.push(media);
    }
    // executableCode / codeExecutionResult come only from the codeExecution tool, refused in `tools`: dropped.
  }
  return { parts: out, calls };
}

/** A user turn's parts: runs of function responses become tool turns, the rest user turns. */
function userParts(parts: unknown[], field: string, calls: Call[]): Message[] | Refusal {
  const messages: Message[] = [];
  const push = (role: 'user' | 'tool', part: Part): void => {
    const last = messages[messages.length - 1];
    if (last?.role === role) last.parts.push(part);
    else messages.push({ role, parts: [part] });
  };
  for (const [index, part] of parts.entries()) {
    const at = `${field}.parts[${index}]`;
    if (!isObject(part)) return invalid(at, 'a Part object');
    if (isObject(part.functionResponse)) {
      const result = toolResult(part.functionResponse, at, calls);
      if (result instanceof Refusal) return result;
      push('tool', result);
    } else if (typeof part.text === 'string') {
      if (part.text !== '') push('user', { type: 'text', text: part.text });
    } else {
      const media = mediaPart(part, at);
      if (media instanceof Refusal) return media;
      if (media !== undefined) push('user', media);
    }
  }
  return messages;
}

function toolResult(response: Json, field: string, calls: Call[]): ToolResultPart | Refusal {
  if (typeof response.name !== 'string' || response.name === '') return invalid(`${field}.functionResponse.name`, 'the name of the function called');
  const name = response.name;
  let id = typeof response.id === 'string' && response.id !== '' ? response.id : undefined;
  const call = id !== undefined ? calls.find((c) => c.id === id) : calls.find((c) => !c.answered && c.name === name);
  if (call !== undefined) call.answered = true;
  id ??= call?.id ?? `call_unmatched_${name}`;
  const body = isObject(response.response) ? response.response : {};
  // Google's convention is `{"output": …}` for a result and `{"error": …}` for a failure: a lone string
  // there is the text itself; anything else goes as its JSON text.
  const keys = Object.keys(body);
  const lone = keys.length === 1 && (keys[0] === 'output' || keys[0] === 'error') && typeof body[keys[0]] === 'string' ? (body[keys[0]] as string) : undefined;
  const content: ToolResultPart['content'] = [{ type: 'text', text: lone ?? JSON.stringify(body) }];
  // Gemini 3's multimodal function responses: images and documents beside the JSON.
  if (Array.isArray(response.parts)) {
    for (const [index, part] of response.parts.entries()) {
      const media = isObject(part) ? mediaPart(part, `${field}.functionResponse.parts[${index}]`) : undefined;
      if (media instanceof Refusal) return media;
      if (media !== undefined) content.push(media);
    }
  }
  const result: ToolResultPart = { type: 'tool_result', id, name, content };
  if ('error' in body && !('output' in body)) result.isError = true;
  return result;
}

/** `inlineData` / `fileData` as an image or a document; other media (audio, video) refused. */
function mediaPart(part: Json, field: string): ImagePart | DocumentPart | Refusal | undefined {
  if (isObject(part.inlineData)) {
    const { mimeType, data } = part.inlineData;
    if (typeof mimeType !== 'string' || typeof data !== 'string') return invalid(`${field}.inlineData`, 'mimeType and base64 data');
    if (mimeType.startsWith('text/')) {
      // A plain-text file: its text (no owner takes text as base64).
      const text = decodeText(data);
      return text === undefined ? invalid(`${field}.inlineData.data`, 'base64 data') : { type: 'document', source: { kind: 'text', text, mediaType: mimeType } };
    }
    return media(mimeType, { kind: 'base64', mediaType: mimeType, data }, `${field}.inlineData`);
  }
  if (isObject(part.fileData)) {
    const { mimeType, fileUri } = part.fileData;
    if (typeof fileUri !== 'string') return invalid(`${field}.fileData.fileUri`, 'a URI');
    if (FILES_API.test(fileUri) || !/^https?:\/\//.test(fileUri)) return untranslatable(`${field}.fileData`, `a file stored with Google (${fileUri.split('?')[0]})`);
    const type = typeof mimeType === 'string' ? mimeType : guessType(fileUri);
    return media(type, typeof mimeType === 'string' ? { kind: 'url', url: fileUri, mediaType: mimeType } : { kind: 'url', url: fileUri }, `${field}.fileData`);
  }
  return undefined;
}

function media(mimeType: string, source: ImagePart['source'], field: string): ImagePart | DocumentPart | Refusal {
  if (mimeType.startsWith('image/')) return { type: 'image', source };
  if (mimeType === 'application/pdf' || mimeType.startsWith('text/')) return { type: 'document', source };
  return untranslatable(field, `"${mimeType}" media`);
}

/** A URL's media type from its extension, when `fileData` gave none. */
function guessType(uri: string): string {
  const path = uri.split(/[?#]/)[0]?.toLowerCase() ?? '';
  if (path.endsWith('.pdf')) return 'application/pdf';
  if (/\.(png|jpe?g|gif|webp|heic|heif)$/.test(path)) return 'image/' + (path.split('.').pop() === 'jpg' ? 'jpeg' : (path.split('.').pop() ?? ''));
  return 'application/octet-stream';
}

/** Base64 of UTF-8 text as the text, or undefined when it is not base64. */
function decodeText(data: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
