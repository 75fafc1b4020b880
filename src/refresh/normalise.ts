/**
 * @module Upstream content is data: every model a provider lists is checked, trimmed, cut and capped
 * here, in one place, before it can enter the list (docs/behaviour.md, "What upstreams may not do"). Builds each `Model` once.
 */
import type { ProviderEntry } from '../config.ts';
import type { Model } from '../model.ts';
import type { Page } from '../providers/types.ts';

/** Longest id listed (docs/behaviour.md, "What upstreams may not do"): longer ones are skipped, not cut, since a cut id names nothing. */
export const MAX_ID_LENGTH = 256;
/** Longest `name` and `owned_by`: display text, cut rather than dropped. */
export const MAX_TEXT_LENGTH = 256;
/**
 * vLLM, llama.cpp and text-generation-inference stamp `created` with the time of the request, so it
 * would change on every refresh (and with it the bytes and the ETag) though no model did. A `created`
 * later than this long before the fetch started is therefore no model date and is left out. Two
 * minutes covers the clock drift of a self-hosted box without NTP; a model really created that
 * recently shows its date from the next refresh on. Needs no previous list.
 */
export const REQUEST_TIME_WINDOW_SECONDS = 120;

/**
 * `owned_by` values that name no owner: the provider `id` says more, so they count as none.
 */
const PLACEHOLDER_OWNERS: ReadonlySet<string> = new Set([
  // OpenAI: its own base models (`gpt-4o`, …), named after no one. https://platform.openai.com/docs/api-reference/models/list
  'system',
  // Reported in issue #10 from real OpenAI-compatible lists: the account's role, not the model's maker.
  'organization_owner',
  // Servers that fill the field because the schema requires it.
  'unknown',
  // vLLM's and llama.cpp's defaults: the server software, not the model's owner.
  'vllm',
  'llamacpp',
  // Ollama's `/v1/models`: the registry namespace every pulled model sits in.
  'library',
]);

/** C0 and C1 control characters (docs/behaviour.md, "What upstreams may not do"). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;
/** A control character or any surrogate, paired or lone: without one, neither the control-character check nor the well-formedness check can fail (no `u` flag: it matches code units). */
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

export type Normalised =
  | { ok: true; models: Model[]; skipped: number; skippedExample?: string }
  | { ok: false; error: string };

/** What the pages gave together: their models and the entries they had to skip. */
export type Listed = Omit<Page, 'next'>;

/**
 * Checks each id (trimmed, 1–256 characters, no control characters, retrievable as a path segment),
 * applies include/exclude (exclude wins) and the prefix, stamps the provider, drops placeholder
 * owners and request-time dates, cuts display text, and fails the provider when it lists more than
 * `maxModels`. `startedAt` is when the fetch started (Unix ms).
 */
export function normalise(entry: ProviderEntry, listed: Listed, startedAt: number): Normalised {
  const latestDate = Math.floor(startedAt / 1000) - REQUEST_TIME_WINDOW_SECONDS;
  const models: Model[] = [];
  let skipped = listed.skipped;
  let skippedExample = listed.skippedExample;
  const upstream = listed.models;
  const filtered = entry.include.length > 0 || entry.exclude.length > 0;
  for (let i = 0; i < upstream.length; i++) {
    const m = upstream[i];
    if (m === undefined) continue;
    const upstreamId = m.id.trim();
    const problem = idProblem(upstreamId, entry.prefix);
    if (problem !== undefined) {
      skipped++;
      skippedExample ??= problem;
      continue;
    }
    if (filtered && !wanted(entry, upstreamId)) continue;
    const created = m.created !== undefined && m.created > 0 && m.created <= latestDate ? m.created : undefined;
    const owner = text(m.owned_by);
    const owned_by = owner === undefined || PLACEHOLDER_OWNERS.has(owner) ? entry.id : owner;
    const id = prefixed(entry.prefix, upstreamId);
    // One object per model in a fixed key order (the bytes, and so the ETag, stay the same).
    const model: Model =
      created === undefined
        ? { id, object: 'model', owned_by, provider: entry.id, upstream_id: upstreamId }
        : { id, object: 'model', created, owned_by, provider: entry.id, upstream_id: upstreamId };
    const name = text(m.name);
    if (name !== undefined) model.name = name;
    const context = count(m.context_length);
    if (context !== undefined) model.context_length = context;
    const output = count(m.max_output_tokens);
    if (output !== undefined) model.max_output_tokens = output;
    models.push(model);
  }
  if (models.length > entry.maxModels) {
    return {
      ok: false,
      error:
        `[${entry.id}] lists ${models.length} models, more than maxModels (${entry.maxModels}); ` +
        `raise maxModels in its PROVIDERS entry to list them all`,
    };
  }
  return skippedExample === undefined ? { ok: true, models, skipped } : { ok: true, models, skipped, skippedExample };
}

/**
 * `prefix + id` as one flat string. `+` gives V8 a rope (two pointers to the halves), and a single
 * rope among the list's strings sends `JSON.stringify` off its fast path for the whole list, which
 * then costs twice the CPU; `join` writes the characters out once.
 */
function prefixed(prefix: string, id: string): string {
  return prefix === '' ? id : [prefix, id].join('');
}

/** Why an id cannot be listed, in our words (the id itself is upstream text and stays out), or undefined. */
function idProblem(id: string, prefix: string): string | undefined {
  if (id === '') return 'an empty id';
  if (id.length > MAX_ID_LENGTH) return `an id of ${id.length} characters (at most ${MAX_ID_LENGTH})`;
  // One test for the usual id, which holds neither a control character nor a surrogate.
  if (SUSPECT.test(id)) {
    const control = CONTROL.exec(id);
    if (control !== null) return `an id with the control character U+${hex(control[0])}`;
    // A lone surrogate cannot be put in a URL (encodeURIComponent throws): never retrievable.
    if (!id.isWellFormed()) return 'an id that is not well-formed Unicode';
  }
  // `/v1/models/.` and `/v1/models/..` are dot segments every URL parser removes: never retrievable.
  if (prefix.length + id.length <= 2) {
    const full = prefix + id;
    if (full === '.' || full === '..') return `the id "${full}", which no URL can name`;
  }
  return undefined;
}

function wanted(entry: ProviderEntry, id: string): boolean {
  if (entry.include.length > 0 && !entry.include.some((re) => re.test(id))) return false;
  return !entry.exclude.some((re) => re.test(id));
}

/** Display text without control characters, cut at `MAX_TEXT_LENGTH` (never inside a surrogate pair). */
function text(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let clean = CONTROL.test(value) ? value.replace(CONTROL_ALL, '') : value;
  if (clean.length > MAX_TEXT_LENGTH) {
    const end = isHighSurrogate(clean.charCodeAt(MAX_TEXT_LENGTH - 1)) ? MAX_TEXT_LENGTH - 1 : MAX_TEXT_LENGTH;
    clean = clean.slice(0, end);
  }
  clean = clean.trim();
  return clean === '' ? undefined : clean;
}

/** A token count is a positive whole number; anything else is unknown. */
function count(value: number | undefined): number | undefined {
  return value !== undefined && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const hex = (char: string) => (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
