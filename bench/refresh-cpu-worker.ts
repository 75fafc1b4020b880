/**
 * @module For `npm run bench` only: runs models-edge's own `refresh()` inside workerd against
 * in-memory doubles of KV and of the providers (the same bytes every time, see
 * bench/bodies.ts), and the floor beside it: parsing every upstream body once,
 * serialising the merged list once and hashing it once. A request runs its case `reps` times and
 * answers the time that took: under `wrangler dev` workerd's clock runs while code runs (deployed, it
 * stands still until the next I/O), in whole milliseconds, so a request runs for tens of them.
 *
 *   GET /setup?models=3000   the bodies for that many models, and one refresh to store a previous list
 *   GET /run?case=<case>&reps=<n>&failing=<provider>
 */
import { BENCH_PROVIDERS, upstreamPages, type UpstreamPage } from './bodies.ts';
import { parseConfig, type Config } from '../src/config.ts';
import type { Model, ModelList } from '../src/model.ts';
import { fetchProvider } from '../src/refresh/fetch-provider.ts';
import { refresh } from '../src/refresh/refresh.ts';

interface Setup {
  models: number;
  pages: Map<string, UpstreamPage>;
  config: Config;
  kv: KVNamespace;
  /** The merged list a refresh produces (the same whether or not a provider failed): what the floor serialises. */
  merged: Model[];
}

let setup: Setup | undefined;

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // What the benchmark's launcher waits for.
    if (url.pathname === '/healthz') return Response.json({ ok: true });
    if (url.pathname === '/setup') {
      setup = await prepare(Number(url.searchParams.get('models') ?? 3000));
      return Response.json({ models: setup.merged.length, upstreamBytes: [...setup.pages.values()].reduce((sum, page) => sum + page.body.byteLength, 0) });
    }
    if (url.pathname === '/run' && setup !== undefined) {
      const reps = Number(url.searchParams.get('reps') ?? 1);
      const failing = url.searchParams.get('failing') ?? undefined;
      const run = CASES[url.searchParams.get('case') ?? ''];
      if (run === undefined) return new Response('unknown case', { status: 404 });
      let check = '';
      const started = performance.now();
      for (let i = 0; i < reps; i++) check = await run(setup, failing);
      return Response.json({ check, ms: performance.now() - started });
    }
    return new Response('not found', { status: 404 });
  },
} satisfies ExportedHandler;

/** Each case returns a short check, so the benchmark knows it did the work it claims. */
const CASES: Record<string, (s: Setup, failing: string | undefined) => Promise<string>> = {
  noop: async () => 'noop',
  async refresh(s, failing) {
    const outcome = await refresh({ kv: s.kv, config: s.config, fetcher: fetcher(s.pages, failing) }, 'cron');
    const stale = outcome.status.providers.filter((p) => p.stale).map((p) => `${p.id}:${p.modelCount}`);
    return `${outcome.list?.meta.modelCount ?? 0} written=${await outcome.landed} stale=${stale.join(',')}`;
  },
  async floor(s, failing) {
    for (const page of s.pages.values()) {
      if (page.provider !== failing) JSON.parse(await new Response(page.body).text());
    }
    const body = JSON.stringify({ object: 'list', data: s.merged });
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
    return `${s.merged.length}`;
  },
  /** Part of the floor: the upstream bodies parsed, nothing else. */
  async 'floor-parse'(s, failing) {
    for (const page of s.pages.values()) {
      if (page.provider !== failing) JSON.parse(await new Response(page.body).text());
    }
    return 'parsed';
  },
  /** Part of the refresh: every provider fetched, read, parsed and normalised (src/refresh/fetch-provider.ts, src/providers/). */
  async providers(s, failing) {
    const f = fetcher(s.pages, failing);
    const results = await Promise.all(s.config.providers.map((entry) => fetchProvider(entry, f)));
    return `${results.reduce((sum, r) => sum + (r.ok ? r.models.length : 0), 0)}`;
  },
};

async function prepare(models: number): Promise<Setup> {
  const pages = upstreamPages(models);
  const kv = memoryKv();
  const config = parseConfig({ MODELS_KV: kv, PROVIDERS: BENCH_PROVIDERS });
  const first = await refresh({ kv, config, fetcher: fetcher(pages, undefined) }, 'admin');
  const merged = (JSON.parse(first.list?.body ?? '{"data":[]}') as ModelList).data;
  return { models, pages, config, kv, merged };
}

/** The providers: each page's bytes as a fresh response, or a 500 for the failing provider. */
function fetcher(pages: Map<string, UpstreamPage>, failing: string | undefined): typeof fetch {
  return async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    const page = pages.get(url);
    if (page === undefined) return new Response(`no page ${url}`, { status: 404 });
    if (page.provider === failing) return Response.json({ error: { message: 'internal error' } }, { status: 500 });
    return new Response(page.body, { headers: { 'Content-Type': 'application/json', 'Content-Length': String(page.body.byteLength) } });
  };
}

/** KV in a Map: the parts of the binding src/cache/kv.ts uses, answering at once. */
function memoryKv(): KVNamespace {
  const store = new Map<string, { value: string; metadata: unknown }>();
  const kv = {
    async get(key: string, type?: unknown) {
      const value = store.get(key)?.value ?? null;
      const json = type === 'json' || (typeof type === 'object' && type !== null && (type as { type?: string }).type === 'json');
      return value !== null && json ? JSON.parse(value) : value;
    },
    async getWithMetadata(key: string | string[]) {
      const one = (name: string) => {
        const held = store.get(name);
        return held === undefined ? null : { value: held.value, metadata: held.metadata, cacheStatus: null };
      };
      // A bulk read answers a Map, a key that is not there mapping to null (as the runtime's KV does).
      if (Array.isArray(key)) return new Map(key.map((name) => [name, one(name)]));
      return one(key) ?? { value: null, metadata: null, cacheStatus: null };
    },
    async put(key: string, value: string, options?: { metadata?: unknown }) {
      store.set(key, { value, metadata: options?.metadata ?? null });
    },
    async delete(key: string) {
      store.delete(key);
    },
  };
  return kv as unknown as KVNamespace;
}
