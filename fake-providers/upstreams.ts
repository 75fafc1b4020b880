/**
 * @module Fake LLM providers for the demo, the tests and the benchmark: OpenAI, Anthropic (paged by
 * `after_id`), Gemini (paged by `pageToken`) and Ollama, each in its real list format, under
 * `/{kind}/...` of one origin, beside their inference endpoints (upstream-inference.ts, upstream-native.ts). Any of them can be slowed down or switched into a fault while running.
 * `handleUpstream` is a plain fetch handler (used as miniflare's `outboundService`); `startUpstreams`
 * serves it on loopback.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { demoEntries, KINDS, type Kind } from './demo-data.ts';
import { handleInference, isInferencePath, type InferenceState } from './upstream-inference.ts';
import { handleNative, isNativePath } from './upstream-native.ts';

export { KINDS, type Kind } from './demo-data.ts';

/** What an upstream does instead of answering its list. */
export type Fault =
  | 'none'
  | 'error-500' // 500 with a JSON error body
  | 'unauthorized' // 401, as for a revoked key
  | 'html-200' // a login or captive-portal page with status 200
  | 'truncated' // valid start of the JSON, cut off
  | 'wrong-shape' // valid JSON, not a model list
  | 'hang' // accepts the request, never answers
  | 'huge' // a 40 MB body
  // Hostile (docs/behaviour.md, "What upstreams may not do"): each would leak a credential or flood the status if its text were repeated.
  | 'redirect-cross-origin' // 302 to the same path on another host (`elsewhereOrigin`), as a moved or hijacked API would
  | 'redirect-same-origin' // 302 to `<path>/moved` on the same host
  | 'reflect-key-status' // 498 whose reason phrase echoes every credential it was sent, then 300 more characters
  | 'reflect-key-content-type' // 200, not JSON, with a Content-Type that echoes every credential it was sent
  | 'reflect-key-cursor' // Anthropic and Gemini: a next-page cursor of every credential sent, control characters and 300 more characters, the same on every page (so it repeats); others answer their list
  | 'endless-pages' // Anthropic and Gemini: a new next-page cursor on every page, forever; others answer their list
  | 'edge-dns-error' // 530 `error code: 1016`: what a Worker gets in production when the host does not resolve
  | 'edge-timeout'; // 522: what a Worker gets in production when the origin does not accept the connection in time

const HUGE_BODY_BYTES = 40 * 1024 * 1024;

export interface UpstreamState extends InferenceState {
  /** Models per provider (default: the demo set, 4–5 each). */
  models: Partial<Record<Kind, number>>;
  /** Page size for the paged providers, whatever `limit`/`pageSize` asks (default 2, so paging is exercised). */
  pageSize: number;
  delayMs: Partial<Record<Kind, number>>;
  faults: Partial<Record<Kind, Fault>>;
  /** When set, requests without this key (sent the provider's way) get a 401. */
  keys: Partial<Record<Kind, string>>;
  /** Page requests served, per provider. */
  hits: Record<Kind, number>;
  /** Loopback server only: answers whose client went away before they ended. */
  closedEarly: number;
}

export function createState(init: Partial<Omit<UpstreamState, 'hits' | 'received' | 'closedEarly'>> = {}): UpstreamState {
  return {
    models: {},
    pageSize: 2,
    delayMs: {},
    faults: {},
    keys: {},
    dripMs: 0,
    chunks: 3,
    streamBreak: false,
    toolPicks: [],
    ...init,
    hits: { openai: 0, anthropic: 0, gemini: 0, ollama: 0 },
    received: [],
    closedEarly: 0,
  };
}

/**
 * Where `redirect-cross-origin` points: another host, derived from the fake's own so tests running at
 * once never share one (`http://s3.upstream.test` → `http://s3-upstream-test.elsewhere.test`).
 */
export function elsewhereOrigin(url: URL): string {
  return `http://${url.hostname.replaceAll('.', '-')}.elsewhere.test`;
}

/** The base URL a provider entry should use for `kind`, given the fake's origin. */
export function baseUrlFor(origin: string, kind: Kind): string {
  return { openai: `${origin}/openai/v1`, anthropic: `${origin}/anthropic/v1`, gemini: `${origin}/gemini/v1beta`, ollama: `${origin}/ollama` }[kind];
}

