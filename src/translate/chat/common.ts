/**
 * @module What the OpenAI chat reader and writer share: usage both ways (OpenAI counts cached tokens inside
 * `prompt_tokens`, the internal form does not), `finish_reason` both ways, and the stop sequence an owner
 * stopped on (docs/translation.md, "OpenAI chat completions").
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { StopReason, Usage } from '../ir.ts';

/** Text parts of one message are joined with this: some OpenAI-compatible servers refuse content arrays. */
export const TEXT_JOIN = '\n';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0);

/**
 * An OpenAI `usage` object in the internal form. `prompt_tokens` includes cached tokens
 * (`prompt_tokens_details.cached_tokens`, or DeepSeek's `prompt_cache_hit_tokens`), so they move out of
 * `input`; `completion_tokens` includes `completion_tokens_details.reasoning_tokens`, as `output` does.
 */
export function usageFromChat(usage: Json): Usage {
  const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cached = count(details.cached_tokens) || count(usage.prompt_cache_hit_tokens);
  const out: Usage = { input: Math.max(0, count(usage.prompt_tokens) - cached), output: count(usage.completion_tokens) };
  if (cached > 0) out.cacheRead = cached;
  const reasoning = isObject(usage.completion_tokens_details) ? count(usage.completion_tokens_details.reasoning_tokens) : 0;
  if (reasoning > 0) out.reasoning = reasoning;
  return out;
}

/** The usage object a chunk or completion carries, if any: `usage`, else Groq's `x_groq.usage`. */
export function usageOf(body: Json): Json | undefined {
  if (isObject(body.usage)) return body.usage;
  if (isObject(body.x_groq) && isObject(body.x_groq.usage)) return body.x_groq.usage;
  return undefined;
}

/** The internal usage as OpenAI's: every prompt token (cached reads and cache writes included) in `prompt_tokens`. */
export function chatUsage(usage: Usage): Json {
  const prompt = usage.input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
  };
}

/** OpenAI's `finish_reason` for the internal stop reason. */
export function finishReason(stop: StopReason): string {
  switch (stop) {
    case 'max_tokens': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'refusal': return 'content_filter';
    // end, stop_sequence, pause (Anthropic's pause_turn: the turn ended for now) and other all ended normally.
    default: return 'stop';
  }
}

/**
 * The internal stop reason for an owner's `finish_reason`. `stop` is `stop_sequence` only when the sequence
 * is known (named by the owner or ending the text): OpenAI does not say whether one matched. `stop` after
 * tool calls is `tool_use` (older Ollama says `stop`).
 */
export function stopFromChat(finish: unknown, matched: string | undefined, sawToolCall: boolean): { reason: StopReason; stopSequence?: string } {
  switch (finish) {
    case 'length': return { reason: 'max_tokens' };
    case 'tool_calls':
    case 'function_call': return { reason: 'tool_use' };
    case 'content_filter': return { reason: 'refusal' };
    case 'stop':
    case 'eos':
    case 'end_turn':
    case null:
    case undefined:
      if (sawToolCall) return { reason: 'tool_use' };
      return matched === undefined ? { reason: 'end' } : { reason: 'stop_sequence', stopSequence: matched };
    default:
      return sawToolCall ? { reason: 'tool_use' } : { reason: 'other' };
  }
}

/**
 * The stop sequence an owner says it stopped on: vLLM's `stop_reason` and SGLang's `matched_stop` name the
 * matched string on the choice; OpenAI itself says only `stop`.
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
 * An id for a call the owner gave none (local servers that send bare calls): unique per answer, from the
 * owner's answer id (else a random one), so two answers' calls never share one (Anthropic refuses a history
 * whose tool_use ids repeat, and clients pair results with calls by id).
 */
export function madeUpCallId(answerId: string | undefined, n: number): string {
  const from = answerId?.replace(/[^A-Za-z0-9]/g, '') || crypto.randomUUID().replaceAll('-', '').slice(0, 16);
  return `call_${from}_${n}`;
}
