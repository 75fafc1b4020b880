/**
 * @module The translation's CPU in `npm run bench`: runs scripts/lib/bench-translate.ts in a process of
 * its own (it imports the worker's code, which Node's side of the type check does not see), reads its
 * figures, and judges them against issue #23's target (under 0.1 ms of CPU per streamed event).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Verdict } from './bench-report.ts';
import { ROOT } from './dev-worker.ts';

/** Issue #23: the translation's own CPU per streamed event. */
const TARGET_MS_PER_EVENT = 0.1;

export interface TranslateFigures {
  perEventMs: number;
  perRequestMs: number;
  perAnswerMs: number;
  eventsPerStream: number;
}

export async function translateCpu(rounds: number): Promise<TranslateFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/lib/bench-translate.ts'), String(rounds)], { cwd: ROOT });
  return JSON.parse(stdout) as TranslateFigures;
}

export function translateVerdict(figures: TranslateFigures): Verdict {
  return {
    target: `translation (Anthropic Messages ⇄ OpenAI chat): CPU per streamed event < ${TARGET_MS_PER_EVENT} ms`,
    measured: `${(figures.perEventMs * 1000).toFixed(1)} µs per event; ${figures.perRequestMs.toFixed(3)} ms per request, ${figures.perAnswerMs.toFixed(3)} ms per whole answer`,
    met: figures.perEventMs < TARGET_MS_PER_EVENT,
  };
}

export function translateSection(figures: TranslateFigures): string {
  return `## Translation CPU

A Messages call for a model whose owner speaks only OpenAI chat is translated both ways
(src/translate/). Its own CPU, measured in Node's V8 (the engine workerd runs) with the process's CPU
clock, median over the rounds:

| what | CPU |
|---|--:|
| per streamed event (an agent's turn: 400 text chunks and a tool call in 200 pieces, ${figures.eventsPerStream} events, SSE parsed and written) | ${(figures.perEventMs * 1000).toFixed(1)} µs |
| per request (a 40-turn, 20-tool Messages body → chat body, parse and serialise included) | ${figures.perRequestMs.toFixed(3)} ms |
| per whole answer (a chat completion with a tool call → Messages answer) | ${figures.perAnswerMs.toFixed(3)} ms |

Node's Web Streams are JavaScript where workerd's are native, so the per-event figure is an upper bound.`;
}
