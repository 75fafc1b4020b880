/** @module The cache-hit rows of the report: throughput and p99 against the limit worker, keyed hits, and their tables. */
import { summarise, type Run, type Runs } from './alternate.ts';
import { median } from './load.ts';
import { TARGET, KEYED, type Verdict, fixed } from './verdict.ts';
import type { HitRun } from './run.ts';

/** The cache hit's targets, and the keyed hit's (issue #8). */
export function hitVerdicts(run: HitRun): Verdict[] {
  const hot = (name: string) => summarise(run.hot[name] ?? []);
  const [limit, edge, edge304, keyed] = [hot('limit'), hot('models-edge'), hot('models-edge 304'), hot(KEYED)];
  const [limit1, edge1, edge304one] = [hot('limit, 1 conn'), hot('models-edge, 1 conn'), hot('models-edge 304, 1 conn')];
  return [
    {
      target: `cache hit, ${run.listModels} models: throughput ≥ ${TARGET.throughputRatio}× the limit worker's`,
      measured: `${fixed(edge.rps / limit.rps, 3)}× (${fixed(edge.rps, 0)} vs ${fixed(limit.rps, 0)} req/s)`,
      met: edge.rps / limit.rps >= TARGET.throughputRatio,
    },
    {
      target: `cache hit: p99 latency ≤ ${TARGET.p99Ratio}× the limit worker's`,
      measured: `${fixed(edge1.p99Ms / limit1.p99Ms, 3)}× (${fixed(edge1.p99Ms, 2)} vs ${fixed(limit1.p99Ms, 2)} ms)`,
      met: edge1.p99Ms / limit1.p99Ms <= TARGET.p99Ratio,
    },
    {
      target: 'If-None-Match → 304 at least as fast as a full hit',
      measured: `${fixed(edge304.rps, 0)} vs ${fixed(edge.rps, 0)} req/s; p50 ${fixed(edge304one.p50Ms, 2)} vs ${fixed(edge1.p50Ms, 2)} ms, p99 ${fixed(edge304one.p99Ms, 2)} vs ${fixed(edge1.p99Ms, 2)} ms`,
      // "As fast": throughput and the typical answer; a p99 of one-at-a-time requests is set by the
      // machine's hiccups, which a 304 and a full answer share (both shown).
      met: edge304.rps >= edge.rps && edge304one.p50Ms <= edge1.p50Ms,
    },
    {
      target: `keyed list hit (a key with a view) ≥ ${TARGET.keyedRatio}× the unkeyed hit's throughput`,
      measured: `${fixed(keyed.rps / edge.rps, 3)}× (${fixed(keyed.rps, 0)} vs ${fixed(edge.rps, 0)} req/s)`,
      met: keyed.rps / edge.rps >= TARGET.keyedRatio,
    },
  ];
}

/** The cache-hit part of docs/performance.md (also what \`--only hits\` rewrites). */
export function hitSection(run: HitRun): string {
  return `## Cache hit: full list, and 304

${loadTable(run).join('\n')}

| models-edge ÷ limit | req/s | req/s, median of each round's own ratio | p50 | p99 |
|---|--:|--:|--:|--:|
${[
  ...ratioRows(run.hot, 'limit', 'models-edge', `full list, ${run.connections.throughput} connections, through wrangler dev`),
  ...ratioRows(run.hot, 'limit, 1 conn', 'models-edge, 1 conn', `full list, ${run.connections.latency} connection, through wrangler dev`),
  ...ratioRows(run.direct, 'limit direct', 'models-edge direct', `full list, ${run.connections.throughput} connections, direct to workerd`),
].join('\n')}

models-edge answers a matching \`If-None-Match\` with a 304 at ${fixed(summarise(run.hot['models-edge 304'] ?? []).rps, 0)} req/s, against
${fixed(summarise(run.hot['models-edge'] ?? []).rps, 0)} req/s for the full ${run.bodyBytes.toLocaleString('en')}-byte answer; one at a time, a 304 takes
${fixed(summarise(run.hot['models-edge 304, 1 conn'] ?? []).p50Ms, 2)} ms at the median against ${fixed(summarise(run.hot['models-edge, 1 conn'] ?? []).p50Ms, 2)} ms.`;
}

/** The keyed-hit part of docs/performance.md (also what \`--only hits\` rewrites). */
export function keyedSection(run: HitRun): string {
  return `## Client keys

**Keyed list hit**: the same load as the full-list hit, with \`Authorization: Bearer <client key>\` whose
view keeps every provider (so the answer is the same bytes, served as that view's own pre-serialised
answer): the key check (a map lookup once the key was seen) and the view lookup are all it adds.

| contender | req/s | p50 ms | p99 ms |
|---|--:|--:|--:|
${['models-edge', KEYED].map((name) => { const h = summarise(run.hot[name] ?? []); return `| ${name} | ${fixed(h.rps, 0)} | ${fixed(h.p50Ms, 2)} | ${fixed(h.p99Ms, 2)} |`; }).join('\n')}`;
}

/** Rows for every contender measured under load: medians, and the runs behind them. */
export function loadTable(run: HitRun): string[] {
  const rows = ['| contender | req/s | p50 ms | p99 ms | workerd CPU ms/answer | req/s of each round | p99 ms of each round |', '|---|--:|--:|--:|--:|---|---|'];
  const all: Runs = { ...run.hot, ...(run.direct ?? {}) };
  for (const [name, runs] of Object.entries(all)) {
    const s = summarise(runs);
    const each = (pick: (r: Run) => number, digits: number) => runs.map((r) => fixed(pick(r), digits)).join(', ');
    rows.push(`| ${name} | ${fixed(s.rps, 0)} | ${fixed(s.p50Ms, 2)} | ${fixed(s.p99Ms, 2)} | ${fixed(s.cpuMsPerRequest, 2)} | ${each((r) => r.rps, 0)} | ${each((r) => r.p99Ms, 1)} |`);
  }
  rows.push(`| models-edge \`/v1/models/{id}\`, ${run.connections.throughput} connections (one run) | ${fixed(run.byId.rps, 0)} | ${fixed(run.byId.p50Ms, 2)} | ${fixed(run.byId.p99Ms, 2)} | ${fixed(run.byId.cpuMsPerRequest ?? Number.NaN, 2)} | | |`);
  return rows;
}

export function ratioRows(runs: Runs | undefined, limitName: string, edgeName: string, label: string): string[] {
  if (runs === undefined || runs[limitName] === undefined || runs[edgeName] === undefined) return [];
  const limit = summarise(runs[limitName]);
  const edge = summarise(runs[edgeName]);
  // Round i of each was taken next to the other (alternate.ts): their ratio meets one state of the machine.
  const paired = median(runs[edgeName].map((r, i) => r.rps / (runs[limitName]?.[i]?.rps ?? Number.NaN)));
  return [`| ${label} | ${fixed(edge.rps / limit.rps, 3)} | ${fixed(paired, 3)} | ${fixed(edge.p50Ms / limit.p50Ms, 3)} | ${fixed(edge.p99Ms / limit.p99Ms, 3)} |`];
}
