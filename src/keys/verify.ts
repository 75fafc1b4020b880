/**
 * @module Checks a presented client key: its format, then its MAC (a forgery stops here, before any
 * lookup), then its hash against the index. A key already checked against this index version costs
 * one map lookup: the hot path does no hashing for a key it has seen.
 */
import { keyHash, keyIdOf, macIsValid } from './format.ts';
import type { KeySecrets } from './secret.ts';
import { currentKeys, type KeyRecord } from './store.ts';

/** Isolate cache: verifiedKeys keys by their text, with the index version they were checked against. */
const verifiedKeys = new Map<string, { record: KeyRecord; version: string }>();
/** Bounds the memo: past this many distinct keys in one index version, it starts over. */
const MAX_VERIFIED = 10_000;

/** The key's record when `presented` is a live key of this deployment, else undefined. */
export async function verifyKey(presented: string, kv: KVNamespace, secrets: KeySecrets, now = Date.now()): Promise<KeyRecord | undefined> {
  // A key seen before passed the format and MAC checks: the hot path starts here.
  const memo = verifiedKeys.get(presented);
  const id = memo?.record.id ?? keyIdOf(presented);
  if (id === undefined) return undefined;
  if (memo === undefined && !(await macIsValid(presented, secrets))) return undefined;
  const index = await currentKeys(kv, now);
  let record = memo?.version === index.version ? memo.record : undefined;
  if (record === undefined) {
    const candidate = index.byId.get(id);
    if (candidate === undefined || candidate.hash !== (await keyHash(presented))) return undefined;
    if (verifiedKeys.size >= MAX_VERIFIED) verifiedKeys.clear();
    verifiedKeys.set(presented, { record: candidate, version: index.version });
    record = candidate;
  }
  return record.expiresAt !== null && now >= record.expiresAt ? undefined : record;
}

/** What a new isolate knows: no key checked yet. */
export function forgetVerifiedKeys(): void {
  verifiedKeys.clear();
}
