/**
 * @module The inference rows of `npm run bench`: models-edge forwarding a call against a trivial worker
 * that forwards the same call with one `fetch` (bench/forward-worker.ts), both under the same
 * `wrangler dev`, in alternating turns. One row per call as a client of one dialect makes it
 * (`PASSTHROUGH_CALLS`): a streamed call is judged on its time to first byte, a whole one on the time
 * to its last byte. Also streamed throughput (one long stream) and the workerd CPU per call.
 */
import { median, percentile } from './load.ts';
import { cpuMs } from './procs.ts';
import { IDENTITY } from './workers.ts';
import { startDevWorker, type DevWorker } from '../scripts/lib/dev-worker.ts';
import type { Kind } from '../fake-providers/upstreams.ts';

/** One call, as a client of its dialect sends it. */
export interface PassthroughCall {
  /** The dialect and the answer's kind, e.g. `OpenAI chat, streamed`. */
  name: string;
  /** Path and query on models-edge. */
  path: string;
  /**
   * The fake provider that owns the model. The forwarder gets the call at `/{owner}{path}` and sends it
   * to the same path on the fakes' origin: the very URL models-edge forwards it to.
   */
  owner: Kind;
  headers: Record<string, string>;
  body: string;
  /** Judged on the time to first byte (server-sent events) or to the last byte of the whole answer. */
  streamed: boolean;
  /**
   * For a translated call: the call as models-edge sends it on (OpenAI chat), which is what the
   * forwarder gets, so the row prices the translation both ways on top of the forwarding.
   */
  upstream?: { path: string; body: string };
}

const JSON_BODY = { 'Content-Type': 'application/json' };
const PROMPT = 'Say hello.';
const row = (dialect: string, owner: Kind, path: string, headers: Record<string, string>, body: object, streamed: boolean): PassthroughCall =>
  ({ name: `${dialect}, ${streamed ? 'streamed' : 'whole answer'}`, path, owner, headers: { ...JSON_BODY, ...headers }, body: JSON.stringify(body), streamed });

const chat = (streamed: boolean) => row('OpenAI chat', 'openai', '/v1/chat/completions', {}, { model: 'gpt-4o', stream: streamed, messages: [{ role: 'user', content: PROMPT }] }, streamed);

/** An Anthropic Messages call for an OpenAI-owned model: translated to chat and back. */
const translated = (streamed: boolean): PassthroughCall => ({
  ...row('Anthropic Messages → OpenAI chat (translated)', 'openai', '/v1/messages', { 'anthropic-version': '2023-06-01' }, { model: 'gpt-4o', max_tokens: 256, stream: streamed, messages: [{ role: 'user', content: PROMPT }] }, streamed),
  upstream: {
    path: '/v1/chat/completions',
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], max_tokens: 256, stream: streamed, ...(streamed ? { stream_options: { include_usage: true } } : {}) }),
  },
});

