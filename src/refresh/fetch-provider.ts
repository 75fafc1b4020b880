/** @module Lists one provider: every page, one time budget, a byte cap; failures become values. */
import type { ProviderEntry } from '../config.ts';
import type { Model } from '../model.ts';
import { providers } from '../providers/registry.ts';
import { ShapeError } from '../providers/types.ts';
import { explainFetchFailure, logFetchFailure, type FetchFailure } from '../upstream/failure.ts';
import { RedirectRefused, upstreamFetch } from '../upstream/fetch.ts';
import { entrySecrets, sanitise } from '../upstream/sanitise.ts';
import { describeStatus } from '../upstream/status.ts';
import { withoutQuery } from '../upstream/url.ts';
import { readBodyText } from './body-reader.ts';
import { normalise, type Listed, type Normalised } from './normalise.ts';

/**
 * What one provider may send per refresh, all pages together. No real listing comes near it (the
 * largest, OpenRouter's with descriptions and pricing, is a small fraction); a larger body is an
 * upstream fault, not a list. A constant: raise it here.
 */
export const MAX_UPSTREAM_BYTES = 8 * 1024 * 1024;
/** Guards against a cursor that never ends (Anthropic and Gemini pages hold up to 1000 models). A constant: raise it here. */
export const MAX_PAGES = 50;

export type ProviderResult =
  | { id: string; ok: true; models: Model[]; latencyMs: number; skipped: number; skippedExample?: string }
  | { id: string; ok: false; error: string; latencyMs: number };

/**
 * Never rejects: a failure is `{ ok: false, error }` naming method, URL and what went wrong. Upstream
 * text in it (reason phrase, Content-Type, cursor) is sanitised, `secrets` redacted: pass
 * `Config.secretValues`; the entry's own key and header values are always among them.
 */
export async function fetchProvider(entry: ProviderEntry, fetcher: typeof fetch = fetch, secrets: readonly string[] = []): Promise<ProviderResult> {
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
  const redacted = [...entrySecrets(entry), ...secrets];
  let url = spec.pageUrl(entry.baseUrl, undefined);
  try {
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES) throw new UpstreamError(PAGE_CAP_MESSAGE);
      const response = await send(() => upstreamFetch(entry, 'list', url, { headers, signal }, fetcher), url, false, entry, redacted);
      if (!response.ok) throw new UpstreamError(await describeStatus(response, redacted));
      const { text, bytes } = await send(() => readCapped(response, budget), url, true, entry, redacted);
      budget -= bytes;
      const parsed = spec.parse(parseJson(text, bytes, response, redacted));
      // A loop, not push(...models): spreading ~460k entries into one call overflows the stack.
      for (const model of parsed.models) listed.models.push(model);
      listed.skipped += parsed.skipped;
      listed.skippedExample ??= parsed.skippedExample;
      if (parsed.next === undefined) break;
      if (cursors.has(parsed.next)) throw new UpstreamError(`unexpected response shape: the next-page cursor repeats (${sanitise(parsed.next, redacted)})`);
      cursors.add(parsed.next);
      url = spec.pageUrl(entry.baseUrl, parsed.next);
    }
  } catch (error) {
    if (error instanceof Unreachable) logFetchFailure(entry.id, 'list', url, error.failure);
    return { id: entry.id, ok: false, error: `[${entry.id}] GET ${withoutQuery(url)}: ${explain(error, entry, redacted)}`, latencyMs: latencyMs() };
  }
  return result(entry, normalise(entry, listed, startedAt), latencyMs());
}

function result(entry: ProviderEntry, normalised: Normalised, latencyMs: number): ProviderResult {
  return normalised.ok ? { id: entry.id, latencyMs, ...normalised } : { id: entry.id, ok: false, error: normalised.error, latencyMs };
}

const MIB = 1024 * 1024;
export const BYTE_CAP_MESSAGE =
  `the answer passed the ${MAX_UPSTREAM_BYTES / MIB} MiB cap on what one provider may send per refresh (all pages together); ` +
  'a model list is far smaller, so check baseUrl, or raise MAX_UPSTREAM_BYTES in src/refresh/fetch-provider.ts';
export const PAGE_CAP_MESSAGE =
  `stopped after ${MAX_PAGES} pages, the cap per provider: the upstream kept sending a next-page cursor; ` +
  'if the list is really that long, raise MAX_PAGES in src/refresh/fetch-provider.ts';

/** A failure whose message is ours alone (status, caps, not JSON): repeated as is. */
class UpstreamError extends Error {}

/** No answer (or no whole body): the runtime's error, explained for the status and logged beside its raw text. */
class Unreachable extends Error {
  readonly failure: FetchFailure;
  constructor(failure: FetchFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

/** Runs one network step; a rejection that is not ours (timeout, redirect, cap) becomes `Unreachable`. */
async function send<T>(step: () => Promise<T>, url: string, answered: boolean, entry: ProviderEntry, secrets: readonly string[]): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof UpstreamError || error instanceof RedirectRefused || isTimeout(error)) throw error;
    throw new Unreachable(explainFetchFailure(error, url, { timeoutMs: entry.timeoutMs, secrets, answered }));
  }
}

/** Reads the body as text, giving up once it passes `limit` bytes (an endless body cannot exhaust memory). */
async function readCapped(response: Response, limit: number): Promise<{ text: string; bytes: number }> {
  const tooLarge = () => new UpstreamError(BYTE_CAP_MESSAGE);
  const declared = Number(response.headers.get('Content-Length') ?? 0);
  if (declared > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return { text: '', bytes: 0 };
  // A declared length is the body's, unless the runtime decodes it (gzip): then it only hints.
  const expected = declared > 0 && !response.headers.has('Content-Encoding') ? declared : undefined;
  const body = await readBodyText(response.body, limit, expected);
  if (body === undefined) throw tooLarge();
  return body;
}

function parseJson(text: string, bytes: number, response: Response, secrets: readonly string[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const type = sanitise(response.headers.get('Content-Type') ?? 'no content type', secrets);
    throw new UpstreamError(`response is not valid JSON (${type}, ${bytes} bytes)`);
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function explain(error: unknown, entry: ProviderEntry, secrets: readonly string[]): string {
  if (isTimeout(error)) return `timed out after ${entry.timeoutMs} ms`;
  if (error instanceof ShapeError) return `unexpected response shape: ${sanitise(error.message, secrets)}`;
  if (error instanceof UpstreamError || error instanceof RedirectRefused || error instanceof Unreachable) return error.message;
  // A bug, not an upstream answer; its message may still quote upstream data.
  return sanitise(error instanceof Error ? error.message : String(error), secrets);
}

