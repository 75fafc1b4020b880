/**
 * @module What one call costs models-edge against the one-fetch forwarder (bench/forward-worker.ts),
 * for `npm run bench -- --only call-cpu` and `--only long-streams`: the workerd CPU per call of an OpenAI
 * chat call, streamed and whole, with a client key, the two taking turns round by round; and the
 * throughput of long streams as fast as the provider sends them: a counted OpenAI chat stream whose
 * client did not ask for usage (so its usage chunk is taken out), the same with usage asked for, and an
 * Anthropic Messages stream translated for an OpenAI owner, called through the public routes only.
 * Ratios are the median of each round's own ratio: on a shared machine the rounds drift, the ratio
 * within one round much less.
 */
import { median } from './load.ts';
import { PASSTHROUGH_CALLS, timed, type Forwarding, type PassthroughCall, type StreamShape } from './passthrough.ts';
import { cpuMs } from './procs.ts';
import type { Verdict } from './verdict.ts';

export const CALL_CPU_TARGET = 1.25;
export const LONG_STREAM_TARGETS = { counted: 0.8, translated: 0.5 };
const LONG_STREAM_EVENTS = 20_000;

const byName = (name: string): PassthroughCall => {
  const call = PASSTHROUGH_CALLS.find((c) => c.name === name);
  if (call === undefined) throw new Error(`no passthrough call named ${name}`);
  return call;
};

/** The CPU rows: an OpenAI chat call, streamed and whole. */
export const CPU_CALLS = [byName('OpenAI chat, streamed'), byName('OpenAI chat, whole answer')];

/** The long streams: what each is, the call, and the target against the forwarder's throughput. */
export const LONG_STREAMS: { label: string; call: PassthroughCall; target: number }[] = [
  { label: 'counted OpenAI chat stream, usage chunk taken out (client did not ask)', call: byName('OpenAI chat, streamed'), target: LONG_STREAM_TARGETS.counted },
  { label: 'counted OpenAI chat stream, usage asked for by the client', call: withUsageAsked(byName('OpenAI chat, streamed')), target: LONG_STREAM_TARGETS.counted },
  { label: 'Anthropic Messages → OpenAI chat (translated)', call: byName('Anthropic Messages → OpenAI chat (translated), streamed'), target: LONG_STREAM_TARGETS.translated },
];

function withUsageAsked(call: PassthroughCall): PassthroughCall {
  const body = JSON.stringify({ ...(JSON.parse(call.body) as object), stream_options: { include_usage: true } });
  return { ...call, name: `${call.name}, usage asked`, body };
}

export interface CallCpu {
  call: PassthroughCall;
  /** Median per round, by contender. */
  cpuMs: Record<string, number>;
  /** Median of each round's models-edge ÷ forwarder. */
  ratio: number;
  roundRatios: number[];
}

export interface LongStream {
  label: string;
  call: PassthroughCall;
  target: number;
  mbps: Record<string, number>;
  cpuMs: Record<string, number>;
  /** Median of each round's models-edge ÷ forwarder throughput. */
  ratio: number;
  roundRatios: number[];
  /** Median of each round's models-edge ÷ JS_LOOP_FORWARDER throughput, when it ran. */
  overJsLoop?: number;
}

export interface CallCostFigures {
  cpu?: CallCpu[];
  streams?: LongStream[];
  rounds: number;
  callsPerRound: number;
}

/** `edge` and `forwarder` take turns (order flipped every round); `pauseMs` of idle before each call, events `dripMs` apart. */
export async function callCpu(
  edge: Forwarding,
  forwarder: Forwarding,
  options: { rounds: number; callsPerRound: number; pauseMs: number; dripMs: number },
  setStream: (shape: StreamShape) => void,
  /** Contenders measured beside the two, taking the same turns (the forwarder writing a log line). */
  others: Forwarding[] = [],
): Promise<CallCpu[]> {
  const perRound = new Map<string, number[]>();
  const push = (k: string, v: number) => perRound.set(k, [...(perRound.get(k) ?? []), v]);
  setStream({ chunks: 3, dripMs: options.dripMs });
  for (let round = 0; round < options.rounds; round++) {
    for (const call of CPU_CALLS) {
      const order = [forwarder, ...others, edge];
      for (const contender of round % 2 === 0 ? order : order.reverse()) {
        if (contender.runtimePid === undefined) throw new Error(`${contender.name}: its workerd was not found (needs Linux /proc)`);
        await timed(contender, call, options.pauseMs);
        const before = cpuMs(contender.runtimePid) ?? Number.NaN;
        for (let i = 0; i < options.callsPerRound; i++) await timed(contender, call, options.pauseMs);
        push(`${call.name}\n${contender.name}`, ((cpuMs(contender.runtimePid) ?? Number.NaN) - before) / options.callsPerRound);
      }
    }
  }
  return CPU_CALLS.map((call) => {
    const [e, f] = [perRound.get(`${call.name}\n${edge.name}`) ?? [], perRound.get(`${call.name}\n${forwarder.name}`) ?? []];
    const roundRatios = e.map((v, i) => v / (f[i] ?? Number.NaN));
    const other = Object.fromEntries(others.map((o) => [o.name, median(perRound.get(`${call.name}\n${o.name}`) ?? [])]));
    return { call, cpuMs: { [edge.name]: median(e), [forwarder.name]: median(f), ...other }, ratio: median(roundRatios), roundRatios };
  });
}

