/**
 * @module The inference rows of `npm run bench`: models-edge forwarding a streamed chat call against a
 * trivial worker that forwards the same call with one `fetch` (bench/forward-worker.ts), both under
 * the same `wrangler dev`, in alternating turns. Time to first byte (the first server-sent event),
 * streamed throughput (a long stream, bytes per second) and the workerd CPU per call.
 */
import { median, percentile } from './bench-load.ts';
import { cpuMs } from './bench-procs.ts';
import { IDENTITY } from './bench-workers.ts';
import { startDevWorker, type DevWorker } from './dev-worker.ts';

export interface Forwarding {
  name: string;
  /** Where to POST `/v1/chat/completions`. */
  url: string;
  headers: Record<string, string>;
  /** The workerd running the worker, for its CPU per call. */
  runtimePid?: number;
}

export interface PassthroughFigures {
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  /** Megabytes per second of server-sent events through the worker, median over the rounds. */
  streamMBps: number;
  /** NaN when the worker's workerd could not be found. */
  cpuMsPerCall: number;
}

export interface PassthroughOptions {
  rounds: number;
  /** Calls per contender per round for the time-to-first-byte figure. */
  callsPerRound: number;
  model: string;
}

/** A trivial forwarder to `upstreamRoot` with `providerKey`, under `wrangler dev`. */
export function startForwarder(upstreamRoot: string, providerKey: string): Promise<DevWorker> {
  return startDevWorker({ main: 'bench/forward-worker.ts', vars: { FORWARD_TO: upstreamRoot, FORWARD_KEY: providerKey } });
}

/**
 * Alternates the contenders round by round (order flipped each round). Short streams measure the time
 * to the first event; one long stream per round measures throughput.
 */
export async function passthroughFigures(contenders: Forwarding[], options: PassthroughOptions, setChunks: (chunks: number) => void): Promise<Record<string, PassthroughFigures>> {
  const ttfb: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const mbps: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const body = JSON.stringify({ model: options.model, stream: true, messages: [{ role: 'user', content: 'Say hello.' }] });
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    setChunks(3);
    for (const contender of order) {
      await call(contender, body); // warm: JIT, sockets
      const before = contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid);
      for (let i = 0; i < options.callsPerRound; i++) ttfb[contender.name]?.push((await call(contender, body)).ttfbMs);
      const after = contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid);
      if (before !== undefined && after !== undefined) cpu[contender.name]?.push((after - before) / options.callsPerRound);
    }
    setChunks(20_000);
    for (const contender of order) {
      const { bytes, totalMs } = await call(contender, body);
      mbps[contender.name]?.push(bytes / 1e6 / (totalMs / 1000));
    }
  }
  return Object.fromEntries(
    contenders.map((c) => {
      const times = [...(ttfb[c.name] ?? [])].sort((a, b) => a - b);
      return [c.name, { ttfbP50Ms: percentile(times, 0.5), ttfbP99Ms: percentile(times, 0.99), streamMBps: median(mbps[c.name] ?? []), cpuMsPerCall: median(cpu[c.name] ?? []) }];
    }),
  );
}

/** One streamed call: the time to its first body bytes, its length and its whole duration. */
async function call(contender: Forwarding, body: string): Promise<{ ttfbMs: number; bytes: number; totalMs: number }> {
  const started = performance.now();
  const response = await fetch(`${contender.url}/v1/chat/completions`, { method: 'POST', headers: { ...IDENTITY, 'Content-Type': 'application/json', ...contender.headers }, body });
  if (response.status !== 200 || response.body === null) throw new Error(`${contender.name}: answered ${response.status}: ${await response.text()}`);
  const reader = response.body.getReader();
  let first = await reader.read();
  const ttfbMs = performance.now() - started;
  let bytes = 0;
  while (!first.done) {
    bytes += first.value.byteLength;
    first = await reader.read();
  }
  return { ttfbMs, bytes, totalMs: performance.now() - started };
}
