/**
 * @module `npm run bench:against -- <git ref>`: whether a change moved the rows that must not regress —
 * the cache hit's throughput and the refresh's CPU — measured for this working tree and for another
 * commit in one run, on one machine, taking turns. docs/performance.md judges each row against a fixed
 * target, which the same code meets on one day and misses on another on a small shared machine; this
 * compares like with like. The other commit is checked out in a temporary git worktree that shares
 * this one's node_modules; each side runs its own benchmark code.
 *
 *   npm run bench:against -- 7e0d789            this tree against commit 7e0d789 (about 4 minutes)
 *   npm run bench:against -- 7e0d789 --write    …and the tables written to docs/performance-against.md
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Contender, Run, Runs } from '../bench/alternate.ts';
import type { RefreshCpuSize } from '../bench/refresh-cpu.ts';
import type { DevWorker } from './lib/dev-worker.ts';

type Workers = typeof import('../bench/workers.ts');
type RefreshCpu = typeof import('../bench/refresh-cpu.ts');

const ROOT = join(import.meta.dirname, '..');
const MODELS = 3_000;
const ROUNDS = 7;
const REFRESH_ROUNDS = 15;
/** Each side's refresh-CPU run, taking turns: a run takes about a minute. */
const REFRESH_RUNS = 2;

const { positionals, values: flags } = parseArgs({ allowPositionals: true, options: { write: { type: 'boolean', default: false } } });
const ref = positionals[0];
if (ref === undefined) throw new Error('usage: npm run bench:against -- <git ref>');
process.env.WRANGLER_LOG ??= 'warn';
const log = (line: string) => console.log(`[against] ${line}`);

const other = await mkdtemp(join(tmpdir(), 'models-edge-against-'));
execFileSync('git', ['worktree', 'add', '--detach', other, ref], { cwd: ROOT, stdio: 'ignore' });
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: other, encoding: 'utf8' }).trim();
await symlink(join(ROOT, 'node_modules'), join(other, 'node_modules'));
/**
 * A harness module of the tree at `root`, by its name before the bench had a folder of its own
 * (`bench-alternate.ts`, `upstreams.ts`): `bench/` and `fake-providers/` now, `scripts/lib/` in older commits.
 */