/** One `PROVIDERS` entry per kind, pointed at the fake at `origin`. */
export function providerEntries(origin: string, extra: Partial<Record<string, unknown>> = {}) {
  return KINDS.map((kind) => ({ id: kind, type: kind, baseUrl: baseUrlFor(origin, kind), ...extra }));
}

const LIST_PATHS: Record<string, Kind> = {
  '/openai/v1/models': 'openai',
  '/anthropic/v1/models': 'anthropic',
  '/gemini/v1beta/models': 'gemini',
  '/ollama/api/tags': 'ollama',
};

/** Where each fake serves its list (its first page), under the upstreams' origin. */
export function listPath(kind: Kind): string {
  return Object.keys(LIST_PATHS).find((path) => LIST_PATHS[path] === kind) ?? '';
}

export async function handleUpstream(request: Request, state: UpstreamState): Promise<Response> {
  const url = new URL(request.url);
  if (isInferencePath(url.pathname)) return handleInference(request, state);
  if (isNativePath(url.pathname)) return handleNative(request, state);
  const kind = LIST_PATHS[url.pathname];
  if (kind === undefined || request.method !== 'GET') return json({ error: { message: `no route ${url.pathname}` } }, 404);
  state.hits[kind]++;
  // The delay is the upstream's time to answer: the fake's own work building the page counts towards
  // it, so the answer leaves `delay` ms after the request came, not that plus the building.
  const arrived = Date.now();
  const response = await listAnswer(request, url, kind, state);
  const left = (state.delayMs[kind] ?? 0) - (Date.now() - arrived);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return response;
}

function listAnswer(request: Request, url: URL, kind: Kind, state: UpstreamState): Response | Promise<Response> {
  const key = state.keys[kind];
  if (key !== undefined && presentedKey(kind, request) !== key) return json(errorBody(kind, 'invalid x-api-key'), 401);
  const fault = state.faults[kind] ?? 'none';
  const paged = kind === 'anthropic' || kind === 'gemini';
  if (fault === 'reflect-key-cursor' && paged) return pageAfter(kind, demoEntries(kind, 1), reflected(kind, request, '\n{"event":"forged"}\u001b[2J\u0085'));
  if (fault === 'endless-pages' && paged) return pageAfter(kind, demoEntries(kind, 1), `page-${state.hits[kind]}`);
  if (fault !== 'none' && fault !== 'reflect-key-cursor' && fault !== 'endless-pages') return faultResponse(kind, fault, request);
  const entries = demoEntries(kind, state.models[kind]);
  switch (kind) {
    case 'openai':
      return json({ object: 'list', data: entries });
    case 'ollama':
      return json({ models: entries });
    case 'anthropic': {
      const after = url.searchParams.get('after_id');
      const start = after === null ? 0 : entries.findIndex((e) => (e as { id: string }).id === after) + 1;
      const page = entries.slice(start, start + state.pageSize) as { id: string }[];
      const hasMore = start + page.length < entries.length;
      return json({ data: page, has_more: hasMore, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null });
    }
    case 'gemini': {
      const start = Number(url.searchParams.get('pageToken') ?? 0);
      const page = entries.slice(start, start + state.pageSize);
      const next = start + page.length;
      // Gemini's tokens are opaque strings; an offset is enough here.
      return json(next < entries.length ? { models: page, nextPageToken: String(next) } : { models: page });
    }
  }
}

function presentedKey(kind: Kind, request: Request): string | undefined {
  if (kind === 'anthropic') return request.headers.get('x-api-key') ?? undefined;
  if (kind === 'gemini') return request.headers.get('x-goog-api-key') ?? undefined;
  return request.headers.get('authorization')?.replace(/^Bearer /, '');
}

/** A page of `entries` that says more follow after `cursor`, in Anthropic's or Gemini's format. */
function pageAfter(kind: 'anthropic' | 'gemini', entries: unknown[], cursor: string): Response {
  return kind === 'anthropic' ? json({ data: entries, has_more: true, first_id: null, last_id: cursor }) : json({ models: entries, nextPageToken: cursor });
}

/**
 * Every credential the request carried (the key first, then every other header value), `separator`,
 * and 300 characters of padding: what a hostile upstream would try to get repeated.
 */
