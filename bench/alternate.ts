/**
 * @module Measures several contenders in turns rather than one after the other, so that whatever
 * else the machine is doing falls on all of them alike; the order flips every round.
 */
import { drive, median, type LoadResult } from './load.ts';
import { cpuMs } from './procs.ts';

export interface Contender {
  name: string;
  url: string;
  headers?: Record<string, string>;
  expectStatus: number;
  /** Concurrent connections, each sending its next request as soon as the last is answered. */
  connections: number;
  /** The workerd running the worker: its CPU time per answer is recorded when given. */
  runtimePid?: number;
}

export interface Run extends LoadResult {
  /** CPU the worker's workerd spent per answer (the worker's code plus the runtime's HTTP work). */
  cpuMsPerRequest?: number;
}

export interface Schedule {
  rounds: number;
  seconds: number;
  /** Discarded load right before each measured run, so each starts with a hot JIT and open sockets. */
  warmupSeconds: number;
}

export type Runs = Record<string, Run[]>;

export async function alternate(contenders: Contender[], schedule: Schedule, onRun: (name: string, run: Run) => void = () => {}): Promise<Runs> {
  const runs: Runs = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < schedule.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const load = { url: contender.url, headers: contender.headers ?? {}, connections: contender.connections, expectStatus: contender.expectStatus };
      await drive({ ...load, durationSeconds: schedule.warmupSeconds });
      const cpuBefore = contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid);
      const loaded = await drive({ ...load, durationSeconds: schedule.seconds });
      const cpuAfter = contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid);
      const run: Run = cpuBefore === undefined || cpuAfter === undefined ? loaded : { ...loaded, cpuMsPerRequest: (cpuAfter - cpuBefore) / loaded.requests };
      if (run.failures > 0) throw new Error(`${contender.name}: ${run.failures} of ${run.requests} answers were not ${contender.expectStatus} or failed`);
      runs[contender.name]?.push(run);
      onRun(contender.name, run);
    }
  }
  return runs;
}

export interface Summary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** NaN when the worker's workerd could not be found. */
  cpuMsPerRequest: number;
  runs: number;
}

/** Medians over the rounds of each figure. */
export function summarise(runs: Run[]): Summary {
  const of = (pick: (r: Run) => number | undefined) => median(runs.flatMap((r) => pick(r) ?? []));
  return { rps: of((r) => r.rps), p50Ms: of((r) => r.p50Ms), p99Ms: of((r) => r.p99Ms), cpuMsPerRequest: of((r) => r.cpuMsPerRequest), runs: runs.length };
}
