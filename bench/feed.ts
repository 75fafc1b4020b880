/**
 * @module The change feed's and usage counting's own CPU for `npm run bench`: the coordinator's diff of
 * two 10,000-model list versions, and per chunk of a streamed answer the usage tap and, for an OpenAI
 * stream whose client did not ask for usage, the filter that hides the usage chunk. Measured in Node's
 * V8 (the engine workerd runs; workerd's clock stands still while a request computes) with the
 * process's CPU clock. Imports the worker's code, so it runs as its own process
 * (`node bench/feed.ts` prints JSON; read by feed-run.ts) and is type-checked with
 * the worker's types beside Node's (tsconfig.check-config.json).
 */
import { diffLists } from '../src/changes/diff.ts';
import { withoutUsageChunk } from '../src/usage/hidden-usage.ts';
import { usageTap } from '../src/usage/tap.ts';
import { tenThousand } from '../test/workers/support/model-lists.ts';

const CHUNKS = 2_000;
const ROUNDS = 9;
/** One `chat.completion.chunk` as OpenAI sends it when usage was asked for (`"usage":null` until the last). */
const CHUNK = new TextEncoder().encode(
  'data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":" word"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n',
);

if (import.meta.main) console.log(JSON.stringify(await measure()));

async function measure() {
  const { previous, next } = tenThousand();
  const context = { configured: new Set(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']), failed: new Set<string>() };
  diffLists(previous, next, context);
  const diffMs = median(Array.from({ length: ROUNDS }, () => cpuOf(() => diffLists(previous, next, context))));
  await perChunk(() => [new TransformStream()]);
  const rounds = { bare: [] as number[], tap: [] as number[], filter: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.bare.push(await perChunk(() => [new TransformStream()]));
    rounds.tap.push(await perChunk(() => [usageTap('openai').stream]));
    rounds.filter.push(await perChunk(() => [usageTap('openai').stream, withoutUsageChunk()]));
  }
  return { models: previous.length, diffMs, identityUsPerChunk: median(rounds.bare), tapUsPerChunk: median(rounds.tap), tapAndFilterUsPerChunk: median(rounds.filter) };
}

/** Microseconds of CPU per chunk of a `CHUNKS`-chunk stream piped through `transforms`. */
async function perChunk(transforms: () => TransformStream<Uint8Array, Uint8Array>[]): Promise<number> {
  const before = process.cpuUsage();
  let stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < CHUNKS; i++) controller.enqueue(CHUNK);
      controller.close();
    },
  });
  for (const transform of transforms()) stream = stream.pipeThrough(transform);
  await stream.pipeTo(new WritableStream());
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CHUNKS;
}

function cpuOf(work: () => unknown): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
