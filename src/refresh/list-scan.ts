/**
 * @module The stored-list scanner: a failed provider's models found in the previous list's text
 * without parsing it (a refresh with a failing provider would otherwise parse megabytes). This module
 * is the one place that knows the invariants it relies on: every model begins
 * `{"id":"…","object":"model"` (refresh/normalise.ts builds each one in that key order), a model holds
 * no object value, and provider ids are `[a-z0-9-]+` (config/entry.ts). Text that does not fit them (no
 * model start before a provider field, a model ending before it, an id not where the key order puts
 * it) throws here, and the body is parsed whole, once, instead.
 */
import type { ModelList } from '../model.ts';
import type { StoredModel } from './list-body.ts';

/**
 * Every model begins `{"id":"…","object":"model"`: `normalise` builds each one with that key
 * order. `{"id":` can begin nothing else: a model holds no object, and a quote inside a JSON string
 * is always escaped, so no string can hold it.
 */
const MODEL_START = '{"id":"';
const ID_END = '","object":"model"';

/**
 * Each of `providers`' models in a stored list body, found by its `"provider":"…"` field and cut
 * out between the model starts around it; only an id holding an escape is parsed (a few characters).
 * A body this cannot read (written before the key order above) is parsed whole, once.
 */
export function storedModels(body: string, providers: readonly string[]): Map<string, StoredModel[]> {
  try {
    return scanned(body, providers);
  } catch {
    const found = new Map<string, StoredModel[]>(providers.map((id) => [id, []]));
    for (const model of (JSON.parse(body) as ModelList).data) found.get(model.provider)?.push({ id: model.id, provider: model.provider, json: JSON.stringify(model) });
    return found;
  }
}

const LIST_START = '{"object":"list","data":[';

function scanned(body: string, providers: readonly string[]): Map<string, StoredModel[]> {
  if (!body.startsWith(LIST_START)) throw new SyntaxError('not a list this can scan');
  const found = new Map<string, StoredModel[]>();
  // Where the last model ends: the `}` before the array's closing `]`.
  const last = body.lastIndexOf('}', body.lastIndexOf(']')) + 1;
  // Usually no string in the list holds an escape: then every id ends at its first quote.
  const escapes = body.includes('\\');
  for (const provider of providers) {
    const models: StoredModel[] = [];
    // Provider ids are `[a-z0-9-]+`; the closing quote keeps `openai` from matching `openai-eu`.
    const needle = `"provider":${JSON.stringify(provider)}`;
    let at = body.indexOf(needle);
    let start = at < 0 ? -1 : body.lastIndexOf(MODEL_START, at);
    let next = at < 0 ? -1 : body.indexOf(MODEL_START, at);
    while (at >= 0) {
      const end = next < 0 ? last : endBefore(body, next);
      if (start < 0 || end <= at) throw new SyntaxError('not a list this can scan');
      const json = body.slice(start, end);
      models.push({ id: escapes ? idOf(json) : json.slice(MODEL_START.length, json.indexOf('"', MODEL_START.length)), provider, json });
      at = body.indexOf(needle, at + needle.length);
      if (at < 0) break;
      // Usually the provider's next model is the very next one (its ids share a prefix, so they sort
      // together): it starts at `next` when no model starts between there and `at`.
      const after = next < 0 || next > at ? -1 : body.indexOf(MODEL_START, next + 1);
      if (next >= 0 && next < at && (after < 0 || after > at)) {
        start = next;
        next = after;
      } else {
        start = body.lastIndexOf(MODEL_START, at);
        next = body.indexOf(MODEL_START, at);
      }
    }
    found.set(provider, models);
  }
  return found;
}

/** Where the model before the one starting at `next` ends: after its `}`, before `,` (or `,` and a line break). */
function endBefore(body: string, next: number): number {
  if (body.charCodeAt(next - 1) === COMMA && body.charCodeAt(next - 2) === CLOSE) return next - 1;
  return body.lastIndexOf('}', next) + 1;
}

/** The id of one model's JSON text; only an id holding an escape is parsed (a few characters). */
function idOf(json: string): string {
  const quote = json.indexOf('"', MODEL_START.length);
  const raw = json.slice(MODEL_START.length, quote);
  // Without a backslash the first quote is the id's end, and its characters are the id's own.
  if (json.startsWith(ID_END, quote) && !raw.includes('\\')) return raw;
  const end = json.indexOf(ID_END);
  if (end < 0) throw new SyntaxError('not a list this can scan');
  return JSON.parse(`"${json.slice(MODEL_START.length, end)}"`) as string;
}

const COMMA = 0x2c;
const CLOSE = 0x7d;
