/**
 * @module `npm run bench`: models-edge against the runtime's limit, in one run.
 *
 * Starts loopback fake providers, models-edge and a trivial worker serving the same bytes from a
 * constant (bench/limit-worker.ts), both under `wrangler dev`; drives them in turns with autocannon
 * (full list and 304, through wrangler's dev proxy and straight at workerd); then times a cold fill
 * through the parallel fan-out and a stale read, measures an isolate's memory for a 10,000-model
 * list, and a refresh's own CPU against the floor (bench/refresh-cpu.ts). Prints a
 * summary, rewrites docs/performance.md, and exits 1 if a target was missed.
 *
 *   npm run bench                          the full run (about eight minutes)
 *   npm run bench -- --quick               short runs, to try the benchmark itself; docs left alone
 *   npm run bench -- --no-write            the full run without rewriting docs/performance.md
 *   npm run bench -- --only refresh-cpu    one section (also: hits, memory, cold-fill, coordinator-miss, passthrough, call-cpu, long-streams, translate, feed; repeatable); only its parts
 *                                          of docs/performance.md are rewritten
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { alternate, type Contender, type Run, type Runs, type Schedule } from '../bench/alternate.ts';
import { coordinatorMisses, coordinatorMissSection } from '../bench/coordinator.ts';
import {
  FORWARD_WORKER, forwarderVars, LOG_LINE_CALL, PASSTHROUGH_CALLS, passthroughFigures, startForwarder, type PassthroughCall, type PassthroughFigures, type StreamShape,
} from '../bench/passthrough.ts';
import { startPlainWorker } from './lib/plain-worker.ts';
import { callCostSection, callCostVerdicts, callCpu, JS_LOOP_FORWARDER, jsLoopForwarder, LOGGING_FORWARDER, longStreams, type CallCostFigures } from '../bench/call-cost.ts';
import { coldFills, memoryFigures, slowestUpstreamMs, staleReads } from '../bench/probes.ts';
import { refreshCpu } from '../bench/refresh-cpu.ts';
import { EDGE, FORWARDER, KEYED, LOG_LINE_CONTENDERS, type Verdict } from '../bench/verdict.ts';
import { machine, type BenchRun, type PassthroughRun } from '../bench/run.ts';
import { hitSection, hitVerdicts, keyedSection } from '../bench/hits-report.ts';
import { passthroughCallVerdicts, passthroughSection } from '../bench/passthrough-report.ts';
import { coldFillSection, coldFillVerdict, memorySection, memoryVerdict, refreshCpuSection, refreshCpuVerdicts } from '../bench/refresh-report.ts';
import { printSummary, renderMarkdown, spliceSections, verdicts } from '../bench/report.ts';
import { userRuntimePid } from '../bench/procs.ts';
import { adminToken, createClientKey, directUrl, servedList, startLimitWorker, startModelsEdge } from '../bench/workers.ts';
import { ROOT, type DevWorker } from './lib/dev-worker.ts';
import { KINDS, startUpstreams, type Kind, type RunningUpstreams } from '../fake-providers/upstreams.ts';
import { translateCpu, translateSection, translateVerdict } from '../bench/translate-run.ts';
import { feedCpu, feedSection, feedVerdict } from '../bench/feed-run.ts';

/** The issue's list size for the hot path, and for the memory figure. */
const LIST_MODELS = 3_000;
const MEMORY_MODELS = 10_000;
/**
 * Throughput is taken with several requests in flight, as fast as they are answered; latency with
 * one at a time, because on a saturated machine a percentile measures the queue, not the worker.
 */
const THROUGHPUT_CONNECTIONS = 8;
const LATENCY_CONNECTIONS = 1;
/**
 * Many short turns rather than a few long ones: on a small shared machine one 3 s run of the same
 * worker can be 30 % faster or slower than the next, and a median needs samples to settle.
 */
