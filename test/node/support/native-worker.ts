/**
 * @module The worker under `wrangler dev` over the loopback fakes, each refusing a call without its
 * provider key, with client keys made through the admin API: what the dialect and translation tests
 * drive the native SDKs against.
 */
import { expect } from 'vitest';
import { startDevWorker, type DevWorker } from '../../../scripts/lib/dev-worker.ts';
import type { ReceivedCall } from '../../../fake-providers/upstream-inference.ts';
import { baseUrlFor, KINDS, startUpstreams, type Kind, type RunningUpstreams } from '../../../fake-providers/upstreams.ts';
import { adminToken } from './admin-token.ts';

export const PROVIDER_KEYS: Record<Kind, string> = {
  openai: 'sk-native-e2e-openai-0123456789',
  anthropic: 'sk-ant-native-e2e-0123456789',
  gemini: 'AIza-native-e2e-gemini-0123456789',
  ollama: 'native-e2e-ollama-proxy-0123456789',
};
const SECRET_NAMES: Record<Kind, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', gemini: 'GEMINI_API_KEY', ollama: 'OLLAMA_API_KEY' };
const ADMIN_SECRET = 'native-e2e-admin-secret-at-least-32-bytes';
const CLIENT_KEY_SECRET = 'native-e2e-client-key-secret-at-least-32-bytes';

/** Each kind's provider entry: id = type = kind, its key secret, and a prefix where one is given. */
export type Prefixes = Partial<Record<Kind, string>>;

/** A further entry of a kind's type over the same fake (its key secret and base URL filled in), e.g. a second `openai` with `responses: false`. */
export interface ExtraEntry {
  id: string;
  type: Kind;
  prefix?: string;
  responses?: boolean;
}

export interface NativeWorld {
  upstreams: RunningUpstreams;
  worker: DevWorker;
  /** A new client key (its name unique per call), seeing `view` or everything. */
  clientKey(view?: string): Promise<string>;
  /** The calls the fakes received after `mark` (a `received.length` taken before). */
  callsSince(mark: number): ReceivedCall[];
  stop(): Promise<void>;
}

/**
 * The fakes (chunks cut small, so streams have several events) and the worker in front of them, with
 * one provider entry per kind in `kinds`:
 * `{ id: kind, type: kind, baseUrl: <the fake's>, apiKeySecret: <KIND>_API_KEY, prefix?: prefixes[kind] }`,
 * and the `extra` entries after them.
 */
export async function startNativeWorld({ kinds = KINDS, prefixes = {}, views = {}, extra = [] }: { kinds?: Kind[]; prefixes?: Prefixes; views?: Record<string, unknown>; extra?: ExtraEntry[] } = {}): Promise<NativeWorld> {
  const upstreams = await startUpstreams({ keys: PROVIDER_KEYS, chunks: 4 });
  const providers = [
    ...kinds.map((kind) => ({
      id: kind,
      type: kind,
      baseUrl: baseUrlFor(upstreams.origin, kind),
      apiKeySecret: SECRET_NAMES[kind],
      ...(prefixes[kind] === undefined ? {} : { prefix: prefixes[kind] }),
    })),
    ...extra.map((entry) => ({ baseUrl: baseUrlFor(upstreams.origin, entry.type), apiKeySecret: SECRET_NAMES[entry.type], ...entry })),
  ];
  const secretKinds = new Set([...kinds, ...extra.map((entry) => entry.type)]);
  let worker: DevWorker;
  try {
    worker = await startDevWorker({
      vars: {
        PROVIDERS: JSON.stringify(providers),
        VIEWS: JSON.stringify(views),
        ADMIN_JWT_SECRET: ADMIN_SECRET,
        CLIENT_KEY_SECRET,
        ...Object.fromEntries([...secretKinds].map((kind) => [SECRET_NAMES[kind], PROVIDER_KEYS[kind]])),
      },
    });
  } catch (error) {
    await upstreams.close();
    throw error;
  }
  let made = 0;
  return {
    upstreams,
    worker,
    clientKey: async (view) => {
      const response = await fetch(`${worker.url}/admin/keys`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await adminToken(ADMIN_SECRET)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `native-${++made}`, ...(view === undefined ? {} : { view }) }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { key: string }).key;
    },
    callsSince: (mark) => upstreams.state.received.slice(mark),
    stop: async () => {
      await worker.stop();
      await upstreams.close();
    },
  };
}

/** Asserts the client key reached no fake: not in a header, not in a path or query string. */
export function expectNoClientKey(calls: ReceivedCall[], clientKey: string): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) {
    expect(call.path).not.toContain(clientKey);
    for (const value of Object.values(call.headers)) expect(value).not.toContain(clientKey);
  }
}
