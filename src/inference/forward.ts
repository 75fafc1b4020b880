/**
 * @module The one way a call leaves for its provider, whatever the dialect: the body as the route
 * made it, the provider's key placed as the route's purpose says, only the client headers the route
 * names (never `Authorization`, `x-api-key`, cookies, `cf-*` or forwarding headers). The answer is the
 * upstream's — status, `Content-Type`, body — streamed through as it arrives, hop-by-hop headers
 * dropped (the runtime's fetch negotiates and decodes compression itself); the body reaches the client as the runtime pumps
 * it, unless the route asks for the answer to be rewritten (translation), which then streams its own
 * output, or the usage chunk must come out (answer-body.ts). A counted call keeps its answer's first
 * and last bytes for the usage (src/usage/), read off a copy of the body after its end, not on the client's path.
 */
import type { ProviderEntry } from '../config.ts';
import { apiError } from '../errors.ts';
import { logEvent } from '../log.ts';
import type { Model } from '../model.ts';
import { behindAnswer } from '../refresh/refresh.ts';
import { explainFetchFailure, logFetchFailure } from '../upstream/failure.ts';
import { RedirectRefused, upstreamFetch, type Purpose } from '../upstream/fetch.ts';
import type { Tokens, UsageFormat } from '../usage/extract.ts';
import { usageChunkFilter } from '../usage/hidden-usage.ts';
import { usageTail, type UsageTail } from '../usage/tap.ts';
import { answerBody, readWhole, WHOLE_ANSWER_BYTES } from './answer-body.ts';

