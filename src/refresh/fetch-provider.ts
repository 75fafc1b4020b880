/** @module Lists one provider: every page, one time budget, a byte cap; failures become values. */
import type { ProviderEntry } from '../config.ts';
import type { Model } from '../model.ts';
import { providers } from '../providers/registry.ts';
import { ShapeError } from '../providers/types.ts';
import { upstreamFetch } from '../upstream/fetch.ts';
import { withoutQuery } from '../upstream/url.ts';
import { normalise, type Listed, type Normalised } from './normalise.ts';

/** No real listing comes near this; a larger body is an upstream fault, not a list. */
export const MAX_UPSTREAM_BYTES = 8 * 1024 * 1024;
/** Guards against a cursor that never ends (Anthropic and Gemini pages hold up to 1000 models). */
export const MAX_PAGES = 50;

export type ProviderResult =
  | { id: string; ok: true; models: Model[]; latencyMs: number; skipped: number; skippedExample?: string }
  | { id: string; ok: false; error: string; latencyMs: number };

/** Never rejects: a failure is `{ ok: false, error }` naming method, URL and what went wrong. */
export async function fetchProvider(entry: ProviderEntry, fetcher: typeof fetch = fetch): Promise<ProviderResult> {
  const started = performance.now();
  const startedAt = Date.now();
  const latencyMs = () => Math.round(performance.now() - started);
  if (entry.models !== undefined) {
    return result(entry, normalise(entry, { models: entry.models.map((id) => ({ id })), skipped: 0 }, startedAt), 0);
  }
  const spec = providers[entry.type];
  const signal = AbortSignal.timeout(entry.timeoutMs);
  const headers = { Accept: 'application/json' };
  const listed: Listed = { models: [], skipped: 0 };
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
      // A loop, not push(...models): spreading ~460k entries into one call overflows the stack.
      for (const model of parsed.models) listed.models.push(model);
      listed.skipped += parsed.skipped;
      listed.skippedExample ??= parsed.skippedExample;
      if (parsed.next === undefined) break;
      if (cursors.has(parsed.next)) throw new ShapeError(`the next-page cursor repeats (${parsed.next})`);
      cursors.add(parsed.next);
      url = spec.pageUrl(entry.baseUrl, parsed.next);
    }
  } catch (error) {
    return { id: entry.id, ok: false, error: `[${entry.id}] GET ${withoutQuery(url)}: ${explain(error, entry)}`, latencyMs: latencyMs() };
  }
  return result(entry, normalise(entry, listed, startedAt), latencyMs());
}

function result(entry: ProviderEntry, normalised: Normalised, latencyMs: number): ProviderResult {
  return normalised.ok ? { id: entry.id, latencyMs, ...normalised } : { id: entry.id, ok: false, error: normalised.error, latencyMs };
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
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), bytes };
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
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

