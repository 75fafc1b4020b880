/** @module A test's own fake providers, reached through the scheme in upstream-scheme.ts. */
import { KINDS, type Kind } from '../../../fake-providers/demo-data.ts';
import { CONTROL_ORIGIN, REQUESTS_PATH, SCENARIOS_PATH, type Hits, type ReceivedCall, type ScenarioInit, type SeenRequest } from './upstream-scheme.ts';

export interface FakeUpstreams {
  origin: string;
  /** A `PROVIDERS` entry of type `kind` (id `kind` unless `extra` says otherwise) pointed at these fakes. */
  entry(kind: Kind, extra?: Record<string, unknown>): Record<string, unknown>;
  /** One entry per kind, in KINDS order. */
  entries(extra?: Record<string, unknown>): Record<string, unknown>[];
  /** Page requests served so far, per provider. */
  hits(): Promise<Hits>;
  /** Inference calls received so far, oldest first. */
  received(): Promise<ReceivedCall[]>;
  /** Changes faults, keys or model counts from now on. */
  update(change: ScenarioInit): Promise<void>;
}

/** Fresh fakes with their own state: counters at 0, the given faults, keys and model counts. */
export async function fakeUpstreams(init: ScenarioInit = {}): Promise<FakeUpstreams> {
  const created = await control('POST', SCENARIOS_PATH, init);
  const { origin } = (await created.json()) as { origin: string };
  const path = `${SCENARIOS_PATH}/${new URL(origin).hostname.split('.')[0]}`;
  const entry = (kind: Kind, extra: Record<string, unknown> = {}) => ({ id: kind, type: kind, baseUrl: baseUrlFor(origin, kind), ...extra });
  return {
    origin,
    entry,
    entries: (extra) => KINDS.map((kind) => entry(kind, extra)),
    hits: async () => ((await (await control('GET', path)).json()) as { hits: Hits }).hits,
    received: async () => ((await (await control('GET', path)).json()) as { received: ReceivedCall[] }).received,
    update: async (change) => void (await control('PATCH', path, change)),
  };
}

/** Same layout as `baseUrlFor` in fake-providers/upstreams.ts, which workerd cannot import (node:http). */
function baseUrlFor(origin: string, kind: Kind): string {
  return { openai: `${origin}/openai/v1`, anthropic: `${origin}/anthropic/v1`, gemini: `${origin}/gemini/v1beta`, ollama: `${origin}/ollama` }[kind];
}

async function control(method: string, path: string, body?: ScenarioInit): Promise<Response> {
  const response = await fetch(CONTROL_ORIGIN + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) throw new Error(`fake upstreams: ${method} ${path}: ${response.status}`);
  return response;
}

/** Every request that has left workerd for `origin`'s host so far (any test's: use a host only yours reaches). */
export async function requestsTo(origin: string): Promise<SeenRequest[]> {
  return ((await (await control('GET', `${REQUESTS_PATH}/${new URL(origin).host}`)).json()) as { requests: SeenRequest[] }).requests;
}

/** Sum of all page requests: "did this read call any upstream at all". */
export const totalHits = (hits: Hits) => KINDS.reduce((sum, kind) => sum + hits[kind], 0);
