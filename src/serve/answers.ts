/**
 * @module The answers derived from a stored list version — one model, one provider's models — each
 * serialised once per version with its own strong ETag, so no request does JSON work or hashing.
 */
import type { StoredList } from '../cache/kv.ts';
import type { Model } from '../model.ts';

/** A response body serialised once per stored version, with its strong ETag. */
export interface Answer {
  body: string;
  etag: string;
}

interface VersionIndex {
  /** The list's ETag without its quotes: every derived ETag starts with it. */
  version: string;
  models: Model[];
  positions: Map<string, number>;
  answers: Map<string, Answer>;
}

let index: VersionIndex | undefined;

/** Drops every derived answer (a purge). */
export function forgetAnswers(): void {
  index = undefined;
}

/** `GET /v1/models/{id}`: one model, or undefined when the list has no such id. */
export function modelAnswer(list: StoredList, id: string): Answer | undefined {
  const version = indexOf(list);
  const position = version.positions.get(id);
  return position === undefined ? undefined : answer(version, `m${position}`, () => version.models[position]);
}

/** `GET /v1/models?provider=`: the models of one provider, as a list. */
export function providerAnswer(list: StoredList, provider: string): Answer {
  const version = indexOf(list);
  return answer(version, `p-${provider}`, () => ({ object: 'list', data: version.models.filter((m) => m.provider === provider) }));
}

/** Parsed once per stored version (ETag), not once per request. */
function indexOf(list: StoredList): VersionIndex {
  const version = list.meta.etag.slice(1, -1);
  if (index?.version !== version) {
    const { data } = JSON.parse(list.body) as { data: Model[] };
    index = { version, models: data, positions: new Map(data.map((model, i) => [model.id, i])), answers: new Map() };
  }
  return index;
}

/** Serialised on first use; the same version and key always give the same bytes, so the ETag is strong. */
function answer(version: VersionIndex, key: string, value: () => unknown): Answer {
  let known = version.answers.get(key);
  if (known === undefined) {
    known = { body: JSON.stringify(value()), etag: `"${version.version}-${key}"` };
    version.answers.set(key, known);
  }
  return known;
}
