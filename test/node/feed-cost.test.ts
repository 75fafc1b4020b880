import { describe, expect, it } from 'vitest';
import { diffLists } from '../../src/changes/diff.ts';
import { withoutUsageChunk } from '../../src/usage/hidden-usage.ts';
import { usageTap } from '../../src/usage/tap.ts';
import { tenThousand } from '../workers/support/model-lists.ts';

/**
 * CPU, measured in Node's V8 (workerd's clock stands still while a request computes, so it cannot
 * time itself): a refresh's diff at 10,000 models, and the per-chunk cost of the usage tap and of the
 * usage-chunk filter on a 2,000-chunk stream. The bounds are ~10× what this machine measures, to
 * catch a change of complexity, not noise.
 */
const CHUNK = new TextEncoder().encode(
  'data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":" word"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n',
);
const CHUNKS = 2000;

async function perChunkMicros(transforms: () => TransformStream<Uint8Array, Uint8Array>[]): Promise<number> {
  const run = async () => {
    let stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < CHUNKS; i++) controller.enqueue(CHUNK);
        controller.close();
      },
    });
    for (const transform of transforms()) stream = stream.pipeThrough(transform);
    await stream.pipeTo(new WritableStream());
  };
  for (let round = 0; round < 3; round++) await run();
  const started = process.cpuUsage();
  for (let round = 0; round < 10; round++) await run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 10 / CHUNKS;
}

describe('the change feed and usage cost', () => {
  it('diffs two 10,000-model lists in a few milliseconds', () => {
    const { previous, next } = tenThousand();
    const context = { configured: new Set(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']), failed: new Set<string>() };
    diffLists(previous, next, context);
    const started = performance.now();
    for (let round = 0; round < 20; round++) diffLists(previous, next, context);
    const ms = (performance.now() - started) / 20;
    console.info(`diff of 10,000 models: ${ms.toFixed(2)} ms`);
    expect(ms).toBeLessThan(20);
  });

  it('taps and filters a stream for a few microseconds a chunk more than passing it on', async () => {
    await perChunkMicros(() => [new TransformStream()]);
    const bare = await perChunkMicros(() => [new TransformStream()]);
    const tapped = await perChunkMicros(() => [usageTap('openai').stream]);
    const filtered = await perChunkMicros(() => [usageTap('openai').stream, withoutUsageChunk()]);
    console.info(`per chunk: identity ${bare.toFixed(2)} µs, tap ${tapped.toFixed(2)} µs, tap + filter ${filtered.toFixed(2)} µs`);
    expect(tapped - bare).toBeLessThan(20);
    expect(filtered - bare).toBeLessThan(40);
  });
});
