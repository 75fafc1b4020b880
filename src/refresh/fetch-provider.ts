/** @module Lists one provider: every page, one time budget, a byte cap; failures become values. */
import type { ProviderEntry } from '../config.ts';
import type { Model, UpstreamModel } from '../model.ts';
import { providers } from '../providers/registry.ts';
import { ShapeError } from '../providers/types.ts';
import { upstreamFetch } from '../upstream/fetch.ts';
import { withoutQuery } from '../upstream/url.ts';

/** No real listing comes near this; a larger body is an upstream fault, not a list. */
export const MAX_UPSTREAM_BYTES = 8 * 1024 * 1024;
/** Guards against a cursor that never ends (Anthropic and Gemini pages hold up to 1000 models). */
export const MAX_PAGES = 50;

export type ProviderResult =
  | { id: string; ok: true; models: Model[]; latencyMs: number }
  | { id: string; ok: false; error: string; latencyMs: number };

/** Never rejects: a failure is `{ ok: false, error }` naming method, URL and what went wrong. */
export async function fetchProvider(entry: ProviderEntry, fetcher: typeof fetch = fetch): Promise<ProviderResult> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  if (entry.models !== undefined) {
    return { id: entry.id, ok: true, models: normalise(entry, entry.models.map((id) => ({ id }))), latencyMs: 0 };
  }
  const spec = providers[entry.type];
  const signal = AbortSignal.timeout(entry.timeoutMs);
  const headers = { Accept: 'application/json' };
  const upstream: UpstreamModel[] = [];
  let budget = MAX_UPSTREAM_BYTES;
  // Every cursor seen so far: a cycle (A, B, A) fails at once instead of after MAX_PAGES requests.
  const cursors = new Set<string>();
  let url = spec.pageUrl(entry.baseUrl, undefined);
  try {
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES) throw new ShapeError(`more than ${MAX_PAGES} pages`);
      const response = await upstreamFetch(entry, 'list', url, { headers, signal }, fetcher);
      if (!response.ok) {
        await response.body?.cancel();
        throw new UpstreamError(`${response.status} ${response.statusText || REASON_PHRASES[response.status] || ''}`.trim());
      }
      const { text, bytes } = await readCapped(response, budget);
      budget -= bytes;
      const parsed = spec.parse(parseJson(text, bytes, response));
      upstream.push(...parsed.models);
      if (parsed.next === undefined) break;
      if (cursors.has(parsed.next)) throw new ShapeError(`the next-page cursor repeats (${parsed.next})`);
      cursors.add(parsed.next);
      url = spec.pageUrl(entry.baseUrl, parsed.next);
    }
  } catch (error) {
    return { id: entry.id, ok: false, error: `[${entry.id}] GET ${withoutQuery(url)}: ${explain(error, entry)}`, latencyMs: latencyMs() };
  }
  return { id: entry.id, ok: true, models: normalise(entry, upstream), latencyMs: latencyMs() };
}

/** Applies include/exclude (exclude wins) and the prefix, and stamps the provider. */
function normalise(entry: ProviderEntry, upstream: UpstreamModel[]): Model[] {
  const wanted = (id: string) =>
    (entry.include.length === 0 || entry.include.some((re) => re.test(id))) && !entry.exclude.some((re) => re.test(id));
  return upstream
    .filter((m) => wanted(m.id))
    .map(({ id, owned_by, created, ...extras }) => ({
      id: entry.prefix + id,
      object: 'model',
      ...(created === undefined ? {} : { created }),
      owned_by: owned_by ?? entry.id,
      provider: entry.id,
      upstream_id: id,
      ...withoutUndefined(extras),
    }));
}

/** HTTP/2 upstreams send no reason phrase (`statusText` is empty): the common ones, for readable errors. */
const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A non-2xx answer. */
class UpstreamError extends Error {}

/** Reads the body as text, giving up once it passes `limit` bytes (an endless body cannot exhaust memory). */
async function readCapped(response: Response, limit: number): Promise<{ text: string; bytes: number }> {
  const tooLarge = () => new UpstreamError(`response exceeds the ${MAX_UPSTREAM_BYTES}-byte cap for one provider`);
  if (Number(response.headers.get('Content-Length') ?? 0) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return { text: '', bytes: 0 };
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of chunksOf(response.body)) {
    bytes += chunk.byteLength;
    // Leaving the loop cancels the rest of the body (chunksOf's finally).
    if (bytes > limit) throw tooLarge();
    chunks.push(chunk);
  }
  // Kept as bytes and decoded once: decoding chunk by chunk into a growing string costs more than
  // parsing the body.
  const body = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : joined(chunks, bytes);
  return { text: new TextDecoder().decode(body), bytes };
}

/**
 * Bytes asked of the runtime per read. The runtime hands a body over in 4 KiB chunks, and each read
 * is a round through the event loop that costs far more than its bytes: workerd's `readAtLeast`
 * gathers this much per read (a 1 MB list takes 4 reads instead of 256).
 */
const READ_BYTES = 256 * 1024;

/** The body's chunks; a consumer that stops early cancels the rest. */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  let ended = false;
  try {
    reader = body.getReader({ mode: 'byob' });
  } catch {
    // A stream built in JavaScript (a test double) has no byte source: chunk by chunk.
    reader = body.getReader();
  }
  try {
    while (!ended) {
      const { done, value } = reader instanceof ReadableStreamBYOBReader ? await reader.readAtLeast(READ_BYTES, new Uint8Array(READ_BYTES)) : await reader.read();
      ended = done;
      if (value !== undefined && value.byteLength > 0) yield value;
    }
  } finally {
    if (!ended) await reader.cancel();
  }
}

function joined(chunks: Uint8Array[], bytes: number): Uint8Array {
  const body = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

function parseJson(text: string, bytes: number, response: Response): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers.get('Content-Type') ?? 'no content type';
    throw new UpstreamError(`response is not valid JSON (${type}, ${bytes} bytes)`);
  }
}

function explain(error: unknown, entry: ProviderEntry): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${entry.timeoutMs} ms`;
  }
  if (error instanceof ShapeError) return `unexpected response shape: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
