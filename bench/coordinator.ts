/**
 * @module The benchmark's miss through the coordinator against a miss without it: two models-edge
 * workers over the same loopback providers, one with the `COORDINATOR` binding of wrangler.toml and one
 * without it (each isolate refreshes on its own), purged and read cold in turns.
 */
import { median } from './load.ts';
import { coldFills, type TimedRead } from './probes.ts';
import type { DevWorker } from '../scripts/lib/dev-worker.ts';
import type { Kind, RunningUpstreams } from '../fake-providers/upstreams.ts';

export interface CoordinatorMiss {
  delays: Record<Kind, number>;
  through: TimedRead[];
  alone: TimedRead[];
}

/** `reps` cold reads of each worker, taking turns (the order swapped every round), through wrangler's dev proxy. */
export async function coordinatorMisses(through: DevWorker, alone: DevWorker, upstreams: RunningUpstreams, token: string, delays: Record<Kind, number>, reps: number): Promise<CoordinatorMiss> {
  const result: CoordinatorMiss = { delays, through: [], alone: [] };
  for (let i = 0; i < reps; i++) {
    const turns: ['through' | 'alone', DevWorker][] = [['through', through], ['alone', alone]];
    for (const [side, worker] of i % 2 === 0 ? turns : turns.reverse()) result[side].push(...(await coldFills(worker, upstreams, token, delays, 1)));
  }
  return result;
}

export function coordinatorMissSection({ delays, through, alone }: CoordinatorMiss): string {
  const row = (name: string, reads: TimedRead[]) =>
    `| ${name} | ${reads.map((r) => r.ms.toFixed(0)).join(', ')} | ${median(reads.map((r) => r.ms)).toFixed(0)} | ${[...new Set(reads.map((r) => r.cache))].join(', ')} | ${reads.map((r) => r.upstreamCalls).join(', ')} |`;
  const extra = median(through.map((r) => r.ms)) - median(alone.map((r) => r.ms));
  return `## A miss through the coordinator

The same cold fill (purge, then the first \`GET /v1/models\`; providers at
${Object.entries(delays).map(([kind, ms]) => `${kind} ${ms} ms`).join(', ')}) on two workers taking
turns: one asks the coordinator before its fan-out and hands it the list to write, the other (no
\`COORDINATOR\` binding) refreshes on its own, as every isolate did before the coordinator. Under
\`wrangler dev\` the coordinator runs in the same process, so this is its own cost (one request to ask,
one to hand over, behind the answer), not a network round trip to wherever it lives; deployed, the ask
adds one round trip to the coordinator's location to a miss (a hit never asks).

| worker | cold reads, ms | median ms | X-Cache | upstream list calls |
|---|---|--:|---|--:|
${row('through the coordinator', through)}
${row('without it', alone)}

A miss through the coordinator took **${extra >= 0 ? '+' : ''}${extra.toFixed(0)} ms** against one without it (medians).`;
}
