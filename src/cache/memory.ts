/** @module This isolate's copy of the stored list, in front of KV, and behind it while KV fails. */
import type { StoredList } from './kv.ts';

/**
 * How long an isolate answers from memory before reading KV again. It bounds how late this
 * isolate sees a purge or refresh made in another isolate: KV propagation plus this.
 */
export const MEMORY_TTL_MS = 5_000;

/** Isolate cache: the list this isolate last read, wrote or fetched; answered first for `MEMORY_TTL_MS`, then only while KV fails. */
let heldList: { list: StoredList; until: number } | undefined;

/** The list to answer without asking KV, within `MEMORY_TTL_MS` of when it was remembered; never one a purge removed. */
export function recall(now: number): StoredList | undefined {
  return heldList !== undefined && now < heldList.until && !purgedSince(heldList.list) ? heldList.list : undefined;
}

/** The last list this isolate knows, at any age short of its `expiresAt` (never one a purge removed): what a failed KV read falls back to. */
export function lastKnown(now: number): StoredList | undefined {
  return heldList !== undefined && now < heldList.list.meta.expiresAt && !purgedSince(heldList.list) ? heldList.list : undefined;
}

export function remember(list: StoredList, now: number): void {
  heldList = { list, until: now + MEMORY_TTL_MS };
}

/**
 * Keeps a list found outside KV for the fallback: `recall` does not answer it, so each read still says
 * STALE — until KV answers with a list a purge removed, when the read path remembers it as the newer list.
 */
export function hold(list: StoredList): void {
  heldList = { list, until: -Infinity };
}

/** Drops the list (a purge; a new isolate). */
export function forget(): void {
  heldList = undefined;
}

/** Drops `list` if it is the one heldList (a refresh a purge fenced after this isolate remembered it). */
export function forgetIfHeld(list: StoredList): void {
  if (heldList?.list === list) heldList = undefined;
}

/**
 * Isolate cache: purges seen by this isolate. A refresh notes the count when it starts and stores nothing (memory,
 * KV, the copy outside KV) once it has moved: a purge is never undone by a refresh begun before it,
 * whose writes may run behind its answer.
 */
let purgesSeen = 0;

export function notePurge(): void {
  purgesSeen++;
}

export function purgeCount(): number {
  return purgesSeen;
}

/**
 * Isolate cache: the purge generation this isolate holds to be current — as the coordinator last said
 * (a purge made here, its answer to a refresh this isolate asked about), or newer, as a list read from
 * KV carried; 0 before any. A list from an older generation is one a purge removed, which KV elsewhere
 * may still show for about a minute (docs/behaviour.md, "Purges and purge generations").
 */
let currentGeneration = 0;

/** The coordinator's word: its generation is current, even a lower one (its storage was reset). */
export function adoptGeneration(generation: number): void {
  currentGeneration = generation;
}

/** A list's generation: a newer one than this isolate knew means a purge it had not heard of. */
export function noteGeneration(generation: number | undefined): void {
  if (generation !== undefined && generation > currentGeneration) currentGeneration = generation;
}

export function knownGeneration(): number {
  return currentGeneration;
}

/** Whether `list` was made under a generation a purge has since ended: readers treat it as gone. */
export function purgedSince(list: StoredList): boolean {
  return list.meta.generation !== undefined && list.meta.generation < currentGeneration;
}

/** `list` as made under `generation` (a new object: the body is shared). */
export function underGeneration(list: StoredList, generation: number): StoredList {
  return { ...list, meta: { ...list.meta, generation } };
}

/** What a new isolate knows of purges: none (a purge itself never forgets a generation). */
export function forgetGenerations(): void {
  currentGeneration = 0;
}
