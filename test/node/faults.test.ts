/**
 * Fault injection: one worker under `wrangler dev` (workerd, local KV) over loopback fakes that are
 * switched into each hostile answer while it runs. The list must still be served, the status must
 * name each failure and keep the last good models, a stale read must not wait for the upstream, and
 * a burst of cold reads must share one fan-out. Freshness is short (2 s) so "stale" is reachable.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoEntries } from '../../fake-providers/demo-data.ts';
import { startDevWorker, type DevWorker } from '../../scripts/lib/dev-worker.ts';
import { KINDS, providerEntries, startUpstreams, type Fault, type Kind, type RunningUpstreams } from '../../fake-providers/upstreams.ts';
import { adminToken } from './support/admin-token.ts';
import { startGate, type Gate } from './support/gate.ts';

const ADMIN_SECRET = 'faults-admin-secret-that-is-at-least-32-bytes';
/** Short enough that the hang case costs little, long enough for a loopback listing on a loaded machine (1500 ms was not). */
const TIMEOUT_MS = 5000;
/** Models each fake lists by default. */
const DEMO_COUNTS = Object.fromEntries(KINDS.map((kind) => [kind, demoEntries(kind).length])) as Record<Kind, number>;
/** What a stack trace looks like in V8's output. */
const STACK_TRACE = /\n\s+at |\bat \S+ \(\S+:\d+:\d+\)|\.ts:\d+:\d+/;

let upstreams: RunningUpstreams;
/** Ollama is reached through it, so a test can hold its answer. */
let gate: Gate;
let worker: DevWorker;
let auth: Record<string, string>;
/** Every body the worker answered during the current test. */
let bodies: string[] = [];

beforeAll(async () => {
  upstreams = await startUpstreams();
  gate = await startGate(upstreams.origin);
  const providers = providerEntries(upstreams.origin, { timeoutMs: TIMEOUT_MS }).map((entry) =>
    // Held by the gate only while a test looks, never long enough to time out.
    entry.type === 'ollama'
      ? { ...entry, baseUrl: `${gate.origin}/ollama`, timeoutMs: 10_000 }
      : // Gemini serves the huge body: reading up to the 8 MiB cap takes seconds on a loaded machine,
        // and the cap, not the budget, must be what stops it.
        entry.type === 'gemini'
        ? { ...entry, timeoutMs: 30_000 }
        : entry,
  );
  worker = await startDevWorker({
    vars: { PROVIDERS: JSON.stringify(providers), CACHE_TTL_SECONDS: '2', STALE_TTL_SECONDS: '120', ADMIN_JWT_SECRET: ADMIN_SECRET },
  });
  auth = { Authorization: `Bearer ${await adminToken(ADMIN_SECRET)}` };
});

afterAll(async () => {
  await worker?.stop();
  await gate?.stop();
  await upstreams?.close();
});

beforeEach(async () => {
  bodies = [];
  Object.assign(upstreams.state, { faults: {}, delayMs: {}, models: {}, pageSize: 2 });
  gate.open();
  // Every test starts from a good list written by a refresh in which every provider answered.
  const refreshed = await call('POST', '/admin/cache/refresh');
  expect(refreshed.status).toBe(200);
  expect(statusOf(refreshed).providers.every((p) => p.ok)).toBe(true);
});

afterEach(() => {
  for (const body of bodies) expect(body).not.toMatch(STACK_TRACE);
  // No hostile answer took the worker down a bug path.
  expect(worker.output()).not.toContain('"event":"unhandled_error"');
});

