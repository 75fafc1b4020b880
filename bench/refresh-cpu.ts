/**
 * @module The refresh's own CPU, inside workerd: bench/refresh-cpu-worker.ts runs `refresh()` against
 * in-memory KV and providers, and the floor (parse every upstream body once, serialise the merged
 * list once, hash it once) beside it, each case many times per request, timed inside the isolate.
 * The worker runs in workerd alone (scripts/lib/plain-worker.ts), as deployed: under `wrangler dev`
 * the refresh's one log line waits on wrangler's inspector connection for milliseconds.
 * Nothing in a case waits on I/O (the doubles answer at once), so its time is the isolate's CPU time
 * plus whatever the machine took away; the **fastest** of many rounds is kept, the round least
 * disturbed by other work on a shared machine, as for any CPU-bound microbenchmark. The cases take
 * turns within a round, the order reversed every other round.
 */
import { connectInspector } from './inspector.ts';
import { cpuMs } from './procs.ts';
import { median } from './load.ts';
import { startPlainWorker } from '../scripts/lib/plain-worker.ts';

const WORKER = 'bench/refresh-cpu-worker.ts';
/** The free plan's CPU per invocation, cron included. */
export const FREE_PLAN_CPU_MS = 10;
/** The provider that fails in the "one failed" case: the OpenRouter-like one, whose parse is the largest share of the floor. */
export const FAILING_PROVIDER = 'openrouter';
/** About this many models' worth of refreshes per request: enough to bury a request's own cost. */
const MODELS_PER_REQUEST = 60_000;

export interface RefreshCpuSize {
  models: number;
  upstreamBytes: number;
  /** Median CPU ms per run of each case. */
  floorMs: number;
  refreshMs: number;
  floorFailedMs: number;
  refreshFailedMs: number;
  /** Parts: the floor's parsing alone, and the refresh's fetch + parse + normalise of every provider. */
  floorParseMs: number;
  providersMs: number;
  /**
   * Refresh over floor within each round (the two measured one after the other), median over the
   * rounds: steadier than a ratio of two fastest rounds, since both sides of it met the same machine.
   */
  ratio: number;
  /** The same for the refresh with one provider failed, against the same floor. */
  failedRatio: number;
  /** The workerd process's CPU (all threads) per refresh, median: the isolate's time plus the runtime's own work. */
  processCpuMs: number;
  reps: number;
  rounds: number;
}

/** Where one refresh's CPU goes, from V8's sampling profiler: self time by function, largest first. */
export interface RefreshProfile {
  models: number;
  /** [function (file:line) or V8's name for its own work, share of the busy time]. */
  shares: [string, number][];
}

/** The profiled size, and how many functions the table names. */
const PROFILE_MODELS = 3_000;
const PROFILE_ROWS = 14;

interface Case {
  name: keyof Omit<RefreshCpuSize, 'models' | 'upstreamBytes' | 'processCpuMs' | 'reps' | 'rounds' | 'ratio' | 'failedRatio'>;
  path: string;
  /** What the worker must answer, so a case that silently did less is caught. */
  check: (models: number) => RegExp;
}

const CASES: Case[] = [
  { name: 'floorMs', path: 'case=floor', check: (n) => new RegExp(`^${n}$`) },
  { name: 'refreshMs', path: 'case=refresh', check: (n) => new RegExp(`^${n} written=true stale=$`) },
  { name: 'floorFailedMs', path: `case=floor&failing=${FAILING_PROVIDER}`, check: (n) => new RegExp(`^${n}$`) },
  { name: 'refreshFailedMs', path: `case=refresh&failing=${FAILING_PROVIDER}`, check: (n) => new RegExp(`^${n} written=true stale=${FAILING_PROVIDER}:${n / 4}$`) },
  { name: 'floorParseMs', path: 'case=floor-parse', check: () => /^parsed$/ },
  { name: 'providersMs', path: 'case=providers', check: (n) => new RegExp(`^${n}$`) },
];