/** The rows, in order: one line per dialect and kind of answer (its path, its client's headers, its body). */
export const PASSTHROUGH_CALLS: PassthroughCall[] = [true, false].flatMap((streamed) => [
  chat(streamed),
  translated(streamed),
  row('Anthropic Messages', 'anthropic', '/v1/messages', { 'anthropic-version': '2023-06-01' }, { model: 'claude-sonnet-4-5-20250929', max_tokens: 256, stream: streamed, messages: [{ role: 'user', content: PROMPT }] }, streamed),
  row('Gemini', 'gemini', `/v1beta/models/gemini-2.0-flash:${streamed ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, {}, { contents: [{ role: 'user', parts: [{ text: PROMPT }] }] }, streamed),
  row('OpenAI Responses', 'openai', '/v1/responses', {}, { model: 'gpt-4o', stream: streamed, input: PROMPT }, streamed),
]);

/** The call that prices one log line (forwarder against forwarder with the line): a whole chat answer. */
export const LOG_LINE_CALL = chat(false);

export interface Forwarding {
  name: string;
  url: string;
  /** Where the call's path goes on this worker: `/{owner}{path}` for the forwarder, `path` for models-edge. */
  pathFor(call: PassthroughCall): string;
  /** The body this worker gets: the client's for models-edge, what models-edge sends on for the forwarder. */
  bodyFor(call: PassthroughCall): string;
  headers: Record<string, string>;
  /** The workerd running the worker, for its CPU per call. */
  runtimePid?: number;
}

/** One contender on one row. */
export interface CallFigures {
  /** Of the judged time: to first byte when streamed, to the last byte otherwise. */
  p50Ms: number;
  p99Ms: number;
  /** Spread of the judged time: the median of each round, in round order. */
  roundP50Ms: number[];
  /** NaN when the worker's workerd could not be found. */
  cpuMsPerCall: number;
}

export interface PassthroughFigures {
  /** By call name, then by contender name. */
  calls: { call: PassthroughCall; byContender: Record<string, CallFigures> }[];
  /** Megabytes per second of server-sent events through each contender, median over the rounds. */
  streamMBps: Record<string, number>;
}

export interface PassthroughOptions {
  rounds: number;
  /** Calls per row per contender per round. */
  callsPerRound: number;
  /**
   * Idle time before each call: one call at a time, each after whatever the last one left running
   * behind its answer (models-edge's log line, which under `wrangler dev` costs milliseconds of the
   * tooling's CPU on this machine's two cores) has finished, as calls from independent clients are.
   */
  pauseMs: number;
  /**
   * Time between a stream's events, as a model's tokens come: the first event is then timed alone,
   * not together with the stream's end and what follows it.
   */
  dripMs: number;
}

/** What the fake providers' streams look like: how many content chunks, how far apart. */
export interface StreamShape {
  chunks: number;
  dripMs: number;
}

/** A trivial forwarder to the fakes at `origin` with `providerKey`, under `wrangler dev` (`logLine`: FORWARD_LOG=1). */
export function startForwarder(origin: string, providerKey: string, logLine = false): Promise<DevWorker> {
  return startDevWorker({ main: FORWARD_WORKER, vars: forwarderVars(origin, providerKey, logLine) });
}

export const FORWARD_WORKER = 'bench/forward-worker.ts';

export function forwarderVars(origin: string, providerKey: string, logLine: boolean): Record<string, string> {
  return { FORWARD_TO: origin, FORWARD_KEY: providerKey, ...(logLine ? { FORWARD_LOG: '1' } : {}) };
}

/**
 * Round by round, row by row, the contenders take turns (order flipped every round), each a warm-up call
 * then `callsPerRound` calls one at a time; then one 20,000-chunk stream each, not drip-fed, for throughput.
 */
export async function passthroughFigures(
  contenders: Forwarding[],
  options: PassthroughOptions,
  setStream: (shape: StreamShape) => void,
  calls: PassthroughCall[] = PASSTHROUGH_CALLS,
): Promise<PassthroughFigures> {
  const key = (call: PassthroughCall, contender: Forwarding) => `${call.name}\n${contender.name}`;
  const times = new Map<string, number[]>();
  const rounds = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, k: string, ...values: number[]) => map.set(k, [...(map.get(k) ?? []), ...values]);
  const mbps: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const longStream = calls.find((c) => c.streamed && c.owner === 'openai');
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    setStream({ chunks: 3, dripMs: options.dripMs });
    for (const call of calls) {
      for (const contender of order) {
        await timed(contender, call, options.pauseMs); // warm: JIT, sockets
        const before = contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid);
        const judged: number[] = [];
        for (let i = 0; i < options.callsPerRound; i++) {
          const t = await timed(contender, call, options.pauseMs);
          judged.push(call.streamed ? t.ttfbMs : t.totalMs);
        }
        const after = contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid);
        push(times, key(call, contender), ...judged);
        push(rounds, key(call, contender), median(judged));
        if (before !== undefined && after !== undefined) push(cpu, key(call, contender), (after - before) / options.callsPerRound);
      }
    }
    if (longStream === undefined) continue;
    setStream({ chunks: 20_000, dripMs: 0 });
    for (const contender of order) {
      const { bytes, totalMs } = await timed(contender, longStream, options.pauseMs);
      mbps[contender.name]?.push(bytes / 1e6 / (totalMs / 1000));
    }
  }
  return {
    calls: calls.map((call) => ({
      call,
      byContender: Object.fromEntries(
        contenders.map((c) => {
          const sorted = [...(times.get(key(call, c)) ?? [])].sort((a, b) => a - b);
          return [c.name, { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), roundP50Ms: rounds.get(key(call, c)) ?? [], cpuMsPerCall: median(cpu.get(key(call, c)) ?? []) }];
        }),
      ),
    })),
    streamMBps: Object.fromEntries(contenders.map((c) => [c.name, median(mbps[c.name] ?? [])])),
  };
}

/** One call after `pauseMs` of idle: the time to its first body bytes, its length and its whole duration. */
export async function timed(contender: Forwarding, call: PassthroughCall, pauseMs: number): Promise<{ ttfbMs: number; bytes: number; totalMs: number }> {
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const started = performance.now();
  const response = await fetch(`${contender.url}${contender.pathFor(call)}`, { method: 'POST', headers: { ...IDENTITY, ...call.headers, ...contender.headers }, body: contender.bodyFor(call) });
  if (response.status !== 200 || response.body === null) throw new Error(`${contender.name}, ${call.name}: answered ${response.status}: ${await response.text()}`);
  const reader = response.body.getReader();
  let chunk = await reader.read();
  const ttfbMs = performance.now() - started;
  let bytes = 0;
  while (!chunk.done) {
    bytes += chunk.value.byteLength;
    chunk = await reader.read();
  }
  return { ttfbMs, bytes, totalMs: performance.now() - started };
}
