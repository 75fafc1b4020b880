/**
 * @module The benchmark's single-request measurements: a cold fill through the parallel fan-out,
 * a stale read that must not wait for its refresh, and what a 10,000-model list costs an isolate.
 */
import { connectInspector } from './inspector.ts';
import { median } from './load.ts';
import { cpuMs, inspectorPort, userRuntimePid } from './procs.ts';
import { get, purge } from './workers.ts';
import type { DevWorker } from '../scripts/lib/dev-worker.ts';
import { KINDS, listPath, type Kind, type RunningUpstreams } from '../fake-providers/upstreams.ts';

export interface TimedRead {
  ms: number;
  cache: string | null;
  /** Upstream list requests the read caused (or, for a stale read, caused behind it). */
  upstreamCalls: number;
  /** CPU the worker's workerd spent on the read, where it could be measured. */
  cpuMs?: number;
  /** Sent straight to the worker's workerd, past wrangler's dev proxy. */
  direct?: boolean;
  /** A cold fill's answer read again once the fill is done, a HIT: what delivering those bytes costs alone. */
  hitMs?: number;
}

/**
 * Purges, then times the first read, `reps` times; the upstreams answer after `delays`. With
 * `direct` (the worker's own workerd socket) every purge is followed by a read there too, the two
 * taking turns.
 */
export async function coldFills(worker: DevWorker, upstreams: RunningUpstreams, token: string, delays: Record<Kind, number>, reps: number, direct?: string): Promise<TimedRead[]> {
  const saved = upstreams.state.delayMs;
  upstreams.state.delayMs = delays;
  const pid = userRuntimePid(worker.url);
  const cpu = () => (pid === undefined ? undefined : cpuMs(pid));
  const reads: TimedRead[] = [];
  try {
    const bases = direct === undefined ? [worker.url] : [worker.url, direct];
    for (let i = 0; i < reps; i++) {
      for (const base of i % 2 === 0 ? bases : [...bases].reverse()) {
        await purge(worker, token);
        const before = totalCalls(upstreams);
        const cpuBefore = cpu();
        const { ms, cache } = await timedGet(`${base}/v1/models`);
        const cpuAfter = cpu();
        const cpuMsSpent = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
        const upstreamCalls = totalCalls(upstreams) - before;
        // The fill's writes run behind its answer: let them finish before the same bytes are timed as a HIT.
        await sleep(HIT_AFTER_MS);
        const hit = await timedGet(`${base}/v1/models`);
        reads.push({
          ms, cache, upstreamCalls, ...(cpuMsSpent === undefined ? {} : { cpuMs: cpuMsSpent }), ...(base === direct ? { direct: true } : {}),
          ...(hit.cache === 'HIT' ? { hitMs: hit.ms } : {}),
        });
      }
    }
  } finally {
    upstreams.state.delayMs = saved;
  }
  return reads;
}

/** Long enough for a fill's KV writes and copy outside KV, behind its answer, to be done on this machine. */
const HIT_AFTER_MS = 500;

/**
 * The slowest provider of `delays` as Node itself sees it: the median of `reps` reads of its list,
 * to the last byte. The floor under a cold fill, beside the nominal delay.
 */
export async function slowestUpstreamMs(upstreams: RunningUpstreams, delays: Record<Kind, number>, reps = 5): Promise<number> {
  const saved = upstreams.state.delayMs;
  upstreams.state.delayMs = delays;
  const slowest = KINDS.reduce((a, b) => (delays[b] > delays[a] ? b : a));
  const times: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const started = performance.now();
      const response = await fetch(`${upstreams.origin}${listPath(slowest)}`);
      await response.arrayBuffer();
      times.push(performance.now() - started);
    }
  } finally {
    upstreams.state.delayMs = saved;
  }
  return median(times);
}

/**
 * Times reads of a list that has just gone stale while every upstream takes `delayMs`. `worker`
 * must run with CACHE_TTL_SECONDS = `freshSeconds`; each read waits out the refresh the previous
 * one started plus the freshness it bought.
 */
export async function staleReads(worker: DevWorker, upstreams: RunningUpstreams, freshSeconds: number, delayMs: number, reps: number): Promise<TimedRead[]> {
  const saved = upstreams.state.delayMs;
  upstreams.state.delayMs = Object.fromEntries(KINDS.map((kind) => [kind, delayMs]));
  const reads: TimedRead[] = [];
  try {
    await timedGet(`${worker.url}/v1/models`); // the fill
    for (let i = 0; i < reps; i++) {
      await sleep(delayMs + freshSeconds * 1000 + 500);
      const before = totalCalls(upstreams);
      const { ms, cache } = await timedGet(`${worker.url}/v1/models`);
      // The refresh behind the answer reaches the upstreams right after it; give it a moment.
      await sleep(200);
      reads.push({ ms, cache, upstreamCalls: totalCalls(upstreams) - before });
    }
    await sleep(delayMs + 200); // let the last refresh finish before the worker is stopped
  } finally {
    upstreams.state.delayMs = saved;
  }
  return reads;
}

export interface MemoryFigures {
  models: number;
  bodyBytes: number;
  /** Live V8 heap of the worker's isolate, after a full collection. */
  heapBaseline: number;
  /** ... holding the list in the memory tier. */
  heapWithList: number;
  /** ... holding the list and the id index built for `/v1/models/{id}`. */
  heapWithIndex: number;
}

/** What a freshly started worker's isolate holds once it serves `models` models. */
export async function memoryFigures(worker: DevWorker, models: number): Promise<MemoryFigures> {
  const port = inspectorPort(worker.url);
  if (port === undefined) throw new Error('no inspector port found for the worker (this measurement needs Linux /proc)');
  const inspector = await connectInspector(port);
  try {
    const heapBaseline = await inspector.liveHeapBytes();
    const body = await (await get(`${worker.url}/v1/models`)).text();
    for (let i = 0; i < 5; i++) await (await get(`${worker.url}/v1/models`)).arrayBuffer();
    const heapWithList = await inspector.liveHeapBytes();
    const { data } = JSON.parse(body) as { data: { id: string }[] };
    if (data.length !== models) throw new Error(`expected ${models} models, the worker served ${data.length}`);
    const one = await get(`${worker.url}/v1/models/${encodeURIComponent(data[0]?.id ?? '')}`);
    if (!one.ok) throw new Error(`GET /v1/models/{id} answered ${one.status}`);
    await one.arrayBuffer();
    const heapWithIndex = await inspector.liveHeapBytes();
    return { models, bodyBytes: Buffer.byteLength(body), heapBaseline, heapWithList, heapWithIndex };
  } finally {
    inspector.close();
  }
}

async function timedGet(url: string): Promise<{ ms: number; cache: string | null }> {
  const started = performance.now();
  const response = await get(url);
  await response.arrayBuffer();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return { ms, cache: response.headers.get('x-cache') };
}

function totalCalls(upstreams: RunningUpstreams): number {
  return Object.values(upstreams.state.hits).reduce((sum, n) => sum + n, 0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