const FULL: Schedule = { rounds: 7, seconds: 2.5, warmupSeconds: 0.5 };
const QUICK: Schedule = { rounds: 2, seconds: 1.5, warmupSeconds: 0.5 };
/** The issue's cold fill: three providers at 300 ms and one at 600 ms. */
const COLD_DELAYS: Record<Kind, number> = { openai: 300, anthropic: 300, gemini: 300, ollama: 600 };
/** A refresh that takes this long must stay entirely behind a stale read. */
const STALE_UPSTREAM_DELAY_MS = 1_000;
/** The shortest freshness the config allows, so the list goes stale within the run. */
const STALE_FRESH_SECONDS = 1;
/** One page per provider, whatever its paging: the cold-fill delays are per list, not per page. */
const PAGE_SIZE = 100_000;
/** The issue's sizes for a refresh's CPU; rounds of every case per size. */
const REFRESH_CPU_MODELS = [1_000, 3_000, 10_000];
const REFRESH_CPU_ROUNDS = { full: 15, quick: 3 };
/** The view the keyed row's key has: every provider, so its answer is the full list's bytes. */
const BENCH_VIEW = 'bench-all';
const KEYED_VARS = {
  CLIENT_KEY_SECRET: 'bench-only-client-key-secret-0123456789-abcdef',
  VIEWS: JSON.stringify({ [BENCH_VIEW]: { providers: KINDS } }),
};
/**
 * Calls per passthrough row per contender per round, each after 10 ms of idle; streamed events 5 ms
 * apart (faster than any model's tokens); one long stream each per round for throughput.
 */
const passthroughOptions = { rounds: 7, callsPerRound: 20, pauseMs: 10, dripMs: 5 };
/** The key the forwarders send (the fakes check none here). */
const PROVIDER_KEY = 'bench-provider-key';

/** Rounds of the translation's CPU figures (each translates the whole recorded stream and 200 requests and answers). */
const TRANSLATE_ROUNDS = 9;

/** Sections `--only` can run alone. */
const SECTIONS = ['hits', 'memory', 'refresh-cpu', 'cold-fill', 'coordinator-miss', 'passthrough', 'call-cpu', 'long-streams', 'translate', 'feed'];
/** CPU per call and long streams against the forwarder: rounds, calls per round (bench/call-cost.ts). */
const callCostOptions = { rounds: 9, callsPerRound: 30, pauseMs: 10, dripMs: 5, streamRounds: 7 };

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false }, only: { type: 'string', multiple: true, default: [] } },
});
const unknown = flags.only.filter((name) => !SECTIONS.includes(name));
if (unknown.length > 0) throw new Error(`--only ${unknown.join(', ')}: not a section; one of ${SECTIONS.join(', ')}`);
const schedule = flags.quick ? QUICK : FULL;
if (flags.quick) {
  Object.assign(passthroughOptions, { rounds: 2, callsPerRound: 10 });
  Object.assign(callCostOptions, { rounds: 2, callsPerRound: 10, streamRounds: 2 });
}
const reps = flags.quick ? 3 : 5;
const refreshCpuRounds = flags.quick ? REFRESH_CPU_ROUNDS.quick : REFRESH_CPU_ROUNDS.full;
// Without this wrangler's Node process handles a log line for every request, a third of a core at
// these rates taken from both workers alike: the comparison would partly measure wrangler's logger.
process.env.WRANGLER_LOG ??= 'warn';

const perProvider = (total: number) => Object.fromEntries(KINDS.map((kind) => [kind, total / KINDS.length]));
const log = (line: string) => console.log(`[bench] ${line}`);

