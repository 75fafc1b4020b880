/**
 * @module `VIEWS`: named filters over the merged list, one per team or front end. A client key with a
 * view sees, lists and calls exactly the models its view keeps (docs/behaviour.md, "Client keys and views").
 */
import { ConfigError, glob, isObject, isStringArray, jsonVar, onlyKnownFields, optional } from './fields.ts';

/** View (and client key) names: plain enough for URLs, logs and a `<select>`. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const FIELDS = ['providers', 'include', 'exclude'] as const;

export interface View {
  name: string;
  /** Provider ids the view keeps; undefined keeps every provider. */
  providers?: ReadonlySet<string>;
  /** Globs on the final id (prefix included); exclude wins. */
  include: RegExp[];
  exclude: RegExp[];
}

export function parseViews(raw: unknown, providerIds: ReadonlySet<string>): Map<string, View> {
  const value = jsonVar(raw, 'VIEWS', 'a JSON object of named views') ?? {};
  if (!isObject(value)) throw new ConfigError('VIEWS', 'must be an object of named views, e.g. {"team-a": {"providers": ["openai"]}}');
  const views = new Map<string, View>();
  for (const [name, definition] of Object.entries(value)) {
    const at = `VIEWS.${name}`;
    if (!NAME_PATTERN.test(name)) throw new ConfigError(at, 'a view name is 1–64 of A–Z a–z 0–9 . _ -');
    if (!isObject(definition)) throw new ConfigError(at, 'must be an object with providers, include and/or exclude');
    onlyKnownFields(definition, FIELDS, at);
    const providers = optional(definition.providers, `${at}.providers`, isStringArray, 'an array of provider ids');
    providers?.forEach((id, index) => {
      if (!providerIds.has(id)) throw new ConfigError(`${at}.providers[${index}]`, `no provider with id "${id}" in PROVIDERS`);
    });
    views.set(name, {
      name,
      providers: providers === undefined ? undefined : new Set(providers),
      include: (optional(definition.include, `${at}.include`, isStringArray, 'an array of strings') ?? []).map(glob),
      exclude: (optional(definition.exclude, `${at}.exclude`, isStringArray, 'an array of strings') ?? []).map(glob),
    });
  }
  return views;
}

/** Whether `view` keeps a model of `provider` with final id `id`. */
export function viewKeeps(view: View, provider: string, id: string): boolean {
  if (view.providers !== undefined && !view.providers.has(provider)) return false;
  if (view.include.length > 0 && !view.include.some((re) => re.test(id))) return false;
  return !view.exclude.some((re) => re.test(id));
}
