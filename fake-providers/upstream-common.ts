/**
 * @module What every fake inference endpoint shares: recording the call, JSON answers, drip-fed
 * streams, and the fake token count (words in the prompt's text, so a test can work it out).
 */

/** What an inference endpoint received, for assertions (headers lower-cased). */
export interface ReceivedCall {
  /** Path and query string, as the provider saw them. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The usage the fake answered, once it has answered one (not for errors, lists or embeddings). */
  usage?: ReportedUsage;
}

/**
 * A fake's answered usage in one form, whatever its dialect put where: `input` counts the cached
 * tokens too (OpenAI's and Gemini's way; Anthropic reports them apart), `output` the reasoning ones.
 */
export interface ReportedUsage {
  input: number;
  cachedInput: number;
  output: number;
  reasoning: number;
}

/** The most calls kept; the oldest go first. */
const RECEIVED_KEPT = 50;

/** Reads the body and records the call, newest last; `call` is the record, to note the usage answered on. */
export async function recordCall(request: Request, received: ReceivedCall[]): Promise<{ body: string; call: ReceivedCall }> {
  const url = new URL(request.url);
  const body = await request.text();
  const call: ReceivedCall = { path: url.pathname + url.search, headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])), body };
  received.push(call);
  if (received.length > RECEIVED_KEPT) received.shift();
  return { body, call };
}

/** Where a fake notes the usage it answered (the call's record). */
export type UsageReport = (usage: ReportedUsage) => void;

/** A cookie every fake sets: a forwarder must not pass it on. */
const UPSTREAM_COOKIE = '__cf_bm=upstream-cookie; path=/; HttpOnly';

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', 'Set-Cookie': UPSTREAM_COOKIE } });
}

/** How a fake streams: milliseconds between pieces, and how many pieces the content is cut into. */
export interface StreamShape {
  dripMs: number;
  chunks: number;
}

/** A streamed answer: `pieces` one after the other, `dripMs` apart. */
export function drip(pieces: string[], dripMs: number, contentType = 'text/event-stream; charset=utf-8'): Response {
  const encoder = new TextEncoder();
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next > 0 && dripMs > 0) await new Promise((resolve) => setTimeout(resolve, dripMs));
      const piece = pieces[next++];
      if (piece === undefined) return controller.close();
      controller.enqueue(encoder.encode(piece));
    },
  });
  return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-cache', 'Set-Cookie': UPSTREAM_COOKIE } });
}

/** `text` cut into `count` runs of whole words (some may be empty when there are few words). */
export function splitWords(text: string, count: number): string[] {
  const words = text.split(/(?<= )/);
  return Array.from({ length: count }, (_, i) => words.slice(Math.floor((i * words.length) / count), Math.floor(((i + 1) * words.length) / count)).join(''));
}

/** `text` cut into `count` runs of characters, none empty unless `text` is shorter than `count`. */
export function splitChars(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const parts: string[] = [];
  for (let at = 0; at < text.length; at += size) parts.push(text.slice(at, at + size));
  return parts;
}

/**
 * The fakes' token count: the words in every `text` field and every string `content` of the request,
 * anywhere in it. A test computes the same from its own prompt; nothing of the prompt is repeated.
 */
export function countTokens(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countTokens(item), 0);
  if (typeof value !== 'object' || value === null) return 0;
  let sum = 0;
  for (const [key, item] of Object.entries(value)) {
    if ((key === 'text' || key === 'content' || key === 'input' || key === 'system') && typeof item === 'string') sum += item.split(/\s+/).filter(Boolean).length;
    else sum += countTokens(item);
  }
  return sum;
}

/**
 * The fakes' prompt cache: a follow-up turn (one after an earlier model turn) finds the prefix the
 * previous call sent in the provider's cache, as real providers report repeated prefixes: the tokens
 * of `preamble` (system instructions) and of the turns before the last model turn; 0 on a first turn.
 */
export function cachedPrefix(turns: unknown, isModelTurn: (turn: Record<string, unknown>) => boolean, preamble?: unknown): number {
  if (!Array.isArray(turns)) return 0;
  const last = turns.findLastIndex((turn: unknown) => isRecord(turn) && isModelTurn(turn));
  return last <= 0 ? 0 : countTokens(preamble) + countTokens(turns.slice(0, last));
}

/** Reasoning models think before answering: OpenAI's o-series and gpt-5, Gemini 2.5 (unless told a budget of 0). */
export const REASONING_TOKENS = 64;
export const isReasoningModel = (model: string): boolean => /^(o\d|gpt-5)/.test(model);

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A parsed JSON object body, or undefined when the body is not one. */
export function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
