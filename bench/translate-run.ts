/**
 * @module The translation's CPU in `npm run bench`: runs bench/translate.ts in a process of
 * its own (it imports the worker's code, which Node's side of the type check does not see), reads its
 * figures, and judges them against the target: under 0.1 ms of CPU per streamed event, for every pair.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PairFigures } from './translate-figures.ts';
import type { Verdict } from './verdict.ts';
import { ROOT } from '../scripts/lib/dev-worker.ts';

/** Contract §15 / issue #30: the translation's own CPU per streamed event, for every translated pair. */
const TARGET_MS_PER_EVENT = 0.1;

export type TranslateFigures = PairFigures[];

export async function translateCpu(rounds: number): Promise<TranslateFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bench/translate.ts'), String(rounds)], { cwd: ROOT });
  return JSON.parse(stdout) as TranslateFigures;
}

const µs = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

export function translateVerdict(figures: TranslateFigures): Verdict {
  const worst = figures.reduce<PairFigures | undefined>((max, pair) => (max === undefined || pair.perEventMs > max.perEventMs ? pair : max), undefined);
  return {
    target: `translation, every translated pair: CPU per streamed event < ${TARGET_MS_PER_EVENT} ms`,
    measured: worst === undefined ? 'no pair measured' : `${figures.length} pairs; the costliest, ${worst.client} client → ${worst.owner} owner: ${µs(worst.perEventMs)} per event`,
    met: worst !== undefined && figures.every((pair) => pair.perEventMs < TARGET_MS_PER_EVENT),
  };
}

export function translateSection(figures: TranslateFigures): string {
  const rows = figures.map((pair) => `| ${pair.client} | ${pair.owner} | ${µs(pair.perEventMs)} (${pair.eventsPerStream} events) | ${pair.perRequestMs.toFixed(3)} ms | ${pair.perAnswerMs.toFixed(3)} ms |`);
  return `## Translation CPU

A call whose client and owner speak different dialects is translated both ways (src/translate/, one
reader and one writer per dialect). Its own CPU for every translated pair, measured in Node's V8 (the
engine workerd runs) with the process's CPU clock, median over the rounds: per streamed event (an
agent's turn: 400 text chunks and a tool call in 200 pieces, as the owner's dialect streams it, SSE
parsed and written), per request (a 40-turn, 20-tool body read and written, parse and serialise
included) and per whole answer (a text and a tool call).

| client | owner API | per streamed event | per request | per whole answer |
|---|---|--:|--:|--:|
${rows.join('\n')}

Node's Web Streams are JavaScript where workerd's are native, so the per-event figures are upper bounds.
A Gemini owner sends a tool call whole, so its stream has fewer, larger events.`;
}