const lib = async (root: string, name: string) => {
  const now = name.startsWith('bench-') ? join(root, 'bench', name.slice('bench-'.length)) : join(root, 'fake-providers', name);
  return import(existsSync(now) ? now : join(root, 'scripts/lib', name));
};
const running: DevWorker[] = [];
try {
  const { startUpstreams } = await lib(ROOT, 'upstreams.ts');
  const { alternate } = await lib(ROOT, 'bench-alternate.ts');
  const { median } = await lib(ROOT, 'bench-load.ts');
  const { userRuntimePid } = await lib(ROOT, 'bench-procs.ts');
  const here = (await lib(ROOT, 'bench-workers.ts')) as Workers;
  const there = (await lib(other, 'bench-workers.ts')) as Workers;
  const perKind = MODELS / 4;
  const upstreams = await startUpstreams({ models: { openai: perKind, anthropic: perKind, gemini: perKind, ollama: perKind }, pageSize: 100_000 });
  try {
    log(`cache hits, ${MODELS} models: this tree against ${ref} (${commit}) and the limit worker, ${ROUNDS} rounds`);
    const mine = await started(() => here.startModelsEdge(upstreams.origin));
    const theirs = await started(() => there.startModelsEdge(upstreams.origin));
    const served = await here.servedList(mine);
    const servedThere = await there.servedList(theirs);
    if (servedThere.body !== served.body) throw new Error(`${ref} serves other bytes for the same upstreams: the rows would not compare`);
    const limit = await started(() => here.startLimitWorker(served));
    const contender = (name: string, worker: DevWorker, base: string | undefined): Contender => {
      if (base === undefined) throw new Error(`no direct socket for ${name} (needs Linux /proc)`);
      const pid = userRuntimePid(worker.url);
      return { name, url: `${base}/v1/models`, connections: 8, expectStatus: 200, ...(pid === undefined ? {} : { runtimePid: pid }) };
    };
    const runs: Runs = await alternate(
      [
        contender('limit', limit, limit.url), contender('this tree', mine, mine.url), contender(ref, theirs, theirs.url),
        contender('limit direct', limit, await here.directUrl(limit, served.etag)),
        contender('this tree direct', mine, await here.directUrl(mine, served.etag)),
        contender(`${ref} direct`, theirs, await here.directUrl(theirs, served.etag)),
      ],
      { rounds: ROUNDS, seconds: 2.5, warmupSeconds: 0.5 },
      (name: string, r: Run) => log(`${name.padEnd(24)} ${r.rps.toFixed(0).padStart(5)} req/s  workerd CPU ${r.cpuMsPerRequest?.toFixed(2) ?? '—'} ms`),
    );
    for (const worker of running.splice(0)) await worker.stop();

    const hits: string[] = [];
    for (const suffix of ['', ' direct']) {
      const limitRuns = runs[`limit${suffix}`] ?? [];
      for (const name of [`this tree${suffix}`, `${ref}${suffix}`]) {
        const mineRuns = runs[name] ?? [];
        const rps = (list: Run[]) => median(list.map((r) => r.rps));
        const paired = median(mineRuns.map((r, i) => r.rps / (limitRuns[i]?.rps ?? Number.NaN)));
        const cpu = median(mineRuns.map((r) => r.cpuMsPerRequest ?? Number.NaN)) - median(limitRuns.map((r) => r.cpuMsPerRequest ?? Number.NaN));
        hits.push(`| ${name} | ${(rps(mineRuns) / rps(limitRuns)).toFixed(3)} | ${paired.toFixed(3)} | ${cpu >= 0 ? '+' : ''}${cpu.toFixed(2)} |`);
      }
    }

    log(`refresh CPU, ${MODELS} models: ${REFRESH_RUNS} runs each, taking turns`);
    const refreshHere = (await lib(ROOT, 'bench-refresh-cpu.ts')) as RefreshCpu;
    const refreshThere = (await lib(other, 'bench-refresh-cpu.ts')) as RefreshCpu;
    const sizes = new Map<string, RefreshCpuSize[]>([['this tree', []], [ref, []]]);
    for (let run = 0; run < REFRESH_RUNS; run++) {
      const order: [string, RefreshCpu][] = [['this tree', refreshHere], [ref, refreshThere]];
      for (const [name, side] of run % 2 === 0 ? order : order.reverse()) {
        const { sizes: [size] } = await side.refreshCpu([MODELS], REFRESH_ROUNDS, (line) => log(`${name}: ${line}`));
        if (size !== undefined) sizes.get(name)?.push(size);
      }
    }
    const refresh = [...sizes].map(([name, list]) => {
      const ratios = list.map((s) => s.ratio.toFixed(2)).join(', ');
      const fastest = list.map((s) => (s.refreshMs / s.floorMs).toFixed(2)).join(', ');
      return `| ${name} | ${ratios} | ${fastest} |`;
    });

    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench', 'scripts'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    const tables = [
      '| cache hit, 8 connections | × the limit (medians) | × the limit (median of each round\'s own ratio) | workerd CPU ms per answer over the limit |',
      '|---|--:|--:|--:|',
      ...hits,
      '',
      '| refresh CPU | × the floor, median per round, each run | × the floor, fastest rounds, each run |',
      '|---|---|---|',
      ...refresh,
    ].join('\n');
    console.log(`\nThis tree (${head}${dirty ? ', with uncommitted changes' : ''}) against ${ref} (${commit}), ${MODELS} models, one run on this machine.\n\n${tables}`);
    if (flags.write) {
      await writeFile(join(ROOT, 'docs/performance-against.md'), againstPage(head, dirty, commit, tables, loadavg()[0] ?? Number.NaN));
      log('wrote docs/performance-against.md');
    }
  } finally {
    await Promise.all(running.map((worker) => worker.stop()));
    await upstreams.close();
  }
} finally {
  await rm(join(other, 'node_modules'), { force: true });
  execFileSync('git', ['worktree', 'remove', '--force', other], { cwd: ROOT, stdio: 'ignore' });
}

/**
 * A worker started and remembered for stopping; started again when a port it was given was taken
 * meanwhile (an older commit's dev-worker.ts does not retry by itself).
 */
async function started(start: () => Promise<DevWorker>): Promise<DevWorker> {
  for (let attempt = 1; ; attempt++) {
    try {
      const worker = await start();
      running.push(worker);
      return worker;
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('Address already in use')) || attempt >= 3) throw error;
    }
  }
}

function againstPage(head: string, dirty: boolean, commit: string, tables: string, load: number): string {
  return `# Performance against an earlier commit

_Written by \`npm run bench:against -- ${ref} --write\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, on
${cpus()[0]?.model ?? 'an unknown CPU'} (${cpus().length} cores, load ${load.toFixed(2)} at the end). Every number comes from that one run._

The rows [docs/performance.md](performance.md) must not let regress, measured for this tree
(${head}${dirty ? ', with uncommitted changes' : ''}) and for ${ref} (${commit}) in one run, taking turns, with the same
upstreams, the same limit worker and the same ${MODELS} models. performance.md judges each row against a
fixed target; on a small shared machine the same code meets that target on one day and misses it on
another, so whether a change moved a row is read here. How it runs: [scripts/bench-against.ts](../scripts/bench-against.ts).

**Cache hits**: ${ROUNDS} rounds of 2.5 s per contender (the limit, this tree, ${ref}), 8 connections, through
wrangler's dev proxy and straight at each worker's workerd, the order reversed every other round.
**Refresh CPU**: each side's own refresh-CPU benchmark (performance.md, "Refresh CPU"), ${REFRESH_RUNS} runs each of
${REFRESH_ROUNDS} rounds, the sides taking turns.

${tables}
`;
}
