/**
 * @module The hot path's client keys: one KV value holding every key's record (its hash, never the
 * key), mirrored there by the coordinator, and this isolate's copy of it. Keys are few and change
 * rarely, so one value read every few seconds beats a KV read per key: a made-up key never reaches
 * KV, and a key check never waits on the coordinator.
 */
import { edgeGet, edgePut } from '../cache/edge.ts';
import { tryReadKeyIndex } from '../cache/kv.ts';

export { KEYS_KEY } from '../cache/kv.ts';
/**
 * How long an isolate trusts its copy of the index. With KV's propagation (about 60 s) it bounds
 * how late another data centre sees a revocation: the revoking isolate sees it at once.
 */
export const KEYS_MEMORY_TTL_MS = 5_000;
/** After a failed KV read, the last index is used this long before KV is asked again. */
export const KEYS_RETRY_MS = 30_000;
/** The index is parsed whole on each new version: keep it small enough to parse in well under 1 ms. */
export const MAX_KEYS = 1000;
/** The index's copy in the data centre's Cache API, read only when KV fails in an isolate that holds none. */
const KEYS_COPY = 'client-keys';
/** How long a copy of the index may stand in for KV: far beyond any outage, renewed with every new version. */
const KEYS_COPY_TTL_MS = 7 * 24 * 3600 * 1000;

export interface KeyRecord {
  id: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  name: string;
  /** A `VIEWS` name, or null for the full list. */
  view: string | null;
  /** Unix ms. */
  createdAt: number;
  /** The admin token's `sub` that created it. */
  createdBy: string | null;
  expiresAt: number | null;
}

/** Every client key, as the coordinator mirrors it to KV and answers a change with. */
export interface KeySnapshot {
  version: string;
  keys: KeyRecord[];
}

/** The index as one isolate holds it. */
export interface KeyIndex {
  /** Changes with every write; travels as metadata, so an unchanged index is not parsed again. */
  version: string;
  byId: ReadonlyMap<string, KeyRecord>;
}

interface Stored {
  keys: KeyRecord[];
}

const EMPTY: KeyIndex = { version: 'empty', byId: new Map() };

/** Isolate cache: the key index, until it is read again. */
let heldIndex: { index: KeyIndex; until: number } | undefined;
/** Isolate cache: the KV read of the index under way, shared by the requests that arrive meanwhile. */
let indexReadUnderWay: Promise<KeyIndex> | undefined;

/** This isolate's index, read again from KV once it is older than `KEYS_MEMORY_TTL_MS`. */
export async function currentKeys(kv: KVNamespace, now = Date.now()): Promise<KeyIndex> {
  if (heldIndex !== undefined && now < heldIndex.until) return heldIndex.index;
  indexReadUnderWay ??= load(kv).finally(() => {
    indexReadUnderWay = undefined;
  });
  return indexReadUnderWay;
}

/** The index as this isolate last knew it, without asking KV (undefined before the first read). */
export function heldKeys(): KeyIndex | undefined {
  return heldIndex?.index;
}

async function load(kv: KVNamespace): Promise<KeyIndex> {
  const now = Date.now();
  const read = await tryReadKeyIndex(kv);
  if (!read.ok) {
    // KV failing (logged, and shown in the status's `store`): keep the keys this isolate knows (a
    // revocation it saw stays in force), else the data centre's copy, else none (no key works: never
    // open); ask KV again after the pause.
    const index = heldIndex?.index ?? (await indexFromCopy()) ?? EMPTY;
    heldIndex = { index, until: now + KEYS_RETRY_MS };
    return index;
  }
  const { value, version } = read.value;
  const index = value === null ? EMPTY : version === heldIndex?.index.version && heldIndex ? heldIndex.index : parse(value, version);
  heldIndex = { index, until: now + KEYS_MEMORY_TTL_MS };
  if (value !== null) await copyOutsideKv(value, index.version);
  return index;
}

/** Once per version per isolate (edgePut remembers), so a read of an unchanged index costs nothing more. */
function copyOutsideKv(value: string, version: string): Promise<void> {
  return edgePut(KEYS_COPY, value, { version }, { version, expiresAt: Date.now() + KEYS_COPY_TTL_MS });
}

async function indexFromCopy(): Promise<KeyIndex | undefined> {
  const copy = await edgeGet(KEYS_COPY);
  const version = typeof copy?.meta === 'object' && copy.meta !== null ? (copy.meta as { version?: unknown }).version : undefined;
  return copy === null || typeof version !== 'string' ? undefined : parse(copy.body, version);
}

function parse(value: string, version: string | undefined): KeyIndex {
  const { keys } = JSON.parse(value) as Stored;
  return { version: version ?? crypto.randomUUID(), byId: new Map(keys.map((record) => [record.id, record])) };
}

/**
 * Holds the keys the coordinator answered a change with, at once: the changing data centre sees a
 * revocation immediately, and its copy outside KV changes with it, so a revocation stays in force
 * there even if KV fails right after.
 */
export async function holdKeys({ version, keys }: KeySnapshot): Promise<void> {
  heldIndex = { index: { version, byId: new Map(keys.map((record) => [record.id, record])) }, until: Date.now() + KEYS_MEMORY_TTL_MS };
  await copyOutsideKv(JSON.stringify({ keys } satisfies Stored), version);
}

/** Drops this isolate's copy (tests; a purge of keys is a revocation, never a cache drop). */
export function forgetKeys(): void {
  heldIndex = undefined;
}
