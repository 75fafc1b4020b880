/**
 * @module OpenAI streams report usage only when asked (`stream_options.include_usage`), in one extra
 * chunk with `"choices": []` before `data: [DONE]`. For a chat or completions stream whose client did
 * not ask for it, the request asks for it, and this filter takes that chunk out of what the
 * client sees, so the client gets the stream it asked for (every other chunk then carries
 * `"usage": null`, a field OpenAI's own clients type as optional). The filter reads server-sent events
 * whatever the chunk boundaries: complete events pass at once, as the same bytes; only an event still
 * incomplete at a chunk's end waits for its end.
 * https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options
 */
import { isObject } from '../providers/narrow.ts';

/**
 * The body to forward, with `stream_options.include_usage` asked for when the client streams and did not
 * ask for it itself; `hide` says whether the usage chunk must then be taken out of the answer. With no
 * `stream_options` the field is written into the client's bytes, which are otherwise kept; with a
 * `stream_options` object that does not ask (`{}`, `include_usage: false`), the body is serialised again
 * with it added (its other options kept). Anything else — usage asked for, a `stream_options` that is not
 * an object (the provider answers that), no stream — is sent as it is. `parsed` is the client's body
 * parsed (body.ts parsed it once); `text` is the body as it will be sent, which may differ from it.
 */
export function askForUsage(parsed: unknown, text: string): { body: string; hide: boolean } {
  if (!isObject(parsed) || parsed.stream !== true) return { body: text, hide: false };
  if (!('stream_options' in parsed)) {
    const open = text.indexOf('{');
    return { body: `${text.slice(0, open + 1)}"stream_options":{"include_usage":true},${text.slice(open + 1)}`, hide: true };
  }
  const options = parsed.stream_options;
  if (!isObject(options) || options.include_usage === true) return { body: text, hide: false };
  // From `text`, not `parsed`: the route has already rewritten `text` (the upstream's model id).
  const sent = JSON.parse(text) as Record<string, unknown>;
  return { body: JSON.stringify({ ...sent, stream_options: { ...options, include_usage: true } }), hide: true };
}

const LF = 0x0a;
const CR = 0x0d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Only an event this short is decoded to be looked at: OpenAI's usage chunk is a few hundred bytes. */
const MAX_USAGE_EVENT_BYTES = 4096;
const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/** Drops OpenAI's usage chunk from a stream fed chunk by chunk: `push` hands on what may pass now, `end` what was held. */
export interface UsageChunkFilter {
  push(chunk: Uint8Array, pass: (bytes: Uint8Array) => void): void;
  end(pass: (bytes: Uint8Array) => void): void;
}

export function usageChunkFilter(): UsageChunkFilter {
  let pending: Uint8Array | null = null;
  const decoder = new TextDecoder();
  return {
    push(chunk, pass) {
      const bytes = pending === null ? chunk : concat(pending, chunk);
      // Scanning may start where the held bytes ended, less the one byte a boundary may span.
      let from = pending === null ? 0 : Math.max(0, pending.length - 3);
      pending = null;
      let start = 0;
      let passFrom = 0;
      for (;;) {
        const end = eventEnd(bytes, from);
        if (end === -1) break;
        if (end - start <= MAX_USAGE_EVENT_BYTES && hasEmptyArray(bytes, start, end) && isUsageChunk(decoder.decode(bytes.subarray(start, end)))) {
          if (start > passFrom) pass(bytes.subarray(passFrom, start));
          passFrom = end;
        }
        start = from = end;
      }
      if (start > passFrom) pass(passFrom === 0 && start === bytes.length ? bytes : bytes.subarray(passFrom, start));
      if (start < bytes.length) pending = bytes.slice(start);
    },
    end(pass) {
      if (pending !== null) pass(pending);
      pending = null;
    },
  };
}

/** The filter as a stream stage. */
export function withoutUsageChunk(): TransformStream<Uint8Array, Uint8Array> {
  const filter = usageChunkFilter();
  return new TransformStream<Uint8Array, Uint8Array>({
    transform: (chunk, controller) => filter.push(chunk, (bytes) => controller.enqueue(bytes)),
    flush: (controller) => filter.end((bytes) => controller.enqueue(bytes)),
  });
}

/** The index just past the blank line ending the event that `from` is in (`\n\n` or `\r\n\r\n`), or -1. */
function eventEnd(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(LF, from); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === LF) return i + 2;
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return i + 3;
  }
  return -1;
}

/** Whether `[` then `]` (spaces between allowed) occur in bytes[start, end): no content chunk is decoded to be looked at. */
function hasEmptyArray(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = bytes.indexOf(OPEN_BRACKET, start); i !== -1 && i < end; i = bytes.indexOf(OPEN_BRACKET, i + 1)) {
    let j = i + 1;
    while (j < end && (bytes[j] === 0x20 || bytes[j] === LF || bytes[j] === CR || bytes[j] === 0x09)) j++;
    if (bytes[j] === CLOSE_BRACKET) return true;
  }
  return false;
}

/** Whether an event is OpenAI's usage chunk: `data:` a JSON object with empty `choices` and a `usage` object. */
function isUsageChunk(event: string): boolean {
  if (!EMPTY_CHOICES.test(event)) return false;
  const data = event
    .split(/\r\n|\r|\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(line.charCodeAt(5) === 0x20 ? 6 : 5))
    .join('\n');
  try {
    const chunk: unknown = JSON.parse(data);
    return isObject(chunk) && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage);
  } catch {
    return false;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
