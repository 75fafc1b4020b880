/**
 * @module The ways an answer can reach the client while its bytes are read (bench/stream-modes-worker.ts),
 * compared in one worker under `wrangler dev` (or in workerd alone with `--plain`), taking turns: the
 * workerd CPU per call of a 3-event stream (events 5 ms apart) and of a whole answer, one call at a time
 * after 10 ms of idle, with the streamed call's time to first byte, or (`--long`) one 20,000-event stream
 * as fast as the fake provider sends it. How
 * models-edge chose its way (src/inference/answer-body.ts; README, "What a call costs").
 *
 *   node_modules/.bin/node bench/stream-modes.ts [--long] [--plain] [--rounds 5] [--modes plain,tee-blocks]
 */
import { parseArgs } from 'node:util';
import { median } from './load.ts';
import { forwarderVars } from './passthrough.ts';
import { cpuMs, userRuntimePid } from './procs.ts';
import { IDENTITY } from './workers.ts';
import { startDevWorker } from '../scripts/lib/dev-worker.ts';
import { startPlainWorker } from '../scripts/lib/plain-worker.ts';
import { startUpstreams } from '../fake-providers/upstreams.ts';

const MAIN = 'bench/stream-modes-worker.ts';
const ALL = ['plain', 'identity', 'transform', 'tee', 'tee-blocks', 'tee-after', 'pump', 'pump-hwm', 'read-only', 'buffer'];
const CALLS = 30;

const { values: flags } = parseArgs({
  options: { long: { type: 'boolean', default: false }, plain: { type: 'boolean', default: false }, rounds: { type: 'string', default: '5' }, modes: { type: 'string', default: ALL.join(',') } },
});
const modes = flags.modes.split(',');
const upstreams = await startUpstreams({ models: { openai: 10 } });
const vars = forwarderVars(upstreams.origin, 'bench-provider-key', false);
const worker = flags.plain ? await startPlainWorker(MAIN, { vars }) : await startDevWorker({ main: MAIN, vars });
const pid = 'pid' in worker ? worker.pid : userRuntimePid(worker.url);
try {
  if (pid === undefined) throw new Error("the worker's workerd was not found (needs Linux /proc)");
  const cpu = () => cpuMs(pid) ?? Number.NaN;
  const call = async (mode: string, stream: boolean, pauseMs: number) => {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const started = performance.now();
    const response = await fetch(`${worker.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { ...IDENTITY, 'content-type': 'application/json', 'x-mode': mode },
      body: JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content: 'Say hello.' }] }),
    });
    if (response.status !== 200 || response.body === null) throw new Error(`${mode}: answered ${response.status}`);
    const reader = response.body.getReader();
    let chunk = await reader.read();
    const ttfbMs = performance.now() - started;
    let bytes = 0;
    for (; !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
    return { ms: performance.now() - started, ttfbMs, bytes };
  };
  const figures = new Map<string, number[]>();
  const push = (name: string, value: number) => figures.set(name, [...(figures.get(name) ?? []), value]);
  for (let round = 0; round < Number(flags.rounds); round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      if (flags.long) {
        Object.assign(upstreams.state, { chunks: 20_000, dripMs: 0 });
        const before = cpu();
        const { ms, bytes } = await call(mode, true, 0);
        // read-only sends the client nothing but the end: only its CPU says anything.
        if (mode !== 'read-only') push(`${mode}: MB/s`, bytes / 1e3 / ms);
        push(`${mode}: workerd CPU ms per stream`, cpu() - before);
        continue;
      }
      Object.assign(upstreams.state, { chunks: 3, dripMs: 5 });
      for (const stream of [true, false]) {
        await call(mode, stream, 10);
        const before = cpu();
        const ttfb: number[] = [];
        for (let i = 0; i < CALLS; i++) ttfb.push((await call(mode, stream, 10)).ttfbMs);
        if (stream) push(`${mode}: time to first byte ms, streamed`, median(ttfb));
        push(`${mode}: workerd CPU ms per ${stream ? 'streamed' : 'whole'} call`, (cpu() - before) / CALLS);
      }
    }
  }
  for (const [name, values] of figures) console.log(`${name.padEnd(48)} ${median(values).toFixed(2).padStart(8)}   rounds: ${values.map((v) => v.toFixed(2)).join(', ')}`);
} finally {
  await worker.stop();
  await upstreams.close();
}
