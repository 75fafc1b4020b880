/**
 * @module Runs the worker under `wrangler dev` (the real workerd runtime, local KV) on a free
 * loopback port, with the given vars and secrets, isolated from the developer's `.dev.vars` and
 * state. Used by the end-to-end tests and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');
const READY_TIMEOUT_MS = 90_000;

export interface DevWorker {
  url: string;
  /** Everything wrangler and the worker printed so far (console.log lines included). */
  output(): string;
  stop(): Promise<void>;
}

export interface DevWorkerOptions {
  /** Vars and secrets, as `.dev.vars` would give them (strings). */
  vars: Record<string, string>;
  /** Worker entry, relative to the repo root (default: wrangler.toml's `main`). */
  main?: string;
  port?: number;
  /**
   * Leaves the `COORDINATOR` binding (and its migration) out: each isolate refreshes on its own. Always
   * so for another `main` (the benchmark's workers), which exports no Coordinator.
   */
  withoutCoordinator?: boolean;
}

/** Starts afresh this many times when a port chosen here was taken before wrangler bound it. */
const PORT_CLASH_ATTEMPTS = 3;

/**
 * `wrangler dev` on free loopback ports. A port found free here can be taken before wrangler binds
 * it (wrangler picks its own internal ports meanwhile, as do other workers starting): that start is
 * retried on new ports, unless the caller fixed the port.
 */
export async function startDevWorker(options: DevWorkerOptions): Promise<DevWorker> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      const clash = error instanceof Error && error.message.includes('Address already in use');
      if (!clash || options.port !== undefined || attempt >= PORT_CLASH_ATTEMPTS) throw error;
    }
  }
}

async function startOnce({ vars, main, port, withoutCoordinator = false }: DevWorkerOptions): Promise<DevWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'models-edge-dev-'));
  // A copy of wrangler.toml beside a `.dev.vars` of our own: wrangler reads `.dev.vars` next to the
  // config, so the developer's real keys are never picked up by a test.
  const toml = (await readFile(join(ROOT, 'wrangler.toml'), 'utf8')).replace(/^main = ".*"$/m, `main = ${JSON.stringify(join(ROOT, main ?? 'src/index.ts'))}`);
  const config = withoutCoordinator || main !== undefined ? withoutCoordinatorBinding(toml) : toml;
  await writeFile(join(dir, 'wrangler.toml'), config);
  await writeFile(join(dir, '.dev.vars'), Object.entries(vars).map(([k, v]) => `${k}=${dotenvQuote(v)}`).join('\n'));
  const listenPort = port ?? (await freePort());
  const child = spawn(
    WRANGLER,
    ['dev', '-c', join(dir, 'wrangler.toml'), '--ip', '127.0.0.1', '--port', String(listenPort),
      '--inspector-port', String(await freePort()), '--persist-to', join(dir, 'state'), '--show-interactive-dev-session=false'],
    { cwd: ROOT, env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${listenPort}`;
  const worker: DevWorker = {
    url,
    output: () => output,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForHealth(url, child);
  } catch (error) {
    await worker.stop();
    throw new Error(`wrangler dev did not start: ${String(error)}\n${output}`);
  }
  return worker;
}

/** wrangler.toml without the `COORDINATOR` binding and its migration, for a worker that exports no Coordinator. */
export function withoutCoordinatorBinding(toml: string): string {
  const config = toml.replace(/^\[\[durable_objects\.bindings\]\][\s\S]*?^new_sqlite_classes = .*\n/m, '');
  if (config.includes('COORDINATOR')) throw new Error('could not leave the COORDINATOR binding out of wrangler.toml');
  return config;
}

/** Any free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no answer from ${url}/healthz within ${READY_TIMEOUT_MS} ms`);
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** dotenv single quotes keep JSON's double quotes literal. */
function dotenvQuote(value: string): string {
  if (value.includes("'")) throw new Error('dev-worker: a var containing a single quote cannot be written to .dev.vars');
  return `'${value}'`;
}
