/**
 * @module Forwards one inference call to the provider that owns the model: `{inferenceBase}{path}`,
 * the body with only `model` replaced, the provider's key, and none of the client's credentials.
 * The answer is the upstream's — status, `Content-Type`, body — streamed through as it arrives
 * (Hono's `proxy` drops hop-by-hop headers and handles `Accept-Encoding`); the body is piped, never read.
 */
import { proxy } from 'hono/proxy';
import type { ProviderEntry } from '../config.ts';
import { apiError } from '../errors.ts';
import { logEvent } from '../log.ts';
import type { Model } from '../model.ts';
import { explainFetchFailure, logFetchFailure } from '../upstream/failure.ts';
import { RedirectRefused, upstreamFetch } from '../upstream/fetch.ts';
import { joinUrl } from '../upstream/url.ts';

/**
 * The only client headers a provider sees: what the body is and what answer is wanted, and the SDK
 * feature flags some calls need. Never `Authorization`, cookies, `cf-*` or forwarding headers.
 */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'user-agent', 'openai-beta'];
/** Response headers a provider must not set for our origin. */
const DROPPED_RESPONSE_HEADERS = ['set-cookie', 'set-cookie2'];

export interface Call {
  entry: ProviderEntry;
  /** The entry's OpenAI-compatible root (its `inferenceBase`, known to be set). */
  base: string;
  model: Model;
  /** The OpenAI path without `/v1`: `/chat/completions`, `/completions`, `/embeddings`. */
  path: string;
  /** The body as the provider gets it. */
  body: string;
  request: Request;
  keyName: string;
  /** Every configured secret value: redacted from whatever runtime text is logged. */
  secrets: readonly string[];
  background: { waitUntil(promise: Promise<unknown>): void };
}

export async function forward(call: Call): Promise<Response> {
  const started = Date.now();
  const url = joinUrl(call.base, call.path);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = call.request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  let upstream: Response;
  try {
    upstream = await proxy(url, {
      method: 'POST',
      headers,
      body: call.body,
      // The one way out: the provider's key placed, redirects refused. The client hanging up
      // (request.signal, compatibility flag enable_request_signal) aborts the call upstream.
      customFetch: (request) =>
        upstreamFetch(call.entry, 'inference', request.url, { method: 'POST', headers: request.headers, body: call.body, signal: call.request.signal }),
    });
  } catch (error) {
    // A refused redirect says where it pointed; anything else is explained (refused, name, TLS, …)
    // with the runtime's own words logged beside it, sanitised: never a key.
    let why: string;
    let kind: string;
    if (error instanceof RedirectRefused) [why, kind] = [error.message, 'redirect_refused'];
    else {
      const failure = explainFetchFailure(error, url, { secrets: call.secrets });
      logFetchFailure(call.entry.id, 'inference', url, failure);
      [why, kind] = [failure.message, failure.kind];
    }
    logLine(call, { status: 502, ttfbMs: Date.now() - started, durationMs: Date.now() - started, error: kind });
    throw apiError(502, 'upstream_error', `[${call.entry.id}] POST ${new URL(url).origin}: ${why}`, { cause: error });
  }
  const ttfbMs = Date.now() - started;
  const responseHeaders = new Headers(upstream.headers);
  for (const name of DROPPED_RESPONSE_HEADERS) responseHeaders.delete(name);
  if (upstream.body === null) {
    logLine(call, { status: upstream.status, ttfbMs, durationMs: ttfbMs });
    return new Response(null, { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders });
  }
  // A native pass-through: chunks flow as they arrive; its end (or the client leaving) times the call.
  const length = Number(responseHeaders.get('content-length') ?? Number.NaN);
  const { readable, writable } = Number.isSafeInteger(length) && length >= 0 ? new FixedLengthStream(length) : new IdentityTransformStream();
  call.background.waitUntil(
    upstream.body.pipeTo(writable).then(
      () => logLine(call, { status: upstream.status, ttfbMs, durationMs: Date.now() - started }),
      () => logLine(call, { status: upstream.status, ttfbMs, durationMs: Date.now() - started, error: 'stream_interrupted' }),
    ),
  );
  return new Response(readable, { status: upstream.status, statusText: upstream.statusText, headers: responseHeaders });
}

/** One line per call: who, which model where, how it went. Never the prompt, the completion or a key. */
function logLine(call: Call, outcome: { status: number; ttfbMs: number; durationMs: number; error?: string }): void {
  logEvent('inference', { key: call.keyName, model: call.model.id, provider: call.entry.id, path: call.path, ...outcome });
}