/** The forwarder writing one log line behind each answer, as models-edge does (FORWARD_LOG=1). */
export const LOGGING_FORWARDER = 'forwarder + log line';

/** The forwarder with every chunk of its answer read and written on by JavaScript (bench/forward-worker.ts, `x-forward-js`). */
export const JS_LOOP_FORWARDER = 'forwarder, each chunk through JavaScript';

/** The forwarder as `JS_LOOP_FORWARDER`: the same worker, asked by a header. */
export function jsLoopForwarder(forwarder: Forwarding): Forwarding {
  return { ...forwarder, name: JS_LOOP_FORWARDER, headers: { ...forwarder.headers, 'x-forward-js': '1' } };
}

/**
 * One LONG_STREAM_EVENTS-event stream per contender per round, not drip-fed; `jsLoop` (the forwarder
 * passing each chunk through JavaScript) takes the same turns: the floor of any answer JavaScript must
 * see chunk by chunk.
 */
export async function longStreams(edge: Forwarding, forwarder: Forwarding, rounds: number, setStream: (shape: StreamShape) => void, jsLoop?: Forwarding): Promise<LongStream[]> {
  setStream({ chunks: LONG_STREAM_EVENTS, dripMs: 0 });
  const out: LongStream[] = [];
  const contenders = jsLoop === undefined ? [forwarder, edge] : [forwarder, jsLoop, edge];
  for (const { label, call, target } of LONG_STREAMS) {
    const mbps: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      const ms: Record<string, number> = {};
      let upstreamBytes = 0;
      for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
        const measured = async () => {
          const before = contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid);
          const { bytes, totalMs } = await timed(contender, call, 50);
          return { bytes, totalMs, before, after: contender.runtimePid === undefined ? undefined : cpuMs(contender.runtimePid) };
        };
        // One retry: under load a loopback connection to the fake provider is now and then lost
        // ("Network connection lost"), whoever the contender; a second failure ends the run.
        const { bytes, totalMs, before, after } = await measured().catch((error: unknown) => {
          console.warn(`[bench] ${contender.name}, ${label}: ${String(error).split('\n')[0]}; once more`);
          return measured();
        });
        ms[contender.name] = totalMs;
        // The forwarder's answer is the provider's stream as sent: both are timed over those bytes
        // (a translated answer is another size: the same stream, said in another dialect).
        if (contender === forwarder) upstreamBytes = bytes;
        if (before !== undefined && after !== undefined) cpu[contender.name]?.push(after - before);
      }
      for (const { name } of contenders) mbps[name]?.push(upstreamBytes / 1e6 / ((ms[name] ?? Number.NaN) / 1000));
    }
    const e = mbps[edge.name] ?? [];
    const f = mbps[forwarder.name] ?? [];
    const j = jsLoop === undefined ? undefined : mbps[jsLoop.name];
    const roundRatios = e.map((v, i) => v / (f[i] ?? Number.NaN));
    out.push({
      label, call, target,
      ...(j === undefined ? {} : { overJsLoop: median(e.map((v, i) => v / (j[i] ?? Number.NaN))) }),
      mbps: Object.fromEntries(Object.entries(mbps).map(([k, v]) => [k, median(v)])),
      cpuMs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)])),
      ratio: median(roundRatios),
      roundRatios,
    });
  }
  return out;
}

