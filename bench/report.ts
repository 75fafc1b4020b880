/**
 * @module Turns one benchmark run into verdicts against the issue's targets, a console summary and
 * docs/performance.md. Every figure written comes from the run passed in; the prose around them
 * only says how they were taken.
 */
import { coordinatorMissSection } from './coordinator.ts';
import { translateSection, translateVerdict } from './translate-run.ts';
import { feedSection, feedVerdict } from './feed-run.ts';
import { callCostSection, callCostVerdicts } from './call-cost.ts';
import { median } from './load.ts';
import { TARGET, EDGE, FORWARDER, type Verdict, fixed } from './verdict.ts';
import type { BenchRun } from './run.ts';
import { hitVerdicts, hitSection, keyedSection, loadTable } from './hits-report.ts';
import { passthroughCallVerdicts, passthroughSection } from './passthrough-report.ts';
import { coldFillVerdict, refreshCpuVerdicts, memorySection, memoryVerdict, coldFillSection, refreshCpuSection } from './refresh-report.ts';

export function verdicts(run: BenchRun): Verdict[] {
  const stale = median(run.stale.map((r) => r.ms));
  return [
    ...hitVerdicts(run),
    coldFillVerdict(run.coldDelays, run.cold),
    {
      target: `stale read (refresh taking ${run.staleUpstreamDelayMs} ms behind it) ≤ ${TARGET.staleMs} ms`,
      measured: `median ${fixed(stale, 1)} ms (${run.stale.map((r) => fixed(r.ms, 1)).join(', ')})`,
      met: stale <= TARGET.staleMs && run.stale.every((r) => r.cache === 'STALE' && r.upstreamCalls > 0),
    },
    memoryVerdict(run.memory),
    ...refreshCpuVerdicts(run.refreshCpu.sizes),
    ...passthroughCallVerdicts(run.passthrough.calls),
    ...(run.callCost === undefined ? [] : callCostVerdicts(run.callCost, EDGE, FORWARDER)),
    ...(run.translate === undefined ? [] : [translateVerdict(run.translate)]),
    ...(run.feed === undefined ? [] : [feedVerdict(run.feed)]),
  ];
}

export function printSummary(run: BenchRun): void {
  console.log(`\n${run.listModels} models, ${run.bodyBytes} bytes; ${run.schedule.rounds} rounds × ${run.schedule.seconds} s per contender`);
  console.log(loadTable(run).join('\n'));
  console.log('');
  for (const v of verdicts(run)) console.log(`${v.met ? 'MET ' : 'MISS'}  ${v.target}: ${v.measured}`);
}

