/** @module The inference passthrough rows of the report: each call's time to first byte or whole answer against the one-fetch forwarder. */
import type { PassthroughCall, PassthroughFigures, PassthroughOptions } from './passthrough.ts';
import { TARGET, EDGE, FORWARDER, type Verdict, fixed, signed } from './verdict.ts';
import type { PassthroughRun } from './run.ts';

/** What a row is judged on. */
export const judged = (call: PassthroughCall) => (call.streamed ? 'time to first byte' : 'whole answer');

/** One verdict per passthrough row: models-edge's p50 against the forwarder's, and the CPU stated. */
export function passthroughCallVerdicts(figures: PassthroughFigures): Verdict[] {
  const verdicts: Verdict[] = figures.calls.flatMap(({ call, byContender }) => {
    const [through, forward] = [byContender[EDGE], byContender[FORWARDER]];
    if (through === undefined || forward === undefined) return [];
    const limit = forward.p50Ms * TARGET.ttfbRatio + TARGET.ttfbSlackMs;
    return [{
      target: `passthrough ${call.name} (\`${call.path}\`), ${judged(call)}: p50 ≤ ${TARGET.ttfbRatio}× a one-fetch forwarder's + ${TARGET.ttfbSlackMs} ms`,
      measured: `${fixed(through.p50Ms, 2)} vs ${fixed(forward.p50Ms, 2)} ms (limit ${fixed(limit, 2)} ms; ${fixed(through.p50Ms / forward.p50Ms, 2)}×, ${signed(through.p50Ms - forward.p50Ms, 2)} ms)`,
      met: through.p50Ms <= limit,
    }];
  });
  const cpu = (name: string) => figures.calls.map(({ byContender }) => fixed(byContender[name]?.cpuMsPerCall ?? Number.NaN, 2)).join(' / ');
  verdicts.push({
    target: 'workerd CPU per forwarded call stated',
    measured: `${cpu(EDGE)} ms (forwarder ${cpu(FORWARDER)} ms), rows in order; streamed ${fixed(figures.streamMBps[EDGE] ?? Number.NaN, 1)} vs ${fixed(figures.streamMBps[FORWARDER] ?? Number.NaN, 1)} MB/s`,
    met: true,
  });
  return verdicts;
}

/** The passthrough part of docs/performance.md (also what \`--only passthrough\` rewrites). */
export function passthroughSection({ calls: figures, logLine }: PassthroughRun, options: PassthroughOptions): string {
  const rows = figures.calls
    .flatMap(({ call, byContender }) =>
      [FORWARDER, EDGE].map((name) => {
        const f = byContender[name];
        if (f === undefined) return '';
        return `| ${call.name} | \`${call.path}\` | ${judged(call)} | ${name} | ${fixed(f.p50Ms, 2)} | ${fixed(f.p99Ms, 2)} | ${f.roundP50Ms.map((ms) => fixed(ms, 1)).join(', ')} | ${fixed(f.cpuMsPerCall, 2)} |`;
      }),
    )
    .join('\n');
  return `## Inference passthrough

One row per call as a client of its dialect sends it, through models-edge with a client key, against
[bench/forward-worker.ts](../bench/forward-worker.ts), a worker that forwards the same call to the same
loopback fake provider (the same URL models-edge forwards it to) with one \`fetch\`; both under the same
\`wrangler dev\`, the two taking turns row by row (order flipped every round), ${options.rounds} rounds of
${options.callsPerRound} calls each after a warm-up call. A streamed call (server-sent events, 3 content chunks, the events
${options.dripMs} ms apart as a model's tokens come, faster than any model sends them) is judged on its time to first byte,
a whole answer on the time to its last byte. One call at a time, each after ${options.pauseMs} ms of idle: what
a call leaves running behind its answer has finished before the next is timed, as calls from independent
clients are. That matters here because models-edge writes one log line per call behind its answer, and
under \`wrangler dev\` a \`console.log\` costs milliseconds of the tooling's CPU (its inspector relay and its
Node process), which on these two shared cores lands on whatever call runs next, and which no deployed
Worker pays (priced below). The CPU column still counts the worker's workerd process, log line
included. Throughput is one 20,000-chunk stream per round, not drip-fed.

| call | path | judged on | contender | p50 ms | p99 ms | p50 of each round | workerd CPU ms/call |
|---|---|---|---|--:|--:|---|--:|
${rows}

Streamed throughput: ${Object.entries(figures.streamMBps).map(([name, v]) => `${name} ${fixed(v, 1)} MB/s`).join(', ')}.

**What one log line costs**: the forwarder against itself with \`FORWARD_LOG=1\`, which passes the answer
through a stream and writes one line a timer turn after its end, as models-edge does; a whole chat answer,
calls back to back (no idle: the line's whole cost, wherever it lands), the four taking turns, under
\`wrangler dev\` and in workerd alone ([scripts/lib/plain-worker.ts](../scripts/lib/plain-worker.ts): bundled by
\`wrangler deploy --dry-run\`, no dev proxy, no inspector, as deployed). The workerd CPU is the worker's own
process; under \`wrangler dev\` the line's relay through wrangler's other processes is not in it.

| contender | p50 ms | p99 ms | workerd CPU ms/call |
|---|--:|--:|--:|
${logLine.calls.flatMap(({ byContender }) => Object.entries(byContender).map(([name, f]) => `| ${name} | ${fixed(f.p50Ms, 2)} | ${fixed(f.p99Ms, 2)} | ${fixed(f.cpuMsPerCall, 2)} |`)).join('\n')}`;
}
