/**
 * @module A list version as served under one `ALIASES` table: the stored models plus one entry per
 * alias whose target is listed — the target's metadata under the alias's id, with `alias_of` — in
 * id order. Built once per list version and table (serve/answers.ts), so an alias costs no request
 * anything. An alias that names a listed id is left out: a listed id always means its own model
 * (the status reports the clash, naming both); one whose target is not listed is left out too.
 */
import type { Aliases } from '../config.ts';
import { logEvent } from '../log.ts';
import type { Model } from '../model.ts';

export interface Catalog {
  models: Model[];
  positions: Map<string, number>;
}

/** One alias as the status shows it: `error` says why it is not served (null when it is). */
export interface AliasState {
  alias: string;
  target: string;
  error: string | null;
}

/** Every alias and whether this list serves it; `modelOf` finds a listed id's model. */
export function aliasStates(aliases: Aliases, modelOf: (id: string) => Model | undefined): AliasState[] {
  return [...aliases.targets].map(([alias, target]) => {
    const shadowed = modelOf(alias);
    if (shadowed !== undefined) {
      return { alias, target, error: `ALIASES.${alias}: shadows the listed id "${alias}" (provider "${shadowed.provider}"); the listed model is served under it, the alias of "${target}" is not` };
    }
    return { alias, target, error: modelOf(target) === undefined ? `ALIASES.${alias}: its target "${target}" is not in the list` : null };
  });
}

/** `stored` with `aliases` added, or `stored` itself when none of them can be served. */
export function withAliases(stored: Catalog, aliases: Aliases): Catalog {
  const modelOf = (id: string) => {
    const position = stored.positions.get(id);
    return position === undefined ? undefined : stored.models[position];
  };
  const added: Model[] = [];
  for (const state of aliasStates(aliases, modelOf)) {
    const target = modelOf(state.target);
    if (state.error === null && target !== undefined) added.push({ ...target, id: state.alias, alias_of: target.id });
    // A configuration mistake that only the list shows: logged once per list version, never thrown.
    else if (state.error !== null && modelOf(state.alias) !== undefined) logEvent('config_error', { field: `ALIASES.${state.alias}`, message: state.error });
  }
  if (added.length === 0) return stored;
  // Code-unit order, as the merge sorts the stored list: the dialects' cursors binary-search it.
  const models = [...stored.models, ...added].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { models, positions: new Map(models.map((model, i) => [model.id, i])) };
}
