/**
 * @module The usage counting a route hands to `forward` for one call of a client key: tokens read from
 * the answer as it passes, added to this isolate's batch (batch.ts), sent to the coordinator after the
 * answer. Without a coordinator to send to, nothing is counted (and OpenAI is not asked for usage).
 */
import type { Counting } from '../inference/forward.ts';
import { countCall, type SendUsage } from './batch.ts';
import type { UsageFormat } from './extract.ts';

export function counting(send: SendUsage | undefined, background: { waitUntil(promise: Promise<unknown>): void }, key: string, format: UsageFormat, hideUsageChunk = false): Counting | undefined {
  if (send === undefined) return undefined;
  return { format, hideUsageChunk, count: (failed, tokens) => countCall({ key, at: Date.now(), failed, tokens }, send, background) };
}
