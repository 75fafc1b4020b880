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
  const body = await readAll(response.body, limit);
  if (body === undefined) throw tooLarge();
  return { text: UTF8.decode(body), bytes: body.byteLength };
}

/** One decoder for every body: making one costs workerd more than decoding a short page. */
const UTF8 = new TextDecoder();

/**
 * Bytes asked of the runtime per read. The runtime hands a body over in 4 KiB chunks, and each read
 * is a round through the event loop that costs far more than its bytes: workerd's `readAtLeast` fills
 * this much per read (a 1 MB list takes 4 reads instead of 256).
 */
const READ_BYTES = 256 * 1024;

/**
 * The whole body in one buffer, read into it in place and decoded once by the caller (decoding chunk
 * by chunk into a growing string costs more than parsing the body); undefined, the rest cancelled,
 * once it passes `limit` bytes.
 */
async function readAll(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | undefined> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: 'byob' });
  } catch {
    // A stream built in JavaScript (a test double) has no byte source: chunk by chunk.
    return readChunks(stream.getReader(), limit);
  }
  let buffer = new Uint8Array(READ_BYTES);
  let filled = 0;
  for (;;) {
    if (filled === buffer.byteLength) {
      if (filled > limit) {
        await reader.cancel();
        return undefined;
      }
      const larger = new Uint8Array(Math.min(buffer.byteLength * 2, limit + 1));
      larger.set(buffer);
      buffer = larger;
    }
    // The read transfers the buffer; the view it answers is the buffer from now on.
    const free = buffer.byteLength - filled;
    const { done, value } = await reader.readAtLeast(Math.min(free, READ_BYTES), buffer.subarray(filled));
    if (value !== undefined) {
      buffer = new Uint8Array(value.buffer, 0, value.buffer.byteLength);
      filled += value.byteLength;
    }
    if (filled > limit) {
      await reader.cancel();
      return undefined;
    }
    if (done) return buffer.subarray(0, filled);
  }
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    bytes += read.value.byteLength;
    if (bytes > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
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
