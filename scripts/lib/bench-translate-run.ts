/**
 * @module Runs scripts/lib/bench-translate.ts in a process of its own (it imports the worker's code,
 * which Node's side of the type check does not see) and reads its figures.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './dev-worker.ts';

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
