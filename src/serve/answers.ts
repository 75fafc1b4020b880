/**
 * @module The answers derived from a stored list version — the list a scope sees, one provider's
 * models, one model — each serialised once per version and scope with its own strong ETag, so no
 * request does JSON work, filtering or hashing. A scope is what one request may see: the providers
 * the configuration still names and, for a client key with a view, that view (docs/behaviour.md, "Client keys and views");
 * and under which names: the stored models plus the configuration's `ALIASES` (serve/catalog.ts).
 */
import type { StoredList } from '../cache/kv.ts';
import type { Aliases, Config } from '../config.ts';
import { NO_ALIASES } from '../config/aliases.ts';
import { viewKeeps } from '../config/views.ts';
import type { Model } from '../model.ts';
import { aliasStates, withAliases, type AliasState, type Catalog } from './catalog.ts';

/** A response body serialised once per stored version, with its strong ETag. */
export interface Answer {
  body: string;
  etag: string;
}

export interface Scope {
  /**
   * Stable for one configuration and view; part of every answer key and ETag it derives. Derived keys
   * join it to their own parts with `~`, which neither a fingerprint nor a view name can hold, so no
   * two scopes' answers can share a key.
   */
  key: string;
  /** The view's name, or null for the full list. */
  view: string | null;
  /** The configuration's fingerprint; null for the list as stored, when the configuration is broken. */
  fingerprint: string | null;
  /** The configuration's `ALIASES` (none for the list as stored); their tag is part of `key`. */
  aliases: Aliases;
  /** Whether the scope sees `model`; an alias exactly when its target. */
  keeps(model: Model): boolean;
  /** Whether `?provider=<id>` names a provider this scope may see. */
  seesProvider(id: string): boolean;
}

/**
 * The list exactly as stored, for when the configuration is broken (a configuration mistake never takes
 * the list offline): nothing to filter by, so nothing is filtered. Never for a key
 * with a view — that view cannot be applied, and a key must never see more than it was granted.
 */
export const AS_STORED: Scope = { key: 'stored', view: null, fingerprint: null, aliases: NO_ALIASES, keeps: () => true, seesProvider: () => true };

interface VersionIndex {
  /** The list's ETag without its quotes: every derived ETag starts with it. */
  version: string;
  /** The models as stored. */
  stored: Catalog;
  /** Per `ALIASES` tag: the models under that table's names too. */
  catalogs: Map<string, Catalog>;
  answers: Map<string, Answer>;
  /** Per scope key: which positions it keeps. */
  members: Map<string, Uint8Array>;
  /** Per scope key: the models it keeps, for the dialects' paged lists. */
  scoped: Map<string, Model[]>;
}

/** Isolate cache: the answers derived from the list version last served. */
let answersOfVersion: VersionIndex | undefined;
/** Isolate cache: each configuration's scopes, built once (a new configuration is a new object). */
const scopes = new WeakMap<Config, Map<string | null, Scope>>();

/** Drops every derived answer (a purge). */
export function forgetAnswers(): void {
  answersOfVersion = undefined;
}

/** The scope of a request: `view` null for the full list. Built once per configuration and view. */
export function scopeOf(config: Config, view: string | null): Scope {
  let byView = scopes.get(config);
  if (byView === undefined) scopes.set(config, (byView = new Map()));
  let scope = byView.get(view);
  if (scope === undefined) {
    const configured = new Set(config.providers.map((p) => p.id));
    const definition = view === null ? undefined : config.views.get(view);
    // A view that the configuration no longer has keeps nothing: never more than was granted.
    const viewSees = (provider: string) => view === null || (definition !== undefined && (definition.providers?.has(provider) ?? true));
    const { aliases } = config;
    scope = {
      key: `${config.fingerprint}${aliases.tag === '' ? '' : `+${aliases.tag}`}.${view ?? '*'}`,
      view,
      fingerprint: config.fingerprint,
      aliases,
      keeps: (model) =>
        configured.has(model.provider) && viewSees(model.provider) && (definition === undefined || viewKeeps(definition, model.provider, model.alias_of ?? model.id)),
      seesProvider: (id) => configured.has(id) && viewSees(id),
    };
    byView.set(view, scope);
  }
  return scope;
}

/** `GET /v1/models`: the stored bytes themselves when the scope is the whole list as stored. */
export function listAnswer(list: StoredList, scope: Scope): Answer {
  if (scope.view === null && scope.aliases.tag === '' && (scope.fingerprint === null || list.meta.fingerprint === scope.fingerprint)) {
    return { body: list.body, etag: list.meta.etag };
  }
  const version = indexOf(list);
  return answer(version, `${scope.key}~l`, () => ({ object: 'list', data: catalogOf(version, scope).models.filter((_, i) => membersOf(version, scope)[i] === 1) }));
}

