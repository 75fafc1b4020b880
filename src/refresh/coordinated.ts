/**
 * @module A refresh through the coordinator: it says whether this isolate leads (fans out, builds,
 * hands the list over for the coordinator to write), joins a refresh running anywhere (and shares its
 * outcome), or holds back (a failure worldwide within the pause). The coordinator failing to answer
 * within its budget (a decision's to begin, the running refresh's lease to join it: coordinator/client.ts)
 * makes this one of today's per-isolate refreshes.
 */
import { adoptGeneration, forgetIfHeld, noteGeneration, purgeCount, purgedSince, remember, underGeneration } from '../cache/memory.ts';
import { noteUnreachable, type CoordinatorClient } from '../coordinator/client.ts';
import type { Begin, Built } from '../coordinator/protocol.ts';
import type { Config } from '../config.ts';
import { behindAnswer, logRefresh, MAX_PARALLEL_PROVIDERS, produce, refresh, type RefreshDeps, type RefreshOutcome, type RefreshTrigger } from './refresh.ts';

/** What the coordinator allows a lead beyond its fan-out's longest possible time before another may lead. */
const LEASE_MARGIN_MS = 10_000;
/**
 * How many times an isolate asks to begin before it refreshes alone: each ask after the first follows
 * a refresh that left nothing to share (its lead gave up or vanished, or a purge fenced it).
 */
const MAX_ASKS = 3;

export async function refreshCoordinated(coordinator: CoordinatorClient, deps: RefreshDeps, trigger: RefreshTrigger): Promise<RefreshOutcome> {
  const started = Date.now();
  const purges = purgeCount();
  let begun: Decided | undefined;
  try {
    begun = await decide(coordinator, deps, trigger);
  } catch (error) {
    noteUnreachable(error, 'begin');
    return refresh(deps, trigger);
  }
  if (begun === undefined) return refresh(deps, trigger);
  // The coordinator's word, unless a purge here overtook the ask (its answer may predate the purge).
  if (purgeCount() === purges) adoptGeneration(begun.generation);
  else noteGeneration(begun.generation);
  if (begun.kind === 'paused') {
    const status = { refreshedAt: begun.failure.at, providers: [], clashes: [] };
    return { list: null, status, succeeded: false, landed: Promise.resolve(false), current: () => false, failure: begun.failure };
  }
  if (begun.kind === 'joined') {
    const { status, written, succeeded } = begun.outcome;
    const list = succeeded && begun.outcome.list !== null ? underGeneration(begun.outcome.list, begun.outcome.generation) : begun.outcome.list;
    const current = () => purgeCount() === purges && (list === null || !purgedSince(list));
    if (list !== null && current()) remember(list, Date.now());
    return { list, status, succeeded, landed: Promise.resolve(written), current };
  }
  return lead(coordinator, begun.ticket, begun.generation, deps, trigger, started);
}

type Decided = Exclude<Begin, { kind: 'running' }>;

/**
 * The coordinator's decision: lead, hold back, or the outcome of the refresh running anywhere, waited
 * for at most what is left of its lease (and never longer than this isolate's own refresh could take).
 * Undefined after MAX_ASKS refreshes that left nothing to share.
 */
async function decide(coordinator: CoordinatorClient, deps: RefreshDeps, trigger: RefreshTrigger): Promise<Decided | undefined> {
  const lease = leaseMs(deps.config);
  for (let ask = 0; ask < MAX_ASKS; ask++) {
    const begun = await coordinator.begin(trigger, lease, deps.config.fingerprint);
    if (begun.kind !== 'running') return begun;
    const joined = await coordinator.join(begun.ticket, Math.min(begun.waitMs, lease));
    if (joined !== undefined) return joined;
  }
  return undefined;
}

async function lead(coordinator: CoordinatorClient, ticket: string, generation: number, deps: RefreshDeps, trigger: RefreshTrigger, started: number): Promise<RefreshOutcome> {
  const purges = purgeCount();
  let built: Built;
  try {
    built = await produce(deps);
  } catch (error) {
    await coordinator.abandon(ticket).catch(() => undefined);
    throw error;
  }
  // Kept in memory as the coordinator will store it: under the generation it was begun in.
  const list = built.replacement === null ? built.kept : underGeneration(built.replacement, generation);
  let fenced = false;
  const current = () => purgeCount() === purges && !fenced;
  // Remembered before the coordinator writes, so this isolate's next read finds it; dropped again if a purge fenced it.
  if (list !== null && current()) remember(list, built.status.refreshedAt);
  const finish = async () => {
    let written = false;
    try {
      const finished = await coordinator.finish(ticket, built);
      fenced = finished.fenced;
      written = finished.written;
    } catch (error) {
      // The list stays in this isolate's memory; KV gets it from the next refresh.
      noteUnreachable(error, 'finish');
    }
    if (fenced && list !== null) forgetIfHeld(list);
    logRefresh(trigger, built, written, started);
    return written;
  };
  const succeeded = built.replacement !== null;
  if (deps.background === undefined) {
    return { list, status: built.status, succeeded, landed: Promise.resolve(await finish()), current };
  }
  const landed = behindAnswer(finish);
  deps.background.waitUntil(landed);
  return { list, status: built.status, succeeded, landed, current };
}

/** The longest a fan-out can take: each slot's providers one after another, each at most its budget. */
function leaseMs(config: Config): number {
  const longest = Math.max(0, ...config.providers.map((entry) => entry.timeoutMs));
  return longest * Math.ceil(config.providers.length / MAX_PARALLEL_PROVIDERS) + LEASE_MARGIN_MS;
}