function reflected(kind: Kind, request: Request, separator = ' '): string {
  const values = [...request.headers].filter(([name]) => name !== 'accept').map(([, value]) => value);
  return [presentedKey(kind, request) ?? 'no key', ...values].join(separator) + separator + 'x'.repeat(300);
}

function faultResponse(kind: Kind, fault: Exclude<Fault, 'none' | 'reflect-key-cursor' | 'endless-pages'>, request: Request): Response | Promise<Response> {
  const url = new URL(request.url);
  switch (fault) {
    case 'error-500':
      return json(errorBody(kind, 'internal error'), 500);
    case 'unauthorized':
      return json(errorBody(kind, 'invalid api key'), 401);
    case 'html-200':
      return new Response('<!doctype html><html><body><h1>Sign in</h1></body></html>', { headers: { 'Content-Type': 'text/html' } });
    case 'truncated':
      return new Response('{"object":"list","data":[{"id":"gpt-4o","object":"mo', { headers: { 'Content-Type': 'application/json' } });
    case 'wrong-shape':
      return json({ object: 'list', items: [{ id: 'not-where-expected' }] });
    case 'hang':
      return new Promise<Response>(() => {});
    case 'huge':
      return new Response(hugeBody(), { headers: { 'Content-Type': 'application/json' } });
    case 'redirect-cross-origin':
      return redirect(elsewhereOrigin(url) + url.pathname + url.search);
    case 'redirect-same-origin':
      return redirect(`${url.pathname}/moved${url.search}`);
    case 'reflect-key-status':
      // A reason phrase may hold tabs but no other control character (RFC 9110 §15): the rest go in the cursor.
      return new Response('{}', { status: 498, statusText: `Invalid credentials\t${reflected(kind, request)}`, headers: { 'Content-Type': 'application/json' } });
    case 'reflect-key-content-type':
      return new Response('<html>Sign in</html>', { headers: { 'Content-Type': `text/html; charset=utf-8; token=${reflected(kind, request, ';\t')}` } });
    case 'edge-dns-error':
      return new Response('error code: 1016', { status: 530, headers: { 'Content-Type': 'text/plain; charset=UTF-8' } });
    case 'edge-timeout':
      return new Response('error code: 522', { status: 522, headers: { 'Content-Type': 'text/plain; charset=UTF-8' } });
  }
}

/**
 * 40 MB of a valid-looking list, produced chunk by chunk, never held in memory. Chunks of 64 entries
 * (about 64 KB) rather than one: 8 MiB then leaves the loopback server in about 250 ms instead of
 * 700, so a loaded machine still reaches the worker's byte cap before the provider's timeout.
 */
function hugeBody(): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(`{"id":"${'x'.repeat(1000)}","object":"model"},`.repeat(64));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"object":"list","data":['));
      if (sent >= HUGE_BODY_BYTES) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
}

function errorBody(kind: Kind, message: string) {
  return kind === 'anthropic' ? { type: 'error', error: { type: 'api_error', message } } : { error: { message, code: 500 } };
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { Location: location } });
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export interface RunningUpstreams {
  origin: string;
  state: UpstreamState;
  close(): Promise<void>;
}

/** Serves the fakes on 127.0.0.1 (`port` 0: any free port). */
export async function startUpstreams(init: Partial<Omit<UpstreamState, 'hits' | 'received' | 'closedEarly'>> = {}, port = 0): Promise<RunningUpstreams> {
  const state = createState(init);
  const server = createServer((req, res) => {
    void serve(req, res, state);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, state: UpstreamState): Promise<void> {
  let body: Readable | undefined;
  // Watched from the start: a client that leaves while the answer is still being made (a hang, a
  // drip-fed stream) closed early as much as one that leaves mid-body.
  res.on('close', () => {
    if (!res.writableFinished) state.closedEarly++;
    body?.destroy();
  });
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
      method: req.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
    const response = await handleUpstream(request, state);
    if (res.destroyed) return void (await response.body?.cancel());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body === null) return void res.end();
    body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    body.on('error', () => res.destroy());
    body.pipe(res);
  } catch {
    // A request body cut off mid-way, say: the connection ends as a real provider's would.
    res.destroy();
  }
}