export function callCostVerdicts(figures: CallCostFigures, edge: string, forwarder: string): Verdict[] {
  return [
    ...(figures.cpu ?? []).map((c) => ({
      target: `workerd CPU per call, ${c.call.name}, with a client key: ≤ ${CALL_CPU_TARGET}× the forwarder's`,
      measured:
        `${fixed(c.ratio, 2)}× (${fixed(c.cpuMs[edge], 2)} vs ${fixed(c.cpuMs[forwarder], 2)} ms; each round ${c.roundRatios.map((r) => fixed(r, 2)).join(', ')})` +
        (c.cpuMs[LOGGING_FORWARDER] === undefined ? '' : `; the forwarder writing the same log line ${fixed(c.cpuMs[LOGGING_FORWARDER], 2)} ms, models-edge ${fixed((c.cpuMs[edge] ?? Number.NaN) / c.cpuMs[LOGGING_FORWARDER], 2)}× of it`),
      met: c.ratio <= CALL_CPU_TARGET,
    })),
    ...(figures.streams ?? []).map((s) => ({
      target: `long stream (${LONG_STREAM_EVENTS.toLocaleString('en')} events), ${s.label}: ≥ ${s.target}× the forwarder's throughput`,
      measured:
        `${fixed(s.ratio, 2)}× (${fixed(s.mbps[edge], 1)} vs ${fixed(s.mbps[forwarder], 1)} MB/s; each round ${s.roundRatios.map((r) => fixed(r, 2)).join(', ')})` +
        (s.overJsLoop === undefined ? '' : `; the forwarder passing each chunk through JavaScript ${fixed(s.mbps[JS_LOOP_FORWARDER], 1)} MB/s, models-edge ${fixed(s.overJsLoop, 2)}× of it`),
      met: s.ratio >= s.target,
    })),
  ];
}

export function callCostSection(figures: CallCostFigures, edge: string, forwarder: string): string {
  const cpuRows = (figures.cpu ?? []).map((c) => `| ${c.call.name} | ${fixed(c.cpuMs[forwarder], 2)} | ${fixed(c.cpuMs[LOGGING_FORWARDER], 2)} | ${fixed(c.cpuMs[edge], 2)} | ${fixed(c.ratio, 2)}× | ${c.roundRatios.map((r) => fixed(r, 2)).join(', ')} |`);
  const streamRows = (figures.streams ?? []).map(
    (s) =>
      `| ${s.label} | \`${s.call.path}\` | ${fixed(s.mbps[forwarder], 1)} | ${fixed(s.mbps[JS_LOOP_FORWARDER], 1)} | ${fixed(s.mbps[edge], 1)} | ${fixed(s.ratio, 2)}× | ${s.roundRatios.map((r) => fixed(r, 2)).join(', ')} | ${fixed(s.overJsLoop, 2)}× | ${fixed(s.cpuMs[forwarder], 0)} / ${fixed(s.cpuMs[JS_LOOP_FORWARDER], 0)} / ${fixed(s.cpuMs[edge], 0)} |`,
  );
  return `## What a call costs

models-edge against the one-fetch forwarder (bench/forward-worker.ts) under the same \`wrangler dev\`, models-edge
with a client key on every call, the two taking turns (order flipped every round), ${figures.rounds} rounds. Ratios
are the median of each round's own ratio. How each part of a call adds up: [development.md, "What a call costs"](development.md#what-a-call-costs).

**CPU per call**: the worker's workerd process (all threads, from /proc) over ${figures.callsPerRound} calls a round, one
at a time after 10 ms of idle; a streamed call has 3 content events 5 ms apart. Beside them, taking the same
turns, the forwarder writing one log line behind each answer as models-edge does (\`FORWARD_LOG=1\`): what
that line costs under \`wrangler dev\`, where \`console.log\` goes through the inspector connection wrangler keeps
open. The ratio is models-edge over the bare forwarder.

| call | forwarder ms | forwarder + log line ms | models-edge ms | ratio | each round |
|---|--:|--:|--:|--:|---|
${cpuRows.join('\n')}

**Long streams**: one ${LONG_STREAM_EVENTS.toLocaleString('en')}-event stream per contender per round, as fast as the fake provider
sends it; the forwarder gets the call models-edge sends on (for the translated stream: the OpenAI chat call).
Throughput is the provider's stream (the bytes the forwarder passes on) over the time to the answer's last byte,
for all: a translated answer says the same stream in other, fewer bytes. Beside them, taking the same turns, the
forwarder with every chunk read and written on by a JavaScript loop that does nothing else (\`x-forward-js\`): the
floor of any answer that JavaScript must see chunk by chunk as it comes (taking the usage chunk out, translating),
since the runtime charges each chunk's JavaScript turn whatever the loop does with it.

| stream | path | forwarder MB/s | forwarder, each chunk through JavaScript MB/s | models-edge MB/s | ratio | each round | models-edge ÷ JavaScript loop | workerd CPU ms per stream, forwarder / JavaScript loop / models-edge |
|---|---|--:|--:|--:|--:|---|--:|--:|
${streamRows.join('\n')}`;
}

function fixed(n: number | undefined, digits: number): string {
  return n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '—';
}