/** Response headers a provider must not set for our origin, and hop-by-hop headers (RFC 9110 §7.6.1). */
const DROPPED_RESPONSE_HEADERS = ['set-cookie', 'set-cookie2', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** A header name as RFC 9110 allows it (a `Connection` value may name only these). */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

export interface Call {
  entry: ProviderEntry;
  model: Model;
  /** The full upstream URL. */
  url: string;
  /** How the provider's key is placed (src/upstream/fetch.ts). */
  purpose: Purpose;
  /** The client request headers the provider may see (lower-case), e.g. `accept`, `anthropic-beta`. */
  forwardHeaders: readonly string[];
  /** Headers of ours, set before the client's: defaults a client may override (`anthropic-version`). */
  headers?: Record<string, string>;
  /** The body as the provider gets it. */
  body: string;
  request: Request;
  keyName: string;
  /** For the log line: which dialect and route the client called. */
  dialect: string;
  route: string;
  /** Every configured secret value: redacted from whatever runtime text is logged. */
  secrets: readonly string[];
  background: { waitUntil(promise: Promise<unknown>): void };
  /** Counts the call for its key, tokens read from the answer as it passes (src/usage/); none: not counted. */
  usage?: Counting;
  /**
   * Asked once the answer has ended: the error a rewritten answer told the client inside a 200 (a
   * translated stream's `event: error`), for the log line and the count; undefined when there was none.
   */
  failedInAnswer?: () => string | undefined;
}

export interface Counting {
  /** The shape of the answer the client gets: where its usage report is. */
  format: UsageFormat;
  /** The request asked OpenAI for usage the client did not: its usage chunk is taken out of the stream. */
  hideUsageChunk: boolean;
  /** Called once, when the answer has ended (or failed): never before a byte of it. */
  count(failed: boolean, tokens: Tokens | null): void;
  /** The tokens as the route read them itself (a translated answer): then no tap reads the answer. */
  tokens?: () => Tokens | null;
}

/**
 * Rewrites the upstream's answer before it reaches the client (a translated dialect); its body is
 * then what is streamed and timed. Without one, the upstream's answer passes through as it is.
 */
export type Rewrite = (upstream: Response) => Response | Promise<Response>;

export async function forward(call: Call, rewrite?: Rewrite): Promise<Response> {
  const started = Date.now();
  const headers: Record<string, string> = { 'content-type': 'application/json', ...call.headers };
  for (const name of call.forwardHeaders) {
    const value = call.request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  let upstream: Response;
  try {
    // The one way out: the provider's key placed, redirects refused. The client hanging up
    // (request.signal, compatibility flag enable_request_signal) aborts the call upstream.
    upstream = await upstreamFetch(call.entry, call.purpose, call.url, { method: 'POST', headers, body: call.body, signal: call.request.signal });
  } catch (error) {
    // A refused redirect says where it pointed; anything else is explained (refused, name, TLS, …)
    // with the runtime's own words logged beside it, sanitised: never a key.
    let why: string;
    let kind: string;
    if (error instanceof RedirectRefused) [why, kind] = [error.message, 'redirect_refused'];
    else {
      const failure = explainFetchFailure(error, call.url, { secrets: call.secrets });
      logFetchFailure(call.entry.id, 'inference', call.url, failure);
      [why, kind] = [failure.message, failure.kind];
    }
    logLine(call, { status: 502, ttfbMs: Date.now() - started, durationMs: Date.now() - started, error: kind });
    call.usage?.count(true, null);
    throw apiError(502, 'upstream_error', `[${call.entry.id}] POST ${new URL(call.url).origin}: ${why}`, { cause: error });
  }
  const ttfbMs = Date.now() - started;
  let answer = upstream;
  if (rewrite !== undefined) {
    try {
      answer = await rewrite(upstream);
    } catch (error) {
      // The upstream's answer broke off while it was being read for the rewrite.
      logLine(call, { status: 502, ttfbMs, durationMs: Date.now() - started, error: 'answer_unreadable' });
      throw apiError(502, 'upstream_error', `[${call.entry.id}] POST ${new URL(call.url).origin}: the answer broke off before it could be read.`, { cause: error });
    }
  }
  const responseHeaders = answerHeaders(answer.headers);
  if (answer.body === null) {
    logLine(call, { status: answer.status, ttfbMs, durationMs: ttfbMs });
    call.usage?.count(answer.status >= 400, null);
    return new Response(null, { status: answer.status, statusText: answer.statusText, headers: responseHeaders });
  }
  // Chunks flow as they arrive, the upstream's own bytes pumped by the runtime unless the usage chunk
  // must come out (answer-body.ts); a counted call's head and tail are read off a copy, unless the route
  // read its tokens itself (a translated answer). Its end (or the client leaving) times the call.
  const tail = call.usage === undefined || call.usage.tokens !== undefined ? undefined : usageTail(call.usage.format);
  const stream = /^text\/event-stream/i.test(responseHeaders.get('content-type') ?? '');
  const hide = call.usage?.hideUsageChunk === true && answer.ok && stream;
  if (hide) responseHeaders.delete('content-length');
  const length = Number(responseHeaders.get('content-length') ?? Number.NaN);
  const declared = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  if (!stream && declared !== undefined && declared <= WHOLE_ANSWER_BYTES) {
    // A whole answer of known, bounded length: read at once, then sent (answer-body.ts, readWhole).
    // Never a stream, even one that declares its length: its events go out as they come.
    const bytes = await readWhole(answer, tail);
    const durationMs = Date.now() - started;
    if (bytes === null) {
      // The provider broke off (a 502 the client can read), or the client left (nobody to tell).
      const left = call.request.signal.aborted;
      behind(call, Promise.resolve({ status: left ? answer.status : 502, ttfbMs, durationMs, error: left ? 'stream_interrupted' : 'answer_unreadable' }), tail);
      throw apiError(502, 'upstream_error', `[${call.entry.id}] POST ${new URL(call.url).origin}: the answer broke off before it could be read.`);
    }
    behind(call, Promise.resolve(outcome(call, answer.status, ttfbMs, durationMs, false)), tail);
    return new Response(bytes, { status: answer.status, statusText: answer.statusText, headers: responseHeaders });
  }
  const { body, ended } = answerBody(answer.body, {
    ...(tail === undefined ? {} : { tail }),
    ...(hide ? { filter: usageChunkFilter() } : {}),
    ...(declared === undefined ? {} : { length: declared }),
    fromProvider: answer === upstream,
  });
  behind(call, ended.then(({ interrupted }) => outcome(call, answer.status, ttfbMs, Date.now() - started, interrupted)), tail);
  return new Response(body, { status: answer.status, statusText: answer.statusText, headers: responseHeaders });
}

/** How an answer that reached the client went, for its log line and count. */
function outcome(call: Call, status: number, ttfbMs: number, durationMs: number, interrupted: boolean): LineOutcome {
  const error = interrupted ? 'stream_interrupted' : call.failedInAnswer?.();
  return { status, ttfbMs, durationMs, ...(error === undefined ? {} : { error }) };
}

/**
 * The line and the count once the answer has ended, a timer turn later, so that the answer's last bytes
 * never wait on them (under `wrangler dev` a log line costs milliseconds of the tooling's work).
 */
function behind(call: Call, ended: Promise<LineOutcome>, tail: UsageTail | undefined): void {
  call.background.waitUntil(
    ended.then((done) =>
      behindAnswer(async () => {
        logLine(call, done);
        call.usage?.count(done.error !== undefined || done.status >= 400, call.usage.tokens?.() ?? tail?.tokens() ?? null);
      }),
    ),
  );
}

/**
 * The answer's headers as the client gets them: hop-by-hop ones and those `Connection` names dropped,
 * cookies dropped; a body the runtime decoded (`Content-Encoding`) leaves as decoded, so its encoding
 * and length go too (as Hono's `proxy` did).
 */
function answerHeaders(upstream: Headers): Headers {
  const headers = new Headers(upstream);
  for (const name of (headers.get('connection') ?? '').split(',').map((h) => h.trim())) if (TOKEN.test(name)) headers.delete(name);
  for (const name of DROPPED_RESPONSE_HEADERS) headers.delete(name);
  if (headers.has('content-encoding')) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return headers;
}

type LineOutcome = { status: number; ttfbMs: number; durationMs: number; error?: string };

/** One line per call: who, which model where, how it went. Never the prompt, the completion or a key. */
function logLine(call: Call, outcome: LineOutcome): void {
  logEvent('inference', { key: call.keyName, model: call.model.id, provider: call.entry.id, dialect: call.dialect, path: call.route, ...outcome });
}