/** Which provider gets which fault, and what its status error must say. */
const FAULTS: { fault: Exclude<Fault, 'none'>; kind: Kind; error: RegExp }[] = [
  { fault: 'error-500', kind: 'openai', error: /: 500 Internal Server Error$/ },
  { fault: 'html-200', kind: 'anthropic', error: /: response is not valid JSON \(text\/html/ },
  { fault: 'truncated', kind: 'gemini', error: /: response is not valid JSON \(application\/json/ },
  { fault: 'wrong-shape', kind: 'ollama', error: /: unexpected response shape/ },
  { fault: 'hang', kind: 'anthropic', error: new RegExp(`: timed out after ${TIMEOUT_MS} ms$`) },
  { fault: 'huge', kind: 'gemini', error: /: the answer passed the \d+ MiB cap on what one provider may send per refresh/ },
];

describe('a provider answering with a fault', () => {
  it.each(FAULTS)("$fault from $kind: the list keeps its last good models and the status names the failure", async ({ fault, kind, error }) => {
    const lastSuccess = providerStatus(statusOf(await call('GET', '/admin/cache/status')), kind).fetchedAt;
    upstreams.state.faults[kind] = fault;

    expect((await call('POST', '/admin/cache/refresh')).status).toBe(200);

    const list = await call('GET', '/v1/models');
    expect(list.status).toBe(200);
    expect(countsOf(list)).toEqual(DEMO_COUNTS);
    const status = statusOf(await call('GET', '/admin/cache/status'));
    const failed = providerStatus(status, kind);
    expect(failed).toMatchObject({ ok: false, stale: true, modelCount: DEMO_COUNTS[kind], fetchedAt: lastSuccess });
    expect(failed.error).toMatch(new RegExp(`^\\[${kind}\\] GET http://127\\.0\\.0\\.1:\\d+/`));
    expect(failed.error).toMatch(error);
    expect(status.providers.filter((p) => p.id !== kind).every((p) => p.ok && !p.stale)).toBe(true);
  });
});

describe('every provider failing', () => {
  it('keeps serving the last list, 200 STALE, and the status names every failure', async () => {
    const good = statusOf(await call('GET', '/admin/cache/status'));
    for (const kind of KINDS) upstreams.state.faults[kind] = 'error-500';

    const refresh = await call('POST', '/admin/cache/refresh');
    expect(refresh.status).toBe(502);
    expect(errorOf(refresh).code).toBe('upstreams_unavailable');
    await sleepUntil(good.freshUntil);

    const list = await call('GET', '/v1/models');
    expect(list.status).toBe(200);
    expect(list.headers.get('X-Cache')).toBe('STALE');
    expect(list.headers.get('ETag')).toBe(good.etag);
    const status = statusOf(await call('GET', '/admin/cache/status'));
    expect(status.providers.map(({ id, ok, stale }) => ({ id, ok, stale }))).toEqual(KINDS.map((id) => ({ id, ok: false, stale: true })));
    for (const p of status.providers) expect(p.error).toMatch(new RegExp(`^\\[${p.id}\\] GET .*: 500 Internal Server Error$`));
  });

  it('answers 502 upstreams_unavailable, counting the failed providers but naming no URL, when the cache is empty', async () => {
    expect((await call('POST', '/admin/cache/purge')).status).toBe(200);
    for (const kind of KINDS) upstreams.state.faults[kind] = 'error-500';

    const list = await call('GET', '/v1/models');
    expect(list.status).toBe(502);
    const error = errorOf(list);
    expect(error.code).toBe('upstreams_unavailable');
    expect(error.message).toContain(`${KINDS.length} of ${KINDS.length} providers failed`);
    expect(error.message).toContain('GET /admin/cache/status');
    expect(error.message).not.toMatch(/http|\[\w+\] GET/);
  });
});

describe('a stale list', () => {
  it('is answered at once while the revalidation behind it really reaches the upstream', async () => {
    const good = statusOf(await call('GET', '/admin/cache/status'));
    await sleepUntil(good.freshUntil);
    upstreams.state.models = { ollama: 6 };
    const { arrivals } = gate;
    const hits = { ...upstreams.state.hits };
    gate.hold();

    // Ollama cannot answer while the gate holds: this read did not wait for the refresh.
    const stale = await call('GET', '/v1/models');
    expect(stale.headers.get('X-Cache')).toBe('STALE');
    expect(countsOf(stale).ollama).toBe(4);
    await vi.waitFor(() => {
      expect(gate.arrivals).toBe(arrivals + 1);
      expect(upstreams.state.hits.openai).toBe(hits.openai + 1);
    });

    gate.open();
    await vi.waitFor(
      async () => {
        const fresh = await call('GET', '/v1/models');
        expect(fresh.headers.get('X-Cache')).toBe('HIT');
        expect(countsOf(fresh).ollama).toBe(6);
      },
      { timeout: 5000 },
    );
  });
});

describe('a cold cache', () => {
  it('sends 100 concurrent reads to each upstream at most twice', async () => {
    expect((await call('POST', '/admin/cache/purge')).status).toBe(200);
    // One page per provider per fan-out, and slow enough that the reads pile up behind it.
    upstreams.state.pageSize = 100;
    upstreams.state.delayMs = Object.fromEntries(KINDS.map((kind) => [kind, 300]));
    const before = { ...upstreams.state.hits };

    const reads = await Promise.all(Array.from({ length: 100 }, () => call('GET', '/v1/models')));

    expect(reads.every((r) => r.status === 200 && r.headers.get('ETag') === reads[0]?.headers.get('ETag'))).toBe(true);
    expect(countsOf(reads[0])).toEqual(DEMO_COUNTS);
    for (const kind of KINDS) {
      const fanOuts = upstreams.state.hits[kind] - before[kind];
      expect(fanOuts, kind).toBeGreaterThanOrEqual(1);
      expect(fanOuts, kind).toBeLessThanOrEqual(2);
    }
  });
});

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

interface ProviderView {
  id: string;
  ok: boolean;
  stale: boolean;
  modelCount: number;
  error: string | null;
  fetchedAt: string | null;
}

interface StatusView {
  freshUntil: string;
  etag: string;
  providers: ProviderView[];
}

/** A request to the worker, admin routes with the token; the body is kept for the stack-trace check. */
async function call(method: 'GET' | 'POST', path: string): Promise<Answer> {
  const response = await fetch(`${worker.url}${path}`, { method, headers: path.startsWith('/admin') ? auth : {} });
  const body = await response.text();
  bodies.push(body);
  return { status: response.status, headers: response.headers, body };
}

const statusOf = (answer: Answer) => JSON.parse(answer.body) as StatusView;
const errorOf = (answer: Answer) => (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;

function providerStatus(status: StatusView, kind: Kind): ProviderView {
  const found = status.providers.find((p) => p.id === kind);
  if (found === undefined) throw new Error(`no status for ${kind}`);
  return found;
}

/** Models per provider in a `/v1/models` answer. */
function countsOf(answer: Answer | undefined): Record<string, number> {
  const { data } = JSON.parse(answer?.body ?? '{"data":[]}') as { data: { provider: string }[] };
  const counts: Record<string, number> = {};
  for (const { provider } of data) counts[provider] = (counts[provider] ?? 0) + 1;
  return counts;
}

/** The worker's clock decides freshness, so this one waits for real (at most CACHE_TTL_SECONDS). */
async function sleepUntil(iso: string): Promise<void> {
  const wait = Date.parse(iso) - Date.now() + 50;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
