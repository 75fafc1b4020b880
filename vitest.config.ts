import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { createState, handleUpstream, type UpstreamState } from './scripts/lib/upstreams.ts';
import { CONTROL_ORIGIN, SCENARIOS_PATH, UPSTREAM_HOST_SUFFIX, type ScenarioInit } from './test/workers/support/upstream-scheme.ts';

/** Fake upstream state per test scenario; the URL scheme is documented in test/workers/support/upstream-scheme.ts. */
const scenarios = new Map<string, UpstreamState>();

/** Every `fetch` that leaves workerd in the `workers` project lands here: fakes or a 502, never the network. */
async function fakeUpstreams(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.origin === CONTROL_ORIGIN) return controlScenarios(request, url);
  const name = url.hostname.endsWith(UPSTREAM_HOST_SUFFIX) ? url.hostname.slice(0, -UPSTREAM_HOST_SUFFIX.length) : '';
  const state = scenarios.get(name);
  if (state === undefined) return Response.json({ error: { message: `tests make no real network calls: ${url.origin}` } }, { status: 502 });
  return handleUpstream(request, state);
}

async function controlScenarios(request: Request, url: URL): Promise<Response> {
  if (request.method === 'POST' && url.pathname === SCENARIOS_PATH) {
    const name = `s${scenarios.size + 1}`;
    scenarios.set(name, createState((await request.json()) as ScenarioInit));
    return Response.json({ origin: `http://${name}${UPSTREAM_HOST_SUFFIX}` });
  }
  const state = url.pathname.startsWith(`${SCENARIOS_PATH}/`) ? scenarios.get(url.pathname.slice(SCENARIOS_PATH.length + 1)) : undefined;
  if (state === undefined) return Response.json({ error: { message: `no scenario at ${url.pathname}` } }, { status: 404 });
  if (request.method === 'PATCH') Object.assign(state, (await request.json()) as ScenarioInit);
  return Response.json({ hits: state.hits });
}

export default defineConfig({
  test: {
    projects: [
      {
        // Inside workerd: the worker's own code, its KV and its scheduled handler.
        extends: false,
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                PROVIDERS: JSON.stringify([{ id: 'static', type: 'openai', models: ['a'] }]),
                ADMIN_JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long',
              },
              outboundService: fakeUpstreams,
            },
          }),
        ],
        test: { name: 'workers', include: ['test/workers/**/*.test.ts'] },
      },
      {
        // In Node: real loopback upstreams, `wrangler dev`, the openai client, a browser.
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 120_000 },
      },
    ],
  },
});