export async function refreshCpu(sizes: number[], rounds: number, log: (line: string) => void): Promise<{ sizes: RefreshCpuSize[]; profile: RefreshProfile | undefined }> {
  const worker = await startPlainWorker(WORKER);
  const pid = worker.pid;
  try {
    const results: RefreshCpuSize[] = [];
    let profiledReps: number | undefined;
    for (const models of sizes) {
      const setup = (await (await fetch(`${worker.url}/setup?models=${models}`)).json()) as { models: number; upstreamBytes: number };
      if (setup.models !== models) throw new Error(`the refresh-CPU worker set up ${setup.models} models, not ${models}`);
      const reps = Math.max(4, Math.ceil(MODELS_PER_REQUEST / models));
      const samples = new Map<Case['name'], number[]>(CASES.map((c) => [c.name, []]));
      const cpuSamples: number[] = [];
      // Two rounds discarded: the JIT has compiled everything by then, as in a busy isolate.
      for (let round = -2; round < rounds; round++) {
        for (const c of round % 2 === 0 ? CASES : [...CASES].reverse()) {
          const before = cpuMs(pid);
          const response = await fetch(`${worker.url}/run?${c.path}&reps=${reps}`);
          const { check, ms } = (await response.json()) as { check: string; ms: number };
          const after = cpuMs(pid);
          if (!c.check(models).test(check)) throw new Error(`refresh CPU, ${models} models, ${c.name}: the worker answered "${check}"`);
          if (round < 0) continue;
          samples.get(c.name)?.push(ms);
          // The process's CPU over the request, beside the isolate's clock: a check that the two agree.
          if (c.name === 'refreshMs' && before !== undefined && after !== undefined) cpuSamples.push(after - before);
        }
      }
      const perRun = (name: Case['name']) => Math.min(...(samples.get(name) ?? [])) / reps;
      const roundRatio = (name: Case['name']) => median((samples.get(name) ?? []).map((ms, round) => ms / (samples.get('floorMs')?.[round] ?? Number.NaN)));
      const size: RefreshCpuSize = {
        models,
        upstreamBytes: setup.upstreamBytes,
        floorMs: perRun('floorMs'),
        refreshMs: perRun('refreshMs'),
        floorFailedMs: perRun('floorFailedMs'),
        refreshFailedMs: perRun('refreshFailedMs'),
        floorParseMs: perRun('floorParseMs'),
        providersMs: perRun('providersMs'),
        ratio: roundRatio('refreshMs'),
        failedRatio: roundRatio('refreshFailedMs'),
        processCpuMs: median(cpuSamples) / reps,
        reps,
        rounds,
      };
      log(`refresh CPU, ${models} models: ${size.refreshMs.toFixed(2)} ms against a floor of ${size.floorMs.toFixed(2)}, ${size.ratio.toFixed(2)}× (median per round); ` +
        `${FAILING_PROVIDER} failed: ${size.refreshFailedMs.toFixed(2)} ms, ${size.failedRatio.toFixed(2)}×`);
      results.push(size);
      if (models === PROFILE_MODELS) profiledReps = reps * 2;
    }
    return { sizes: results, profile: profiledReps === undefined ? undefined : await profiled(PROFILE_MODELS, profiledReps) };
  } finally {
    await worker.stop();
  }
}

/**
 * One request of `reps` refreshes (every provider answering) under the profiler, in a workerd of its
 * own started with an inspector (which the timed runs go without); the bundle's names are the sources'.
 */
async function profiled(models: number, reps: number): Promise<RefreshProfile | undefined> {
  const worker = await startPlainWorker(WORKER, { inspector: true });
  try {
    if (worker.inspector === undefined) return undefined;
    await fetch(`${worker.url}/setup?models=${models}`);
    // Warm, as the timed runs are: the JIT has compiled the code.
    for (let i = 0; i < 3; i++) await (await fetch(`${worker.url}/run?case=refresh&reps=${reps}`)).arrayBuffer();
    const { port, pathname } = new URL(worker.inspector);
    const inspector = await connectInspector(Number(port), pathname);
    try {
      const self = await inspector.selfTimes(async () => (await fetch(`${worker.url}/run?case=refresh&reps=${reps}`)).arrayBuffer());
      const busy = [...self].filter(([name]) => name !== '(idle)');
      const total = busy.reduce((sum, [, ms]) => sum + ms, 0);
      const shares = busy.sort((a, b) => b[1] - a[1]).slice(0, PROFILE_ROWS).map(([name, ms]): [string, number] => [name.replace(/ \(worker:\d+\)$/, ''), ms / total]);
      return { models, shares };
    } finally {
      inspector.close();
    }
  } finally {
    await worker.stop();
  }
}

/**
 * The largest list whose refresh fits `limitMs`, both cases, by straight lines through the measured
 * sizes (the cost grows linearly with the models); extrapolated past the largest one measured.
 */
export function largestFitting(sizes: RefreshCpuSize[], limitMs = FREE_PLAN_CPU_MS): number {
  const sorted = [...sizes].sort((a, b) => a.models - b.models);
  const cost = (s: RefreshCpuSize) => Math.max(s.refreshMs, s.refreshFailedMs);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (a === undefined || b === undefined) continue;
    const last = i === sorted.length - 1;
    if (cost(b) >= limitMs || last) {
      const slope = (cost(b) - cost(a)) / (b.models - a.models);
      return Math.floor(a.models + (limitMs - cost(a)) / slope);
    }
  }
  return Number.NaN;
}
