/**
 * @module Runs a worker in workerd alone, as a deployed Worker runs: no `wrangler dev` proxy in
 * front and no inspector attached unless asked for. The worker is bundled by wrangler itself
 * (`wrangler deploy --dry-run`), then served by the same workerd binary wrangler uses. For the
 * benchmark's CPU measurements: under `wrangler dev` every `console.log` waits on the inspector
 * connection wrangler keeps open, which costs a refresh milliseconds no deployed Worker pays.
 * One module only: a worker that imports Text modules (the admin page) needs `wrangler dev`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { freePort, ROOT, stopChild, withoutCoordinatorBinding } from './dev-worker.ts';

const READY_TIMEOUT_MS = 60_000;

export interface PlainWorker {
  url: string;
  /** The workerd process: its CPU time is the worker's, plus the runtime's own HTTP work. */
  pid: number;
  /** The DevTools inspector's WebSocket URL, when started with one. */
  inspector?: string;
  stop(): Promise<void>;
}

/** `main` relative to the repo root; `inspector` opens DevTools on a free port (for the profiler only). */
export async function startPlainWorker(main: string, { inspector = false } = {}): Promise<PlainWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'models-edge-plain-'));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child !== undefined) await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const toml = await readFile(join(ROOT, 'wrangler.toml'), 'utf8');
    // The benchmark's workers export no Coordinator: its binding is left out.
    await writeFile(join(dir, 'wrangler.toml'), withoutCoordinatorBinding(toml).replace(/^main = ".*"$/m, `main = ${JSON.stringify(join(ROOT, main))}`));
    await run(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', join(dir, 'out'), '-c', join(dir, 'wrangler.toml')]);
    const module = join(dir, 'out', basename(main).replace(/\.ts$/, '.js'));

    const port = await freePort();
    const date = /^compatibility_date = "(.*)"$/m.exec(toml)?.[1] ?? '2026-11-01';
    const flags = JSON.parse(/^compatibility_flags = (\[.*\])$/m.exec(toml)?.[1] ?? '[]') as string[];
    await writeFile(
      join(dir, 'worker.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed ${JSON.stringify(relative(dir, module))}) ],
  compatibilityDate = "${date}",
  compatibilityFlags = ${JSON.stringify(flags)},
);
`,
    );
    const inspectorPort = inspector ? await freePort() : undefined;
    const args = ['serve', join(dir, 'worker.capnp'), ...(inspectorPort === undefined ? [] : [`--inspector-addr=127.0.0.1:${inspectorPort}`])];
    const started = spawn(workerdBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    let errors = '';
    started.stderr?.on('data', (chunk) => (errors += chunk));
    const failed = new Promise<never>((_, reject) => started.once('error', (error) => reject(new Error(`workerd could not start: ${error.message}`))));
    // Handled here too, so an error after a successful start is no unhandled rejection.
    failed.catch(() => {});
    if (started.pid === undefined) await failed;
    const url = `http://127.0.0.1:${port}`;
    await Promise.race([ready(url, started, () => errors), failed]);
    return { url, pid: started.pid as number, ...(inspectorPort === undefined ? {} : { inspector: `ws://127.0.0.1:${inspectorPort}/main` }), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The workerd binary of the wrangler this repository runs, so both measure the same runtime. */
function workerdBinary(): string {
  const fromWrangler = createRequire(createRequire(join(ROOT, 'package.json')).resolve('wrangler/package.json'));
  return (fromWrangler('workerd') as { default: string }).default;
}

async function ready(url: string, child: ChildProcess, errors: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}): ${errors()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`workerd did not answer within ${READY_TIMEOUT_MS} ms: ${errors()}`);
}

/** Runs a command from the repo root with this repo's tools on PATH; rejects with its stderr on failure. */
export function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr?.on('data', (chunk) => (errors += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${errors}`))));
  });
}
