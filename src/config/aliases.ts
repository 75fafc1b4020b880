/**
 * @module `ALIASES`: names for listed models, for clients that need particular names (Claude Code's
 * model picker lists only ids with `claude` or `anthropic` in them). An alias → model id table; what
 * can be checked here is (an alias naming itself or another alias, a provider's fixed `models` id);
 * whether an alias shadows an id some provider lists can only be known per list version, so
 * serve/catalog.ts checks that too, and the refresh reports it in the status.
 */
import type { ProviderEntry } from './entry.ts';
import { isObject, jsonVar, type Problems } from './fields.ts';

/** Alias names travel as model ids (bodies, paths): printable, no spaces, at most 256 characters. */
const NAME_PATTERN = /^[\x21-\x7e]{1,256}$/;

export interface Aliases {
  /** Alias → the model id it names. */
  readonly targets: ReadonlyMap<string, string>;
  /** Empty without aliases; else a short tag that changes whenever the table does (part of every scope key). */
  readonly tag: string;
}

export const NO_ALIASES: Aliases = { targets: new Map(), tag: '' };

/** The alias table, each alias checked on its own (problems go to `problems`; an alias with one is left out). */
export function parseAliases(raw: unknown, providers: readonly ProviderEntry[], hash: (text: string) => string, problems: Problems): Aliases {
  const value = problems.check(() => jsonVar(raw, 'ALIASES', 'a JSON object of alias → model id'), undefined) ?? {};
  if (!isObject(value)) {
    problems.add('ALIASES', 'must be an object of alias → model id, e.g. {"claude-gpt": "gpt-5"}');
    return NO_ALIASES;
  }
  const fixedIds = new Map(providers.flatMap((p) => (p.models ?? []).filter((id) => passes(p, id)).map((id) => [p.prefix + id, p.id] as const)));
  const targets = new Map<string, string>();
  for (const [alias, target] of Object.entries(value)) {
    const problem = aliasProblem(alias, target, value, fixedIds);
    if (problem !== undefined) problems.add(`ALIASES.${alias}`, problem);
    else if (typeof target === 'string') targets.set(alias, target);
  }
  return targets.size === 0 ? NO_ALIASES : { targets, tag: hash(JSON.stringify([...targets])) };
}

/** What is wrong with one alias, if anything. */
function aliasProblem(alias: string, target: unknown, table: Record<string, unknown>, fixedIds: ReadonlyMap<string, string>): string | undefined {
  if (!NAME_PATTERN.test(alias)) return 'an alias is 1–256 printable characters without spaces';
  if (typeof target !== 'string' || !NAME_PATTERN.test(target)) return 'must be the id of a listed model (a string)';
  if (target === alias) return 'names itself; an alias must name another model';
  if (Object.hasOwn(table, target)) return `names "${target}", which is itself an alias; name the model id`;
  const owner = fixedIds.get(alias);
  if (owner !== undefined) return `shadows the listed id "${alias}" (provider "${owner}"); an alias may not take a listed model's id`;
  return undefined;
}

/** Whether the entry's own filters keep upstream id `id` (exclude wins), as the refresh applies them. */
function passes(entry: ProviderEntry, id: string): boolean {
  return (entry.include.length === 0 || entry.include.some((re) => re.test(id))) && !entry.exclude.some((re) => re.test(id));
}