const benchStarted = Date.now();
if (flags.only.length > 0) {
  await runSections(flags.only);
  log(`took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
  process.exit();
}

const host = machine();
const upstreams = await startUpstreams({ models: perProvider(LIST_MODELS), pageSize: PAGE_SIZE });
const running = new Set<DevWorker>();
async function started(worker: Promise<DevWorker>): Promise<DevWorker> {
  const w = await worker;
  running.add(w);
  return w;
}
async function stop(worker: DevWorker): Promise<void> {
  running.delete(worker);
  await worker.stop();
}

let run: BenchRun;
try {
  const { edge, edgeDirect, clientKey, served, hot, direct, byId } = await hitRun(upstreams, started, stop);

  const passthrough = await passthroughRun(upstreams, edge, clientKey);
  const callCost = await callCostRun(upstreams, edge, clientKey, ['call-cpu', 'long-streams']);

  log(`cold fill: providers at ${Object.values(COLD_DELAYS).join('/')} ms, ${reps} purges`);
  const coldUpstreamMs = await slowestUpstreamMs(upstreams, COLD_DELAYS);
  const cold = await coldFills(edge, upstreams, await adminToken(), COLD_DELAYS, reps, edgeDirect);
  for (const r of cold) log(`cold read ${r.direct === true ? 'direct' : 'proxied'} ${r.ms.toFixed(0)} ms, ${r.cache}, ${r.upstreamCalls} upstream calls` + (r.cpuMs === undefined ? '' : `, workerd CPU ${r.cpuMs.toFixed(1)} ms`));
  const coordinatorMiss = await missThroughCoordinator(edge, upstreams);
  await stop(edge);

  log(`stale reads: CACHE_TTL_SECONDS=${STALE_FRESH_SECONDS}, providers at ${STALE_UPSTREAM_DELAY_MS} ms`);
  const staleWorker = await started(startModelsEdge(upstreams.origin, { CACHE_TTL_SECONDS: String(STALE_FRESH_SECONDS) }));
  const stale = await staleReads(staleWorker, upstreams, STALE_FRESH_SECONDS, STALE_UPSTREAM_DELAY_MS, reps);
  for (const r of stale) log(`stale read ${r.ms.toFixed(1)} ms, ${r.cache}, ${r.upstreamCalls} upstream calls behind it`);
  await stop(staleWorker);

  upstreams.state.models = perProvider(MEMORY_MODELS);
  const memory = await memoryRun(upstreams, started, stop);

  log(`refresh CPU: ${REFRESH_CPU_MODELS.join(' / ')} models, ${refreshCpuRounds} rounds`);
  const refreshFigures = await refreshCpu(REFRESH_CPU_MODELS, refreshCpuRounds, log);

  log(`translation CPU: ${TRANSLATE_ROUNDS} rounds`);
  const translate = await translateCpu(TRANSLATE_ROUNDS);
  log('change feed and usage counting CPU');
  const feed = await feedCpu();

  run = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: host,
    schedule,
    connections: { throughput: THROUGHPUT_CONNECTIONS, latency: LATENCY_CONNECTIONS },
    listModels: LIST_MODELS,
    bodyBytes: Buffer.byteLength(served.body),
    hot,
    direct,
    byId,
    coldDelays: COLD_DELAYS,
    cold,
    coldUpstreamMs,
    staleUpstreamDelayMs: STALE_UPSTREAM_DELAY_MS,
    stale,
    memory,
    refreshCpu: refreshFigures,
    coordinatorMiss,
    translate,
    feed,
    passthrough,
    passthroughOptions,
    callCost,
    loadAtEnd: loadavg()[0] ?? Number.NaN,
  };
} finally {
  await Promise.all([...running].map((w) => w.stop()));
  await upstreams.close();
}

printSummary(run);
log(`took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s`);
if (!flags.quick && !flags['no-write']) {
  await writeFile(join(ROOT, 'docs/performance.md'), renderMarkdown(run));
  log('wrote docs/performance.md');
}
if (verdicts(run).some((v) => !v.met)) process.exitCode = 1;

/**
 * Cache hits: models-edge (with a client key whose view keeps every provider) against the limit
 * worker serving the same bytes, through wrangler's dev proxy and straight at workerd, and one run
 * of `/v1/models/{id}`. The limit is stopped after; models-edge is left running for what comes next.
 */
async function hitRun(upstreams: RunningUpstreams, started: (w: Promise<DevWorker>) => Promise<DevWorker>, stop: (w: DevWorker) => Promise<void>) {
  log(`starting models-edge and the limit worker (${LIST_MODELS} models)`);
  const edge = await started(startModelsEdge(upstreams.origin, KEYED_VARS));
  const served = await servedList(edge);
  // A key whose view keeps every provider: the same bytes as the full list, served through the
  // view's own answer, so the keyed row measures the key check and the view lookup alone.
  const clientKey = await createClientKey(edge, await adminToken(), BENCH_VIEW);
  const limit = await started(startLimitWorker(served));
  const [edgeDirect, limitDirect] = [await directUrl(edge, served.etag), await directUrl(limit, served.etag)];
  const revalidate = { 'If-None-Match': served.etag };
  const pids = new Map([[edge.url, userRuntimePid(edge.url)], [limit.url, userRuntimePid(limit.url)]]);
  const list = (name: string, worker: DevWorker, url: string, connections: number, headers?: Record<string, string>): Contender => ({
    name,
    url: `${url}/v1/models`,
    connections,
    expectStatus: headers === undefined ? 200 : 304,
    ...(headers ? { headers } : {}),
    ...(pids.get(worker.url) === undefined ? {} : { runtimePid: pids.get(worker.url) }),
  });
  const hotContenders: Contender[] = [
    list('limit', limit, limit.url, THROUGHPUT_CONNECTIONS),
    list('models-edge', edge, edge.url, THROUGHPUT_CONNECTIONS),
    list('models-edge 304', edge, edge.url, THROUGHPUT_CONNECTIONS, revalidate),
    { ...list(KEYED, edge, edge.url, THROUGHPUT_CONNECTIONS), headers: { Authorization: `Bearer ${clientKey}` } },
    list('limit, 1 conn', limit, limit.url, LATENCY_CONNECTIONS),
    list('models-edge, 1 conn', edge, edge.url, LATENCY_CONNECTIONS),
    list('models-edge 304, 1 conn', edge, edge.url, LATENCY_CONNECTIONS, revalidate),
  ];
  const report = (name: string, r: Run) =>
    log(`${name.padEnd(24)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms` +
      (r.cpuMsPerRequest === undefined ? '' : `  workerd CPU ${r.cpuMsPerRequest.toFixed(2)} ms/req`));

  log(`cache hits: ${schedule.rounds} rounds × ${hotContenders.length} contenders × ${schedule.seconds} s`);
  const hot = await alternate(hotContenders, schedule, report);
  let direct: Runs | undefined;
  if (edgeDirect !== undefined && limitDirect !== undefined) {
    log('cache hits straight at workerd, past wrangler dev proxy');
    direct = await alternate([list('limit direct', limit, limitDirect, THROUGHPUT_CONNECTIONS), list('models-edge direct', edge, edgeDirect, THROUGHPUT_CONNECTIONS)], schedule, report);
  } else {
    log("could not find the workers' own workerd sockets (needs Linux /proc): direct rows left out");
  }
  const { data } = JSON.parse(served.body) as { data: { id: string }[] };
  const someId = encodeURIComponent(data[Math.floor(data.length / 2)]?.id ?? '');
  const byIdUrl = `${edge.url}/v1/models/${someId}`;
  const [byId] = (await alternate([{ ...list('models-edge by id', edge, edge.url, THROUGHPUT_CONNECTIONS), url: byIdUrl }], { ...schedule, rounds: 1 }, report))['models-edge by id'] ?? [];
  if (byId === undefined) throw new Error('the /v1/models/{id} run returned nothing');
  await stop(limit);
  return { edge, edgeDirect, clientKey, served, hot, direct, byId };
}

/**
 * An isolate's memory at MEMORY_MODELS (`upstreams` must serve that many): a fresh worker as
 * deployed, and one without the `COORDINATOR` binding. Under `wrangler dev` the coordinator runs in
 * the worker's own isolate, so the first also holds the coordinator's objects; deployed, the one
 * coordinator has an isolate of its own, and a reading isolate holds what the second does.
 */
async function memoryRun(upstreams: RunningUpstreams, started: (w: Promise<DevWorker>) => Promise<DevWorker>, stop: (w: DevWorker) => Promise<void>) {
  const measure = async (withoutCoordinator: boolean) => {
    log(`memory: a fresh worker serving ${MEMORY_MODELS} models${withoutCoordinator ? ', COORDINATOR unbound' : ''}`);
    const worker = await started(startModelsEdge(upstreams.origin, {}, { withoutCoordinator }));
    try {
      return await memoryFigures(worker, MEMORY_MODELS);
    } finally {
      await stop(worker);
    }
  };
  const withCoordinator = await measure(false);
  return { ...(await measure(true)), withCoordinator };
}

/**
 * models-edge (with `clientKey`) against a one-fetch forwarder started here, on every passthrough row;
 * then what one log line costs: the forwarder against itself writing one, under `wrangler dev` and in
 * workerd alone.
 */
async function passthroughRun(upstreams: RunningUpstreams, edge: DevWorker, clientKey: string): Promise<PassthroughRun> {
  log(`inference passthrough: models-edge against a one-fetch forwarder, ${PASSTHROUGH_CALLS.length} calls, ${passthroughOptions.rounds} rounds`);
  const setStream = (shape: StreamShape) => Object.assign(upstreams.state, shape);
  const forwarderPath = (call: PassthroughCall) => `/${call.owner}${call.upstream?.path ?? call.path}`;
  const forwarded = { pathFor: forwarderPath, bodyFor: (call: PassthroughCall) => call.upstream?.body ?? call.body };
  const withPid = (pid: number | undefined) => (pid === undefined ? {} : { runtimePid: pid });
  const workers: { stop(): Promise<void> }[] = [];
  try {
    const forwarder = await startForwarder(upstreams.origin, PROVIDER_KEY);
    workers.push(forwarder);
    const calls = await passthroughFigures(
      [
        { name: FORWARDER, url: forwarder.url, ...forwarded, headers: {}, ...withPid(userRuntimePid(forwarder.url)) },
        { name: EDGE, url: edge.url, pathFor: (call) => call.path, bodyFor: (call) => call.body, headers: { Authorization: `Bearer ${clientKey}` }, ...withPid(userRuntimePid(edge.url)) },
      ],
      passthroughOptions,
      setStream,
    );
    printPassthrough(calls);
    log(`streamed ${Object.entries(calls.streamMBps).map(([name, v]) => `${name} ${v.toFixed(1)} MB/s`).join(', ')}`);

    log('one log line: the forwarder against itself writing one behind each answer, under wrangler dev and in workerd alone');
    const logging = await startForwarder(upstreams.origin, PROVIDER_KEY, true);
    workers.push(logging);
    const [plain, plainLogging] = [
      await startPlainWorker(FORWARD_WORKER, { vars: forwarderVars(upstreams.origin, PROVIDER_KEY, false) }),
      await startPlainWorker(FORWARD_WORKER, { vars: forwarderVars(upstreams.origin, PROVIDER_KEY, true) }),
    ];
    workers.push(plain, plainLogging);
    const logLine = await passthroughFigures(
      [
        { name: LOG_LINE_CONTENDERS.dev, url: forwarder.url, ...forwarded, headers: {}, ...withPid(userRuntimePid(forwarder.url)) },
        { name: LOG_LINE_CONTENDERS.devLogging, url: logging.url, ...forwarded, headers: {}, ...withPid(userRuntimePid(logging.url)) },
        { name: LOG_LINE_CONTENDERS.plain, url: plain.url, ...forwarded, headers: {}, runtimePid: plain.pid },
        { name: LOG_LINE_CONTENDERS.plainLogging, url: plainLogging.url, ...forwarded, headers: {}, runtimePid: plainLogging.pid },
      ],
      // Back to back: the line's whole cost, wherever it lands.
      { ...passthroughOptions, pauseMs: 0, dripMs: 0 },
      setStream,
      [LOG_LINE_CALL],
    );
    printPassthrough(logLine);
    return { calls, logLine };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** CPU per call (`call-cpu`) and long streams (`long-streams`): models-edge with `clientKey` against a forwarder started here. */
async function callCostRun(upstreams: RunningUpstreams, edge: DevWorker, clientKey: string, parts: string[]): Promise<CallCostFigures> {
  const setStream = (shape: StreamShape) => Object.assign(upstreams.state, shape);
  const forwarder = await startForwarder(upstreams.origin, PROVIDER_KEY);
  const logging = await startForwarder(upstreams.origin, PROVIDER_KEY, true);
  try {
    const withPid = (pid: number | undefined) => (pid === undefined ? {} : { runtimePid: pid });
    const fwd = { name: FORWARDER, url: forwarder.url, pathFor: (call: PassthroughCall) => `/${call.owner}${call.upstream?.path ?? call.path}`, bodyFor: (call: PassthroughCall) => call.upstream?.body ?? call.body, headers: {}, ...withPid(userRuntimePid(forwarder.url)) };
    const me = { name: EDGE, url: edge.url, pathFor: (call: PassthroughCall) => call.path, bodyFor: (call: PassthroughCall) => call.body, headers: { Authorization: `Bearer ${clientKey}` }, ...withPid(userRuntimePid(edge.url)) };
    const figures: CallCostFigures = { rounds: callCostOptions.rounds, callsPerRound: callCostOptions.callsPerRound };
    if (parts.includes('call-cpu')) {
      log(`CPU per call: models-edge against the forwarder, ${callCostOptions.rounds} rounds of ${callCostOptions.callsPerRound} calls`);
      const withLine = { ...fwd, name: LOGGING_FORWARDER, url: logging.url, ...withPid(userRuntimePid(logging.url)) };
      figures.cpu = await callCpu(me, fwd, callCostOptions, setStream, [withLine]);
      for (const c of figures.cpu) log(`${c.call.name}: ${c.cpuMs[EDGE]?.toFixed(2)} vs ${c.cpuMs[FORWARDER]?.toFixed(2)} ms, ${c.ratio.toFixed(2)}x (rounds ${c.roundRatios.map((r) => r.toFixed(2)).join(', ')})`);
    }
    if (parts.includes('long-streams')) {
      log(`long streams: ${callCostOptions.streamRounds} rounds`);
      figures.streams = await longStreams(me, fwd, callCostOptions.streamRounds, setStream, jsLoopForwarder(fwd));
      for (const s of figures.streams) {
        log(`${s.label}: ${s.mbps[EDGE]?.toFixed(1)} vs ${s.mbps[FORWARDER]?.toFixed(1)} MB/s, ${s.ratio.toFixed(2)}x (rounds ${s.roundRatios.map((r) => r.toFixed(2)).join(', ')}); JavaScript loop ${s.mbps[JS_LOOP_FORWARDER]?.toFixed(1)} MB/s, models-edge ${s.overJsLoop?.toFixed(2)}x of it`);
      }
    }
    return figures;
  } finally {
    await Promise.all([forwarder.stop(), logging.stop()]);
  }
}

function printPassthrough(figures: PassthroughFigures): void {
  for (const { call, byContender } of figures.calls) {
    for (const [name, f] of Object.entries(byContender)) {
      log(`${call.name.padEnd(30)} ${name.padEnd(36)} p50 ${f.p50Ms.toFixed(2)} ms  p99 ${f.p99Ms.toFixed(2)} ms  workerd CPU ${f.cpuMsPerCall.toFixed(2)} ms/call`);
    }
  }
}

/** `--only`: the named sections alone; their parts of docs/performance.md are replaced, the rest kept. */
async function runSections(names: string[]): Promise<void> {
  const sections: string[] = [];
  const rows: Verdict[] = [];
  if (names.includes('hits')) {
    const upstreams = await startUpstreams({ models: perProvider(LIST_MODELS), pageSize: PAGE_SIZE });
    const workers = new Set<DevWorker>();
    try {
      const started = async (starting: Promise<DevWorker>) => {
        const worker = await starting;
        workers.add(worker);
        return worker;
      };
      const stop = async (worker: DevWorker) => {
        workers.delete(worker);
        await worker.stop();
      };
      const { served, hot, direct, byId } = await hitRun(upstreams, started, stop);
      const hits = { hot, direct, byId, schedule, connections: { throughput: THROUGHPUT_CONNECTIONS, latency: LATENCY_CONNECTIONS }, listModels: LIST_MODELS, bodyBytes: Buffer.byteLength(served.body) };
      sections.push(hitSection(hits), keyedSection(hits));
      rows.push(...hitVerdicts(hits));
    } finally {
      await Promise.all([...workers].map((w) => w.stop()));
      await upstreams.close();
    }
  }
  if (names.includes('memory')) {
    const upstreams = await startUpstreams({ models: perProvider(MEMORY_MODELS), pageSize: PAGE_SIZE });
    try {
      const memory = await memoryRun(upstreams, (worker) => worker, (worker) => worker.stop());
      sections.push(memorySection(memory));
      rows.push(memoryVerdict(memory));
    } finally {
      await upstreams.close();
    }
  }
  if (names.includes('refresh-cpu')) {
    log(`refresh CPU: ${REFRESH_CPU_MODELS.join(' / ')} models, ${refreshCpuRounds} rounds`);
    const figures = await refreshCpu(REFRESH_CPU_MODELS, refreshCpuRounds, log);
    sections.push(refreshCpuSection(figures.sizes, figures.profile));
    rows.push(...refreshCpuVerdicts(figures.sizes));
  }
  if (names.includes('cold-fill')) {
    const upstreams = await startUpstreams({ models: perProvider(LIST_MODELS), pageSize: PAGE_SIZE });
    const edge = await startModelsEdge(upstreams.origin);
    try {
      const edgeDirect = await directUrl(edge, (await servedList(edge)).etag);
      log(`cold fill: providers at ${Object.values(COLD_DELAYS).join('/')} ms, ${reps} purges`);
      const coldUpstreamMs = await slowestUpstreamMs(upstreams, COLD_DELAYS);
      const cold = await coldFills(edge, upstreams, await adminToken(), COLD_DELAYS, reps, edgeDirect);
      for (const r of cold) log(`cold read ${r.direct === true ? 'direct' : 'proxied'} ${r.ms.toFixed(0)} ms, ${r.cache}, ${r.upstreamCalls} upstream calls` + (r.cpuMs === undefined ? '' : `, workerd CPU ${r.cpuMs.toFixed(1)} ms`));
      sections.push(coldFillSection(COLD_DELAYS, cold, coldUpstreamMs));
      rows.push(coldFillVerdict(COLD_DELAYS, cold));
    } finally {
      await edge.stop();
      await upstreams.close();
    }
  }
  if (names.includes('coordinator-miss')) {
    const upstreams = await startUpstreams({ models: perProvider(LIST_MODELS), pageSize: PAGE_SIZE });
    const edge = await startModelsEdge(upstreams.origin);
    try {
      sections.push(coordinatorMissSection(await missThroughCoordinator(edge, upstreams)));
    } finally {
      await edge.stop();
      await upstreams.close();
    }
  }
  if (names.includes('translate')) {
    const figures = await translateCpu(TRANSLATE_ROUNDS);
    sections.push(translateSection(figures));
    rows.push(translateVerdict(figures));
  }
  if (names.includes('feed')) {
    const figures = await feedCpu();
    sections.push(feedSection(figures));
    rows.push(feedVerdict(figures));
  }
  const callCostParts = names.filter((name) => name === 'call-cpu' || name === 'long-streams');
  if (callCostParts.length > 0) {
    const upstreams = await startUpstreams({ models: perProvider(LIST_MODELS), pageSize: PAGE_SIZE });
    const edge = await startModelsEdge(upstreams.origin, KEYED_VARS);
    try {
      await servedList(edge);
      const figures = await callCostRun(upstreams, edge, await createClientKey(edge, await adminToken(), BENCH_VIEW), callCostParts);
      sections.push(callCostSection(figures, EDGE, FORWARDER));
      rows.push(...callCostVerdicts(figures, EDGE, FORWARDER));
    } finally {
      await edge.stop();
      await upstreams.close();
    }
  }
  if (names.includes('passthrough')) {
    const upstreams = await startUpstreams({ models: perProvider(LIST_MODELS), pageSize: PAGE_SIZE });
    const edge = await startModelsEdge(upstreams.origin, KEYED_VARS);
    try {
      await servedList(edge);
      const passthrough = await passthroughRun(upstreams, edge, await createClientKey(edge, await adminToken(), BENCH_VIEW));
      sections.push(passthroughSection(passthrough, passthroughOptions));
      rows.push(...passthroughCallVerdicts(passthrough.calls));
    } finally {
      await edge.stop();
      await upstreams.close();
    }
  }
  console.log(`\n${sections.join('\n\n')}\n`);
  for (const v of rows) console.log(`${v.met ? 'MET ' : 'MISS'}  ${v.target}: ${v.measured}`);
  if (!flags.quick && !flags['no-write']) {
    const path = join(ROOT, 'docs/performance.md');
    await writeFile(path, spliceSections(await readFile(path, 'utf8'), sections, rows));
    log('updated those sections of docs/performance.md');
  }
  if (rows.some((v) => !v.met)) process.exitCode = 1;
}

/** Cold fills on `edge` (with the coordinator) and on a second worker without it, taking turns. */
async function missThroughCoordinator(edge: DevWorker, upstreams: Awaited<ReturnType<typeof startUpstreams>>) {
  log(`a miss through the coordinator against one without it: ${reps} cold reads each`);
  const alone = await startModelsEdge(upstreams.origin, {}, { withoutCoordinator: true });
  try {
    await servedList(alone);
    const figures = await coordinatorMisses(edge, alone, upstreams, await adminToken(), COLD_DELAYS, reps);
    for (const side of ['through', 'alone'] as const) log(`miss ${side === 'through' ? 'through the coordinator' : 'without it'}: ${figures[side].map((r) => r.ms.toFixed(0)).join(', ')} ms`);
    return figures;
  } finally {
    await alone.stop();
  }
}
