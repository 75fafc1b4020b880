/**
 * @module Calls the worker the way the runtime does, with a fresh env object per test (the config is
 * memoised per env object) over the runtime's KV, and resets what the worker keeps between requests.
 */
import { createExecutionContext, createScheduledController, reset, waitOnExecutionContext } from 'cloudflare:test';
import { env as bindings } from 'cloudflare:workers';
import { edgeDelete, LIST_COPY } from '../../../src/cache/edge.ts';
import type { CoordinatorApi } from '../../../src/coordinator/api.ts';
import { forgetIsolate } from '../../../src/serve/isolate.ts';
import type { Env } from '../../../src/env.ts';
import worker from '../../../src/index.ts';
import { flushUsageAfter } from '../../../src/usage/batch.ts';

// `call` waits on each request's background work: usage is sent at once, not batched for 5 s.
flushUsageAfter(0);

/** 40 bytes: above the 32-byte HS256 minimum. */
export const ADMIN_SECRET = 'models-edge-test-admin-secret-0123456789';
/** Signs client keys in tests; 40 bytes like the admin secret. */
export const CLIENT_KEY_SECRET = 'models-edge-test-client-key-secret-01234';

/**
 * The bindings of wrangler.toml (real KV, the coordinator) plus an admin secret, overridden by `vars`.
 * The coordinator is the test's own instance (`testCoordinator`).
 */
export function workerEnv(vars: Partial<Env> = {}): Env {
  return { ...(bindings as unknown as Env), COORDINATOR: testCoordinator(), ADMIN_JWT_SECRET: ADMIN_SECRET, CLIENT_KEY_SECRET, ...vars };
}

/** The instance `global` stands for in the current test: a new one per `coldCache`, so no test meets another's refresh, pause or keys. */
let coordinatorId: DurableObjectId | undefined;

/** The COORDINATOR binding as the worker uses it (`getByName('global')`), on the current test's instance. */
export function testCoordinator(): DurableObjectNamespace<CoordinatorApi> {
  const namespace = bindings.COORDINATOR;
  const global = () => namespace.get((coordinatorId ??= namespace.newUniqueId()));
  return { getByName: global, get: global } as unknown as DurableObjectNamespace<CoordinatorApi>;
}

/** `{ PROVIDERS: [...] }` as `.dev.vars` gives it: a JSON string. */
export const providersVar = (entries: unknown[]) => ({ PROVIDERS: JSON.stringify(entries) });

/** One request through `fetch`, background work (stale revalidation) included. */
export async function call(env: Env, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://models-edge.test${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/**
 * One request whose answer streams: the response at once, its background work (the forwarder's
 * pipe and log line) settled by `done()` once the body has been read.
 */
export async function send(env: Env, path: string, init: RequestInit = {}): Promise<{ response: Response; done: () => Promise<void> }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://models-edge.test${path}`, init), env, ctx);
  return { response, done: () => waitOnExecutionContext(ctx) };
}

/** The schedule in wrangler.toml. */
const CRON = '*/15 * * * *';

/** One cron run, as the runtime triggers it. */
export async function runCron(env: Env): Promise<void> {
  const handler: ExportedHandler<Env> = worker;
  if (handler.scheduled === undefined) throw new Error('the worker exports no scheduled handler');
  const ctx = createExecutionContext();
  await handler.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: CRON }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** What a new isolate knows: every isolate cache reset (src/serve/isolate.ts). */
export function freshIsolate(): void {
  forgetIsolate();
}

/** KV and the data centre's copy emptied, and a fresh isolate: every test starts on a cold cache. */
export async function coldCache(): Promise<void> {
  freshIsolate();
  await edgeDelete(LIST_COPY);
  await reset();
  coordinatorId = undefined;
}