export function renderMarkdown(run: BenchRun): string {
  const m = run.machine;
  const s = run.schedule;
  return `# Performance

_Written by \`npm run bench\` on ${run.date}. Every number on this page comes from that one run;
rerun the command to replace them. How the run works: [scripts/bench.ts](../scripts/bench.ts)._

## Targets

| target | measured | met |
|---|---|---|
${verdicts(run).map((v) => `| ${v.target} | ${v.measured} | ${v.met ? 'yes' : '**no**'} |`).join('\n')}

## Machine and versions

| | |
|---|---|
| machine | ${m.cpu}, ${m.cores} cores, ${(m.ramBytes / 2 ** 30).toFixed(1)} GiB RAM, ${m.os} |
| load average (1 min) at start / end | ${m.loadAtStart.toFixed(2)} / ${run.loadAtEnd.toFixed(2)} |
${Object.entries(m.versions).map(([name, v]) => `| ${name} | ${v} |`).join('\n')}

## How it was measured

- **List**: ${run.listModels} models from four loopback fake providers (OpenAI, Anthropic, Gemini, Ollama
  formats, ${run.listModels / 4} each), ${run.bodyBytes.toLocaleString('en')} bytes of JSON as served.
- **The limit** is [bench/limit-worker.ts](../bench/limit-worker.ts): a trivial worker that answers every
  request with the bytes and headers models-edge served for that list (checked byte for byte at
  start), from a constant, and a 304 when \`If-None-Match\` matches.
- **Both run under \`wrangler dev\`** (the same wrangler, the same workerd, local KV). Under \`wrangler dev\`
  every request passes through wrangler's dev proxy, itself a second workerd process; the "direct" rows
  below send the same load straight to the workerd that runs each worker, past that proxy, so that the
  workers' own cost is less diluted. \`WRANGLER_LOG=warn\` stops wrangler's Node process from handling a
  log line for every request, which on this machine takes about a third of a core from both workers alike.
- **Load**: autocannon in the benchmark's own process, no compression asked, ${s.warmupSeconds} s of discarded
  warm-up then ${s.seconds} s measured per contender, ${s.rounds} rounds, the order of the contenders reversed
  every other round. **Throughput** is taken with ${run.connections.throughput} connections, each sending its next request as
  soon as the last is answered, which saturates the machine. **Latency** (the target's p99) is taken with
  ${run.connections.latency} connection, one request at a time: on a saturated machine a percentile measures the queue
  in front of the worker and the operating system's scheduling, not the worker (the saturated runs' p99s
  are in the table too). Each figure is the **median over the rounds**; p50/p99 come from every response
  time of a run (autocannon's own histogram rounds to whole milliseconds). Ratios are models-edge's
  median over the limit's median. "At least as fast" for the 304 is judged on throughput and the median
  answer; its p99 is shown beside the full answer's.
- **workerd CPU ms/answer**: CPU time of the workerd process that runs the worker (all its threads, read
  from /proc) over the answers of the run. It includes the runtime's own HTTP and socket work, so it is an
  upper bound on what the worker's code used, on this machine's CPU.
- **Client and server share this machine's ${m.cores} cores** (autocannon, wrangler's proxy and the worker's
  workerd all compete for them), so absolute requests per second say little about production; the ratios,
  taken in the same run with the two workers alternating, are the result. A busy machine makes them noisier.

${hitSection(run)}

${keyedSection(run)}

${passthroughSection(run.passthrough, run.passthroughOptions)}
${run.callCost === undefined ? '' : `\n${callCostSection(run.callCost, EDGE, FORWARDER)}\n`}
${coldFillSection(run.coldDelays, run.cold, run.coldUpstreamMs)}
${run.coordinatorMiss === undefined ? '' : `\n${coordinatorMissSection(run.coordinatorMiss)}\n`}${run.translate === undefined ? '' : `\n${translateSection(run.translate)}\n`}${run.feed === undefined ? '' : `\n${feedSection(run.feed)}\n`}
## Stale read

A worker with \`CACHE_TTL_SECONDS=1\`, every provider answering after ${run.staleUpstreamDelayMs} ms; each read comes
once the list has gone stale, and must answer at once from the stale copy while the refresh runs
behind it (\`waitUntil\`).

| read | ms | X-Cache | upstream calls started behind it |
|--:|--:|---|--:|
${run.stale.map((r, i) => `| ${i + 1} | ${fixed(r.ms, 1)} | ${r.cache} | ${r.upstreamCalls} |`).join('\n')}

Median **${fixed(median(run.stale.map((r) => r.ms)), 1)} ms**.

${memorySection(run.memory)}

${refreshCpuSection(run.refreshCpu.sizes, run.refreshCpu.profile)}
`;
}

/**
 * Replaces each \`## heading\` section of \`markdown\` (up to the next \`## \`) with the new text, and the
 * targets-table rows that begin with one of \`rows\`' targets: for runs of a few sections only.
 */
export function spliceSections(markdown: string, sections: string[], rows: Verdict[]): string {
  let out = markdown;
  for (const section of sections) {
    const heading = section.slice(0, section.indexOf('\n'));
    const start = out.indexOf(`${heading}\n`);
    if (start < 0) {
      out = `${out.trimEnd()}\n\n${section}\n`;
      continue;
    }
    const next = out.indexOf('\n## ', start + heading.length);
    out = `${out.slice(0, start)}${section}\n${next < 0 ? '' : out.slice(next)}`;
  }
  for (const v of rows) {
    const row = `| ${v.target} | ${v.measured} | ${v.met ? 'yes' : '**no**'} |`;
    // The target up to its colon, colon included ("cache hit:" must not match "cache hit, 3000 models:").
    const colon = v.target.indexOf(':');
    const prefix = colon < 0 ? `| ${v.target} |` : `| ${v.target.slice(0, colon + 1)}`;
    const lines = out.split('\n');
    const at = lines.findIndex((line) => line.startsWith(prefix));
    // A new target goes at the end of the targets table, which ends before the machine section.
    const end = lines.indexOf('## Machine and versions');
    if (at >= 0) lines[at] = row;
    else if (end > 0) lines.splice(lines.slice(0, end).findLastIndex((line) => line.startsWith('| ')) + 1, 0, row);
    out = lines.join('\n');
  }
  return out;
}
