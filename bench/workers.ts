/**
 * @module The two workers the benchmark compares: models-edge against loopback upstreams, and the
 * limit worker (bench/limit-worker.ts) answering the very bytes and headers models-edge served.
 * Both run under `wrangler dev`; each can also be reached past wrangler's dev proxy, straight at
 * the workerd that runs it.
 */
import { signAdminToken } from '../scripts/lib/admin-token.ts';
import { listeningPorts, userRuntimePid } from './procs.ts';
import { startDevWorker, type DevWorker } from '../scripts/lib/dev-worker.ts';
import { providerEntries } from '../fake-providers/upstreams.ts';

/** autocannon asks for no compression; every probe asks the same, so all see the same bytes. */
export const IDENTITY = { 'Accept-Encoding': 'identity' };
/** A local-only key for the purge calls; the workers here only ever talk to loopback fakes. */
const BENCH_ADMIN_SECRET = 'bench-only-secret-0123456789-abcdefghijklmnop';
/** Response headers the limit worker copies (the transport ones are the runtime's business). */
const COPIED_HEADERS = ['content-type', 'etag', 'cache-control', 'x-cache'];

export interface Served {
  body: string;
  headers: Record<string, string>;
  etag: string;
}

/** `withoutCoordinator`: the same worker without the `COORDINATOR` binding. */
export function startModelsEdge(origin: string, vars: Record<string, string> = {}, { withoutCoordinator = false } = {}): Promise<DevWorker> {
  return startDevWorker({ vars: { PROVIDERS: JSON.stringify(providerEntries(origin)), ADMIN_JWT_SECRET: BENCH_ADMIN_SECRET, ...vars }, withoutCoordinator });
}

/** Fills the cache if need be, then takes the list exactly as a hit serves it. */
export async function servedList(worker: DevWorker): Promise<Served> {
  await (await get(`${worker.url}/v1/models`)).text();
  const response = await get(`${worker.url}/v1/models`);
  const body = await response.text();
  if (response.headers.get('x-cache') !== 'HIT') throw new Error(`expected a HIT after filling, got ${response.headers.get('x-cache')}`);
  const headers = Object.fromEntries(COPIED_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name) ?? '']] : [])));
  return { body, headers, etag: headers.etag ?? '' };
}

/** The limit worker, serving `served` from a constant; checked to answer the same bytes. */
export async function startLimitWorker(served: Served): Promise<DevWorker> {
  const limit = await startDevWorker({
    main: 'bench/limit-worker.ts',
    vars: { LIMIT_BODY: served.body, LIMIT_HEADERS: JSON.stringify(served.headers) },
  });
  const echoed = await (await get(`${limit.url}/v1/models`)).text();
  if (echoed !== served.body) {
    await limit.stop();
    throw new Error('the limit worker does not answer the same bytes as models-edge');
  }
  return limit;
}

/**
 * The worker's own workerd socket, past wrangler's dev proxy: the port of that process that
 * answers `path` with `etag`. Undefined where /proc is missing or nothing matches.
 */
export async function directUrl(worker: DevWorker, etag: string, path = '/v1/models'): Promise<string | undefined> {
  const pid = userRuntimePid(worker.url);
  if (pid === undefined) return undefined;
  for (const port of listeningPorts(pid)) {
    const candidate = `http://127.0.0.1:${port}`;
    try {
      const response = await get(`${candidate}${path}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok && response.headers.get('etag') === etag) return candidate;
    } catch {
      // the inspector or debug port: not this one
    }
  }
  return undefined;
}

export function adminToken(): Promise<string> {
  return signAdminToken({ secret: BENCH_ADMIN_SECRET, sub: 'bench', ttl: '1h' });
}

/** A client key (with `view`, if given) created through the admin API, for the keyed and inference rows. */
export async function createClientKey(worker: DevWorker, token: string, view?: string): Promise<string> {
  const response = await fetch(`${worker.url}/admin/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `bench-${Date.now()}`, ...(view === undefined ? {} : { view }) }),
  });
  if (response.status !== 201) throw new Error(`creating a client key answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}

export async function purge(worker: DevWorker, token: string): Promise<void> {
  const response = await fetch(`${worker.url}/admin/cache/purge`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`purge answered ${response.status}: ${await response.text()}`);
}

export function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...IDENTITY, ...(init.headers as Record<string, string> | undefined) } });
}
