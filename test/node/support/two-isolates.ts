/**
 * @module Two copies of the worker in one miniflare, as two data centres see one deployment: each its
 * own isolate (own memory), both bound to one KV namespace and to one coordinator, which the first
 * defines and the second reaches by `scriptName`, as `script_name` on a Durable Object binding does.
 * The worker is bundled by wrangler itself (`wrangler deploy --dry-run`), Text modules and all.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Miniflare as MiniflareType } from 'miniflare';
import { ROOT } from '../../../scripts/lib/dev-worker.ts';
import { run } from '../../../scripts/lib/plain-worker.ts';

export const WORKERS = ['edge-a', 'edge-b'] as const;
export type WorkerName = (typeof WORKERS)[number];

/** The part of the KV binding the tests read. */
export interface KvReader {
  get(key: string): Promise<string | null>;
}

export interface TwoIsolates {
  fetch(worker: WorkerName, path: string, init?: RequestInit): Promise<Response>;
  kv(): Promise<KvReader>;
  stop(): Promise<void>;
}

export interface TwoIsolatesOptions {
  vars: Record<string, string>;
  /** A coordinator class whose every call fails, in place of the real one, for both workers. */
  failingCoordinator?: boolean;
  /** A coordinator class whose every call waits an hour (overloaded, wedged), in place of the real one. */
  silentCoordinator?: boolean;
}

/** A coordinator that is bound but answers every call with an error. */
const FAILING_COORDINATOR = `import { DurableObject } from 'cloudflare:workers';
export class Coordinator extends DurableObject {
  fail() { throw new Error('coordinator down (test)'); }
  begin() { this.fail(); } finish() { this.fail(); } abandon() { this.fail(); } purge() { this.fail(); } state() { this.fail(); }
  listKeys() { this.fail(); } createKey() { this.fail(); } revokeKey() { this.fail(); }
}
export default { fetch() { return new Response('coordinator only'); } };`;

/** A coordinator that is bound but never answers: each call waits on a timer (so the runtime sees no hang to cancel). */
const SILENT_COORDINATOR = `import { DurableObject } from 'cloudflare:workers';
export class Coordinator extends DurableObject {
  wait() { return new Promise((resolve) => setTimeout(resolve, 3_600_000)); }
  begin() { return this.wait(); } join() { return this.wait(); } finish() { return this.wait(); } abandon() { return this.wait(); }
  purge() { return this.wait(); } state() { return this.wait(); } listKeys() { return this.wait(); } createKey() { return this.wait(); }
  revokeKey() { return this.wait(); } addUsage() { return this.wait(); } keyUsage() { return this.wait(); } feedState() { return this.wait(); }
  changesAfter() { return this.wait(); } changesBefore() { return this.wait(); }
}
export default { fetch() { return new Response('coordinator only'); } };`;

export async function startTwoIsolates({ vars, failingCoordinator = false, silentCoordinator = false }: TwoIsolatesOptions): Promise<TwoIsolates> {
  const dir = await mkdtemp(join(tmpdir(), 'models-edge-two-'));
  try {
    const out = join(dir, 'out');
    await run(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out, '-c', join(ROOT, 'wrangler.toml')]);
    const toml = await readFile(join(ROOT, 'wrangler.toml'), 'utf8');
    const texts = (await readdir(out)).filter((name) => name !== 'index.js' && !name.endsWith('.map') && !name.endsWith('.md'));
    const modules = [{ type: 'ESModule' as const, path: join(out, 'index.js') }, ...texts.map((name) => ({ type: 'Text' as const, path: join(out, name) }))];
    const common = {
      modules,
      modulesRoot: out,
      compatibilityDate: /^compatibility_date = "(.*)"$/m.exec(toml)?.[1] ?? '2026-11-01',
      compatibilityFlags: JSON.parse(/^compatibility_flags = (\[.*\])$/m.exec(toml)?.[1] ?? '[]') as string[],
      bindings: vars,
      kvNamespaces: { MODELS_KV: 'models-kv' },
    };
    const standIn = failingCoordinator ? FAILING_COORDINATOR : silentCoordinator ? SILENT_COORDINATOR : undefined;
    const owner = standIn === undefined ? 'edge-a' : 'coordinator-down';
    const coordinator = { className: 'Coordinator', scriptName: owner, useSQLite: true };
    const workers = [
      { name: 'edge-a', ...common, durableObjects: { COORDINATOR: coordinator } },
      { name: 'edge-b', ...common, durableObjects: { COORDINATOR: coordinator } },
      ...(standIn !== undefined ? [{ name: owner, modules: true, script: standIn, compatibilityDate: common.compatibilityDate, durableObjects: { COORDINATOR: { className: 'Coordinator', useSQLite: true } } }] : []),
    ];
    const { Miniflare, convertV4MiniflareOptions } = miniflare();
    const mf: MiniflareType = new Miniflare(convertV4MiniflareOptions({ workers }));
    await mf.ready;
    return {
      fetch: async (worker, path, init) => (await mf.getWorker(worker)).fetch(`http://models-edge.test${path}`, init as never) as unknown as Response,
      kv: async () => (await mf.getKVNamespace('MODELS_KV', 'edge-a')) as unknown as KvReader,
      stop: async () => {
        await mf.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The miniflare that this repository's wrangler runs. */
function miniflare(): typeof import('miniflare') {
  return createRequire(createRequire(join(ROOT, 'package.json')).resolve('wrangler/package.json'))('miniflare') as typeof import('miniflare');
}
