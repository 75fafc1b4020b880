/**
 * @module The persist step of a refresh: a built list, or only the status of a refresh that kept the
 * previous one, written to Workers KV. Used by this isolate's own refresh and by the coordinator alike.
 */
import { writeList, writeStatus } from '../cache/kv.ts';
import { underGeneration } from '../cache/memory.ts';
import type { Built } from '../coordinator/protocol.ts';

/**
 * Writes the replacement and its status, or, with nothing new, the status alone with the kept list's
 * remaining lifetime (its own expiry still applies). Returns whether the list was written; never
 * throws (KV failing is recorded in cache/kv.ts). `generation` goes with the list (docs/behaviour.md,
 * "Purges and purge generations").
 */
export async function persistBuilt(kv: KVNamespace, built: Built, generation?: number): Promise<boolean> {
  const { replacement, kept, status, keepSeconds } = built;
  if (replacement !== null) {
    const list = generation === undefined ? replacement : underGeneration(replacement, generation);
    return writeList(kv, list, status, keepSeconds);
  }
  const remaining = kept === null ? keepSeconds : (kept.meta.expiresAt - status.refreshedAt) / 1000;
  await writeStatus(kv, status, Math.ceil(remaining));
  return false;
}
