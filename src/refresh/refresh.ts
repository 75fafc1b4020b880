/**
 * @module The one refresh path: the cron, a cache miss, a stale read and the admin route all land
 * here (through refresh/shared.ts). `produce` fans out and builds the list (refresh/build.ts, pure);
 * the persist step (refresh/persist.ts) writes it, here or in the coordinator.
 */
import { tryReadListAndStatus, type StoredList } from '../cache/kv.ts';
import { knownGeneration, purgeCount, purgedSince, remember, underGeneration } from '../cache/memory.ts';
import type { CacheStatus } from '../cache/status.ts';
import type { Config } from '../config.ts';
import type { CoordinatorNamespace } from '../coordinator/client.ts';
import type { Built, FailedRefresh, RefreshTrigger } from '../coordinator/protocol.ts';
import { logEvent } from '../log.ts';
import { buildList, mayNeedPrevious, needsPrevious, NO_PREVIOUS, type Previous } from './build.ts';
import { fetchProvider } from './fetch-provider.ts';
import { inSlots } from './in-slots.ts';
import { persistBuilt } from './persist.ts';

/**
 * A Worker may have 6 connections waiting for response headers at once; a seventh fetch would
 * queue with its timeout already running, so a provider past the sixth waits for a free slot instead.
 */
export const MAX_PARALLEL_PROVIDERS = 6;

export type { RefreshTrigger } from '../coordinator/protocol.ts';

export interface RefreshOutcome {
  /** The list stored after this refresh: the new one, or the previous one it declined to replace. */
  list: StoredList | null;
  status: CacheStatus;
  /** Whether it produced a new list; false opens the failure pause (refresh/shared.ts). */
  succeeded: boolean;
  /**
   * Settles once its writes are done (already, without `background`) to whether they replaced the
   * stored list: false when it kept the previous one, after a 429, or when a purge overtook it.
   */
  landed: Promise<boolean>;
  /** False once a purge overtook the refresh (in this isolate, or worldwide): then it stores nothing more. */
  current(): boolean;
  /** The worldwide failure pause the coordinator answered instead of a refresh. */
  failure?: FailedRefresh;
}

export interface RefreshDeps {
  kv: KVNamespace;
  config: Config;
  fetcher?: typeof fetch;
  /** The coordinator, when bound: refreshes go through it (refresh/coordinated.ts). */
  coordinator?: CoordinatorNamespace | undefined;
  /**
   * Where a refresh someone is waiting for (a miss) leaves its KV writes: they run after the answer,
   * the new list already in this isolate's memory. Without it the writes are awaited (cron, admin).
   */
  background?: { waitUntil(promise: Promise<unknown>): void };
}

export async function refresh({ kv, config, fetcher = fetch, background }: RefreshDeps, trigger: RefreshTrigger): Promise<RefreshOutcome> {
  const started = Date.now();
  const purges = purgeCount();
  // The generation it is made under: the one this isolate holds current as it starts.
  const generation = knownGeneration();
  // A purge since the start, here or heard of from elsewhere, fences it: it stores nothing more.
  const current = () => purgeCount() === purges && knownGeneration() <= generation;
  const built = await produce({ kv, config, fetcher });
  const list = built.replacement === null ? built.kept : underGeneration(built.replacement, generation);
  // Remembered before the writes, so this isolate's next read finds it whether or not they are done.
  if (list !== null && current()) remember(list, built.status.refreshedAt);
  const persist = async () => {
    // A purge since the start wins: nothing is written back.
    const written = current() ? await persistBuilt(kv, built, generation) : false;
    logRefresh(trigger, built, written, started);
    return written;
  };
  const succeeded = built.replacement !== null;
  const { status } = built;
  if (background === undefined) {
    return { list, status, succeeded, landed: Promise.resolve(await persist()), current };
  }
  const landed = behindAnswer(persist).catch((error: unknown) => {
    logEvent('refresh_write_failed', { trigger, message: error instanceof Error ? error.message : String(error) });
    return false;
  });
  background.waitUntil(landed);
  return { list, status, succeeded, landed, current };
}

/**
 * Fans out to every provider and builds the list (refresh/build.ts). The stored list is read only
 * when it can matter: a provider failed, or the new list is unusable.
 */
export async function produce({ kv, config, fetcher = fetch }: Pick<RefreshDeps, 'kv' | 'config' | 'fetcher'>): Promise<Built> {
  const results = await inSlots(config.providers, MAX_PARALLEL_PROVIDERS, (entry) => fetchProvider(entry, fetcher, config.secretValues));
  const now = Date.now();
  const previous = needsPrevious(results) ? await readPrevious(kv, now) : undefined;
  const built = await buildList(results, previous ?? NO_PREVIOUS, config, now);
  if (previous !== undefined || !mayNeedPrevious(built)) return built;
  return buildList(results, await readPrevious(kv, now), config, now);
}

/** The one log line per refresh: trigger, whether the list was written, and each provider's outcome. */
export function logRefresh(trigger: RefreshTrigger, built: Built, written: boolean, started: number): void {
  const { status } = built;
  logEvent('refresh', {
    trigger,
    written,
    modelCount: (built.replacement ?? built.kept)?.meta.modelCount ?? 0,
    durationMs: Date.now() - started,
    providers: status.providers.map(({ id, ok, stale, modelCount, latencyMs, error, skipped, skippedExample }) => ({
      id, ok, stale, modelCount, latencyMs, error, skipped, skippedExample,
    })),
    clashes: status.clashes.length,
    ...(status.error === undefined ? {} : { error: status.error }),
  });
}

async function readPrevious(kv: KVNamespace, now: number): Promise<Previous> {
  const read = await tryReadListAndStatus(kv);
  const { list: stored, status } = read.ok ? read.value : NO_PREVIOUS;
  // KV may hold a list past its expiresAt (KV's TTL floor is 60 s), or one a purge removed that KV here
  // still shows: for readers it is gone, and a failed provider's models are not taken from it.
  return { list: stored !== null && now < stored.meta.expiresAt && !purgedSince(stored) ? stored : null, status };
}

/**
 * Runs `work` once the answer is on its way: one timer tick lets the runtime start sending the
 * response before the work's own CPU runs (under `wrangler dev` KV and the Cache API are simulated
 * in the same process, and writing a large list there held the answer back by tens of ms).
 */
export function behindAnswer<T>(work: () => Promise<T>): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, 0)).then(work);
}
