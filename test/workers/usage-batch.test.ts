import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countCall, FLUSH_AFTER_MS, forgetPendingUsage, pendingUsage, sendPending, type UsageRow } from '../../src/usage/batch.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-02T03:10:00Z');
const HOUR0 = Date.parse('2026-12-02T03:00:00Z');

function background() {
  const promises: Promise<unknown>[] = [];
  return { promises, waitUntil: (promise: Promise<unknown>) => void promises.push(promise) };
}

describe('usage batch (per isolate)', () => {
  beforeEach(() => {
    forgetPendingUsage();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('adds calls up per key per hour and sends them in one batch, once, a few seconds after the first', async () => {
    const sent: UsageRow[][] = [];
    const send = async (rows: UsageRow[]) => void sent.push(rows);
    const ctx = background();
    countCall({ key: 'k1', at: T0, failed: false, tokens: { input: 10, output: 5 } }, send, ctx);
    countCall({ key: 'k1', at: T0 + 1000, failed: true, tokens: null }, send, ctx);
    countCall({ key: 'k2', at: T0 + 2000, failed: false, tokens: { input: 1, output: 2 } }, send, ctx);
    countCall({ key: 'k1', at: T0 + HOUR, failed: false, tokens: { input: 3, output: 4 } }, send, ctx);
    // One send scheduled for all of them; nothing sent yet.
    expect(ctx.promises).toHaveLength(1);
    expect(sent).toStrictEqual([]);
    await vi.advanceTimersByTimeAsync(FLUSH_AFTER_MS);
    await Promise.all(ctx.promises);
    expect(sent).toStrictEqual([
      [
        { key: 'k1', hour: HOUR0, requests: 2, errors: 1, inputTokens: 10, outputTokens: 5, lastUsedAt: T0 + 1000 },
        { key: 'k2', hour: HOUR0, requests: 1, errors: 0, inputTokens: 1, outputTokens: 2, lastUsedAt: T0 + 2000 },
        { key: 'k1', hour: HOUR0 + HOUR, requests: 1, errors: 0, inputTokens: 3, outputTokens: 4, lastUsedAt: T0 + HOUR },
      ],
    ]);
    expect(pendingUsage()).toStrictEqual([]);
    // The next call schedules the next batch.
    countCall({ key: 'k1', at: T0 + 9000, failed: false, tokens: null }, send, ctx);
    expect(ctx.promises).toHaveLength(2);
  });

  it('keeps a batch that could not be sent for the next one', async () => {
    const send = () => Promise.reject(new Error('coordinator unavailable'));
    countCall({ key: 'k1', at: T0, failed: false, tokens: { input: 10, output: 5 } }, send, background());
    await sendPending(send);
    countCall({ key: 'k1', at: T0 + 1, failed: false, tokens: { input: 1, output: 1 } }, send, background());
    expect(pendingUsage()).toStrictEqual([{ key: 'k1', hour: HOUR0, requests: 2, errors: 0, inputTokens: 11, outputTokens: 6, lastUsedAt: T0 + 1 }]);
  });
});