/** `GET /v1/models?provider=`: the models of one provider the scope sees, as a list. */
export function providerAnswer(list: StoredList, scope: Scope, provider: string): Answer {
  const version = indexOf(list);
  return answer(version, `${scope.key}~p~${provider}`, () => ({
    object: 'list',
    data: catalogOf(version, scope).models.filter((m, i) => m.provider === provider && membersOf(version, scope)[i] === 1),
  }));
}

/** Inference: the model the scope sees under `id`, or undefined, exactly as for an unknown id. */
export function modelIn(list: StoredList, scope: Scope, id: string): Model | undefined {
  const version = indexOf(list);
  const { models, positions } = catalogOf(version, scope);
  const position = positions.get(id);
  return position !== undefined && membersOf(version, scope)[position] === 1 ? models[position] : undefined;
}

/** `GET /v1/models/{id}`: one model the scope sees, or undefined, exactly as for an unknown id. */
export function modelAnswer(list: StoredList, scope: Scope, id: string): Answer | undefined {
  const version = indexOf(list);
  const { models, positions } = catalogOf(version, scope);
  const position = positions.get(id);
  if (position === undefined || membersOf(version, scope)[position] !== 1) return undefined;
  // The same model is the same bytes in every scope with the same aliases: one answer, one ETag.
  return answer(version, `m${scope.aliases.tag}.${position}`, () => models[position]);
}

/** Parsed once per stored version (ETag), not once per request. */
function indexOf(list: StoredList): VersionIndex {
  const version = list.meta.etag.slice(1, -1);
  if (answersOfVersion?.version !== version) {
    const { data } = JSON.parse(list.body) as { data: Model[] };
    const stored = { models: data, positions: new Map(data.map((model, i) => [model.id, i])) };
    answersOfVersion = { version, stored, catalogs: new Map(), answers: new Map(), members: new Map(), scoped: new Map() };
  }
  return answersOfVersion;
}

/** The version's models under the scope's names: the stored ones, plus its aliases (built once per table). */
function catalogOf(version: VersionIndex, scope: Scope): Catalog {
  const { aliases } = scope;
  if (aliases.tag === '') return version.stored;
  let catalog = version.catalogs.get(aliases.tag);
  if (catalog === undefined) {
    catalog = withAliases(version.stored, aliases);
    version.catalogs.set(aliases.tag, catalog);
  }
  return catalog;
}

/** Which of the scope's catalog positions it keeps. */
function membersOf(version: VersionIndex, scope: Scope): Uint8Array {
  let members = version.members.get(scope.key);
  if (members === undefined) {
    members = Uint8Array.from(catalogOf(version, scope).models, (model) => (scope.keeps(model) ? 1 : 0));
    version.members.set(scope.key, members);
  }
  return members;
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

/**
 * The models a scope sees, in list order (by id): what a dialect's own list shape pages through.
 * `only` narrows them further (the models one dialect can call), kept under its `name` per version.
 */
export function modelsIn(list: StoredList, scope: Scope, only?: { name: string; keeps(model: Model): boolean }): readonly Model[] {
  const version = indexOf(list);
  const key = only === undefined ? scope.key : `${scope.key}~${only.name}`;
  let models = version.scoped.get(key);
  if (models === undefined) {
    const members = membersOf(version, scope);
    models = catalogOf(version, scope).models.filter((model, i) => members[i] === 1 && (only === undefined || only.keeps(model)));
    version.scoped.set(key, models);
  }
  return models;
}

/**
 * An answer derived from this list version under `key` (which must name everything the body depends
 * on: scope, shape, page), so its ETag is strong. Kept for the version only when `keep`: pages asked
 * for with arbitrary cursors are built per request instead of growing the cache without bound.
 */
export function derivedAnswer(list: StoredList, key: string, value: () => unknown, keep: boolean): Answer {
  const version = indexOf(list);
  if (keep) return answer(version, key, value);
  return { body: JSON.stringify(value()), etag: `"${version.version}-${key}"` };
}

/** Every alias of the scope's configuration and whether this list version serves it, for the status. */
export function aliasesOf(list: StoredList, aliases: Aliases): AliasState[] {
  const { stored } = indexOf(list);
  return aliasStates(aliases, (id) => {
    const position = stored.positions.get(id);
    return position === undefined ? undefined : stored.models[position];
  });
}
