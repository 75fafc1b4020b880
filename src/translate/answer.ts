/**
 * @module What the streamed and the whole answer share: the message id, `stop_reason` with
 * `stop_sequence`, and `usage`, from OpenAI's `finish_reason` and `usage` (README, "Translation").
 */
import { isObject, type Json } from '../providers/narrow.ts';

/** What the caller knows of its own request that the answer cannot say: the stop sequences it asked for. */
export type RequestFacts = { stopSequences?: string[] };

/** `msg_` and the upstream's completion id (letters and digits only), or a random one when it sent none. */
export function messageId(upstreamId: unknown): string {
  const id = typeof upstreamId === 'string' ? upstreamId.replace(/[^A-Za-z0-9]/g, '') : '';
  return `msg_${id === '' ? crypto.randomUUID().replaceAll('-', '') : id}`;
}

/**
 * The stop sequence an upstream says it stopped on: vLLM's `stop_reason` and SGLang's `matched_stop`
 * name the matched string on the choice; OpenAI itself says only `stop`.
 */
export function namedStop(choice: Json, stops: readonly string[]): string | undefined {
  for (const field of ['stop_reason', 'matched_stop']) {
    const value = choice[field];
    if (typeof value === 'string' && stops.includes(value)) return value;
  }
  return undefined;
}

/** The stop sequence the generated text ends with, for servers that keep it in the output. */
export function trailingStop(text: string, stops: readonly string[]): string | undefined {
  return stops.find((stop) => stop !== '' && text.endsWith(stop));
}

/**
 * Anthropic's `stop_reason` for an OpenAI `finish_reason`. `stop` is `stop_sequence` only when the stop is
 * known (named by the upstream or ending the text), else `end_turn`: OpenAI does not say whether a stop
 * sequence matched, and a guess would lie. `stop` after tool calls is `tool_use` (older Ollama says `stop`).
 */
export function stopReason(finish: unknown, matchedStop: string | undefined, sawToolCall: boolean): { stop_reason: string; stop_sequence: string | null } {
  switch (finish) {
    case 'length': return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
    case 'function_call': return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content_filter': return { stop_reason: 'refusal', stop_sequence: null };
    default:
      if (sawToolCall) return { stop_reason: 'tool_use', stop_sequence: null };
      if (matchedStop !== undefined) return { stop_reason: 'stop_sequence', stop_sequence: matchedStop };
      return { stop_reason: 'end_turn', stop_sequence: null };
  }
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0);

/**
 * Anthropic `usage` from an OpenAI `usage` object (or Groq's `x_groq.usage`). OpenAI's `prompt_tokens`
 * includes cached tokens; Anthropic's `input_tokens` does not, so a reported cached count moves to
 * `cache_read_input_tokens`.
 */
export function anthropicUsage(usage: Json): Json {
  const cached = isObject(usage.prompt_tokens_details) ? count(usage.prompt_tokens_details.cached_tokens) : 0;
  const input = count(usage.prompt_tokens);
  const out: Json = { input_tokens: Math.max(0, input - cached), output_tokens: count(usage.completion_tokens) };
  if (cached > 0) out.cache_read_input_tokens = cached;
  return out;
}

/** The usage object a chunk or completion carries, if any: `usage`, else Groq's `x_groq.usage`. */
export function usageOf(body: Json): Json | undefined {
  if (isObject(body.usage)) return body.usage;
  if (isObject(body.x_groq) && isObject(body.x_groq.usage)) return body.x_groq.usage;
  return undefined;
}

/**
 * A tool call's `arguments` as the tool_use `input` object. Empty arguments are `{}` (some servers send
 * `""` for a call without parameters); arguments that are not a JSON object also become `{}`: Anthropic's
 * `input` must be an object, and the client's tool then reports the missing parameters to the model.
 */
export function toolInput(args: unknown): Json {
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
