/**
 * @module Gemini's `usageMetadata` ⇄ the internal usage, and `finishReason` ⇄ the stop reason. Gemini
 * counts the prompt with its cached part (`promptTokenCount` includes `cachedContentTokenCount`) and the
 * answer without its thinking (`candidatesTokenCount` excludes `thoughtsTokenCount`); the internal form is
 * the other way round on both (src/translate/ir.ts).
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { StopReason, Usage } from '../ir.ts';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/** `usageMetadata` as the internal usage, or undefined when there is none. */
export function readUsage(metadata: unknown): Usage | undefined {
  if (!isObject(metadata)) return undefined;
  const cached = count(metadata.cachedContentTokenCount);
  const thoughts = count(metadata.thoughtsTokenCount);
  // Tool-use prompt tokens (server tools' results fed back) are billed as input.
  const prompt = count(metadata.promptTokenCount) + count(metadata.toolUsePromptTokenCount);
  const usage: Usage = { input: Math.max(0, prompt - cached), output: count(metadata.candidatesTokenCount) + thoughts };
  if (cached > 0) usage.cacheRead = cached;
  if (thoughts > 0) usage.reasoning = thoughts;
  return usage;
}

/** The internal usage as `usageMetadata`: cache writes count as prompt tokens (Gemini has no field for them). */
export function writeUsage(usage: Usage): Json {
  const prompt = usage.input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0);
  const thoughts = usage.reasoning ?? 0;
  const metadata: Json = { promptTokenCount: prompt, candidatesTokenCount: Math.max(0, usage.output - thoughts), totalTokenCount: prompt + usage.output };
  if ((usage.cacheRead ?? 0) > 0) metadata.cachedContentTokenCount = usage.cacheRead;
  if (thoughts > 0) metadata.thoughtsTokenCount = thoughts;
  return metadata;
}

/** Gemini's reasons an answer was withheld or cut for its content. */
const REFUSALS = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION', 'LANGUAGE']);

/** A `finishReason` as a stop reason; `STOP` with calls is `tool_use` (Gemini ends calls with STOP). */
export function readFinish(reason: string, sawCall: boolean): StopReason {
  if (reason === 'STOP') return sawCall ? 'tool_use' : 'end';
  if (reason === 'MAX_TOKENS') return 'max_tokens';
  if (REFUSALS.has(reason)) return 'refusal';
  return 'other';
}

/** A stop reason as a `finishReason`: stop sequences, calls and pauses are all STOP in Gemini. */
export function writeFinish(reason: StopReason | undefined): string {
  if (reason === 'max_tokens') return 'MAX_TOKENS';
  if (reason === 'refusal') return 'SAFETY';
  if (reason === 'other') return 'OTHER';
  return 'STOP';
}
