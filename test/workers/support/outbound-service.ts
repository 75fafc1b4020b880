/**
 * @module miniflare's `outboundService` for the `workers` project: runs in Node (the vitest config
 * imports it), answers every `fetch` that leaves workerd with the fakes of fake-providers/upstreams.ts
 * per test scenario, or a 502 — never the network. The URL scheme is in upstream-scheme.ts.
 */
import { createState, handleUpstream, type UpstreamState } from '../../../fake-providers/upstreams.ts';
import { CONTROL_ORIGIN, REDIRECT_HOST_SUFFIX, REQUESTS_PATH, SCENARIOS_PATH, UPSTREAM_HOST_SUFFIX, type ScenarioInit, type SeenRequest } from './upstream-scheme.ts';

/** Fake upstream state per test scenario; the URL scheme is documented in test/workers/support/upstream-scheme.ts. */
const scenarios = new Map<string, UpstreamState>();
/** Every request that left workerd, per host (control requests aside): what reached a redirect target. */
const seen = new Map<string, SeenRequest[]>();

/** Every `fetch` that leaves workerd in the `workers` project lands here: fakes or a 502, never the network. */
export async function fakeUpstreams(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.origin === CONTROL_ORIGIN) return controlScenarios(request, url);
  const requests = seen.get(url.host) ?? [];
  requests.push({ method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers) });
  seen.set(url.host, requests);
  // A host that redirects every request elsewhere, keys and all, if anyone follows it.
  if (url.hostname.endsWith(REDIRECT_HOST_SUFFIX)) return new Response(null, { status: 302, headers: { Location: `http://collector.example${url.pathname}` } });
  const name = url.hostname.endsWith(UPSTREAM_HOST_SUFFIX) ? url.hostname.slice(0, -UPSTREAM_HOST_SUFFIX.length) : '';
  const state = scenarios.get(name);
  if (state === undefined) return Response.json({ error: { message: `tests make no real network calls: ${url.origin}` } }, { status: 502 });
  return handleUpstream(request, state);
}

async function controlScenarios(request: Request, url: URL): Promise<Response> {
  if (url.pathname.startsWith(`${REQUESTS_PATH}/`)) return Response.json({ requests: seen.get(url.pathname.slice(REQUESTS_PATH.length + 1)) ?? [] });
  if (request.method === 'POST' && url.pathname === SCENARIOS_PATH) {
    const name = `s${scenarios.size + 1}`;
    scenarios.set(name, createState((await request.json()) as ScenarioInit));
    return Response.json({ origin: `http://${name}${UPSTREAM_HOST_SUFFIX}` });
  }
  const state = url.pathname.startsWith(`${SCENARIOS_PATH}/`) ? scenarios.get(url.pathname.slice(SCENARIOS_PATH.length + 1)) : undefined;
  if (state === undefined) return Response.json({ error: { message: `no scenario at ${url.pathname}` } }, { status: 404 });
  if (request.method === 'PATCH') Object.assign(state, (await request.json()) as ScenarioInit);
  return Response.json({ hits: state.hits, received: state.received });
}
