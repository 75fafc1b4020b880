/**
 * @module How tests inside workerd reach the fake providers of fake-providers/upstreams.ts, which run in
 * Node as miniflare's `outboundService` (vitest.config.ts). Every `fetch` the worker or a test makes
 * leaves workerd through that service, so one tiny URL scheme gives each test its own upstreams:
 *
 * - `POST http://control.upstream.test/scenarios` with a `ScenarioInit` creates a fresh UpstreamState
 *   (hit counters at 0) and answers `{ "origin": "http://s<n>.upstream.test" }`.
 * - `http://s<n>.upstream.test/{openai,anthropic,gemini,ollama}/...` is served by `handleUpstream` with
 *   that scenario's state, so tests never share counters or faults.
 * - `PATCH .../scenarios/s<n>` replaces the fields a `ScenarioInit` names (a provider breaks or recovers
 *   mid-test); `GET .../scenarios/s<n>` answers `{ "hits": { openai, anthropic, gemini, ollama } }`.
 * - Any other host gets a 502: the tests never reach the real network.
 * - Every request that leaves workerd is recorded per host (method, path, headers);
 *   `GET .../requests/<host>` answers `{ "requests": [...] }`: what reached a redirect target.
 *
 * `.test` is reserved (RFC 6761) and never resolves. This file holds no code that needs Node or
 * workerd, so both sides import it.
 */
import type { Kind } from '../../../fake-providers/demo-data.ts';

export const UPSTREAM_HOST_SUFFIX = '.upstream.test';
export const CONTROL_ORIGIN = `http://control${UPSTREAM_HOST_SUFFIX}`;
export const SCENARIOS_PATH = '/scenarios';
/** Hosts under this suffix answer every request with a 302 to another origin. */
export const REDIRECT_HOST_SUFFIX = '.redirect.test';
export const REQUESTS_PATH = '/requests';

/** Mirrors `Fault` in fake-providers/upstreams.ts (which imports node:http, so workerd code cannot); described there. */
export type Fault =
  | 'none'
  | 'error-500'
  | 'unauthorized'
  | 'html-200'
  | 'truncated'
  | 'wrong-shape'
  | 'hang'
  | 'huge'
  | 'redirect-cross-origin'
  | 'redirect-same-origin'
  | 'reflect-key-status'
  | 'reflect-key-content-type'
  | 'reflect-key-cursor'
  | 'endless-pages'
  | 'edge-dns-error'
  | 'edge-timeout';

/** One request that left workerd, as the outbound service saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** Same as `elsewhereOrigin` in fake-providers/upstreams.ts: where `redirect-cross-origin` points. */
export function elsewhereOrigin(origin: string): string {
  return `http://${new URL(origin).hostname.replaceAll('.', '-')}.elsewhere.test`;
}

/** The settable part of fake-providers/upstreams.ts `UpstreamState`. */
export interface ScenarioInit {
  models?: Partial<Record<Kind, number>>;
  pageSize?: number;
  delayMs?: Partial<Record<Kind, number>>;
  faults?: Partial<Record<Kind, Fault>>;
  keys?: Partial<Record<Kind, string>>;
  /** Milliseconds between streamed inference chunks. */
  dripMs?: number;
  chunks?: number;
  /** Inference streams break after their first chunk. */
  streamBreak?: boolean;
}

/** What an inference endpoint received (fake-providers/upstream-inference.ts `ReceivedCall`). */
export interface ReceivedCall {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Hits = Record<Kind, number>;
