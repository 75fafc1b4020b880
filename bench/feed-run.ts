/**
 * @module The change feed's and usage counting's CPU in `npm run bench`: runs bench/feed.ts
 * in a process of its own (it imports the worker's code) and states its figures.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Verdict } from './verdict.ts';
import { ROOT } from '../scripts/lib/dev-worker.ts';

export interface FeedFigures {
  models: number;
  diffMs: number;
  identityUsPerChunk: number;
  tapUsPerChunk: number;
  tapAndFilterUsPerChunk: number;
}

export async function feedCpu(): Promise<FeedFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bench/feed.ts')], { cwd: ROOT });
  return JSON.parse(stdout) as FeedFigures;
}

export function feedVerdict(f: FeedFigures): Verdict {
  return {
    target: 'change feed and usage counting CPU stated',
    measured: `diff of two ${f.models}-model versions ${f.diffMs.toFixed(2)} ms; per streamed chunk, over a bare pass-through: tap +${(f.tapUsPerChunk - f.identityUsPerChunk).toFixed(2)} µs, tap and usage-chunk filter +${(f.tapAndFilterUsPerChunk - f.identityUsPerChunk).toFixed(2)} µs`,
    met: true,
  };
}

export function feedSection(f: FeedFigures): string {
  return `## Change feed and usage counting CPU

Measured in Node's V8 with the process's CPU clock, median of 9 rounds:

| what | CPU |
|---|--:|
| the coordinator's diff of two ${f.models}-model list versions (once per new version) | ${f.diffMs.toFixed(2)} ms |
| a streamed chunk through a bare JavaScript pass-through | ${f.identityUsPerChunk.toFixed(2)} µs |
| … through the usage tap | ${f.tapUsPerChunk.toFixed(2)} µs |
| … through the tap and the filter that hides a usage chunk the client did not ask for | ${f.tapAndFilterUsPerChunk.toFixed(2)} µs |

These are the stages' own JavaScript, in Node, as stream stages. In workerd a counted call no longer puts
its answer through them: the client's bytes are piped by the runtime and a tee'd copy is read in
64 KiB blocks once they have ended (src/inference/answer-body.ts); only a stream whose usage chunk must
come out, or one made in JavaScript (a translation), goes through one JavaScript loop, a read per chunk.
Each read from JavaScript costs workerd about 0.1 ms whatever it does (the section "What a call costs", and the
README's section of that name).`;
}
