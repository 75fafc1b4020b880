/** @module What one `npm run bench` run measured, as the report reads it: the run, the machine, the slices a section takes. */
import type { CoordinatorMiss } from './coordinator.ts';
import type { TranslateFigures } from './translate-run.ts';
import type { FeedFigures } from './feed-run.ts';
import type { CallCostFigures } from './call-cost.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { Run, Runs, Schedule } from './alternate.ts';
import type { PassthroughFigures, PassthroughOptions } from './passthrough.ts';
import type { MemoryFigures, TimedRead } from './probes.ts';
import type { RefreshCpuSize, RefreshProfile } from './refresh-cpu.ts';
import { ROOT } from '../scripts/lib/dev-worker.ts';
import type { Kind } from '../fake-providers/upstreams.ts';

/** The passthrough section's figures: the rows, and the price of one log line. */
export interface PassthroughRun {
  calls: PassthroughFigures;
  logLine: PassthroughFigures;
}

export interface BenchRun {
  date: string;
  machine: Machine;
  schedule: Schedule;
  connections: { throughput: number; latency: number };
  listModels: number;
  bodyBytes: number;
  hot: Runs;
  direct: Runs | undefined;
  byId: Run;
  coldDelays: Record<Kind, number>;
  cold: TimedRead[];
  /** The slowest provider's list read from Node, to its last byte (median). */
  coldUpstreamMs: number;
  staleUpstreamDelayMs: number;
  stale: TimedRead[];
  memory: MemoryRun;
  refreshCpu: { sizes: RefreshCpuSize[]; profile: RefreshProfile | undefined };
  /** Cold fills with the coordinator and without it, in turns. */
  coordinatorMiss?: CoordinatorMiss;
  /** The translation's own CPU (Anthropic Messages ⇄ OpenAI chat). */
  translate?: TranslateFigures;
  /** The change feed's diff and usage counting's per-chunk CPU. */
  feed?: FeedFigures;
  /** Inference passthrough, by call and contender (\`models-edge\` and \`forwarder\`), and one log line's price. */
  passthrough: PassthroughRun;
  passthroughOptions: PassthroughOptions;
  /** CPU per call and long streams' throughput against the forwarder (bench/call-cost.ts). */
  callCost?: CallCostFigures;
  loadAtEnd: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  ramBytes: number;
  os: string;
  loadAtStart: number;
  versions: Record<string, string>;
}

export function machine(): Machine {
  const wranglerRequire = createRequire(join(ROOT, 'node_modules/wrangler/package.json'));
  const version = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    ramBytes: totalmem(),
    os: `${type()} ${release()}`,
    loadAtStart: loadavg()[0] ?? Number.NaN,
    versions: {
      node: process.version,
      wrangler: version(join(ROOT, 'node_modules/wrangler/package.json')),
      // The workerd wrangler itself runs, which may differ from a top-level one.
      workerd: version(wranglerRequire.resolve('workerd/package.json')),
      autocannon: version(join(ROOT, 'node_modules/autocannon/package.json')),
      hono: version(join(ROOT, 'node_modules/hono/package.json')),
    },
  };
}

/** What the cache-hit rows (`hitRun` in scripts/bench.ts) measured. */
export type HitRun = Pick<BenchRun, 'hot' | 'direct' | 'byId' | 'connections' | 'listModels' | 'bodyBytes' | 'schedule'>;

/** A reading isolate's memory (COORDINATOR unbound), and the same worker's with the coordinator in its isolate. */
export type MemoryRun = MemoryFigures & { withCoordinator: MemoryFigures };
