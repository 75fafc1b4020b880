/**
 * @module `VIEWS`: named filters over the merged list, one per team or front end. A client key with a
 * view sees, lists and calls exactly the models its view keeps (docs/behaviour.md, "Client keys and views").
 */
import { glob, isObject, isStringArray, jsonVar, onlyKnownFields, optional, type Problems } from './fields.ts';

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

/**
 * Every view, each field checked on its own (problems go to `problems`). A view with a problem is kept
 * with stand-ins (the configuration is refused anyway), so a webhook naming it raises no second problem.
 */
export function parseViews(raw: unknown, providerIds: ReadonlySet<string>, problems: Problems): Map<string, View> {
  const views = new Map<string, View>();
  const value = problems.check(() => jsonVar(raw, 'VIEWS', 'a JSON object of named views'), undefined) ?? {};
  if (!isObject(value)) {
    problems.add('VIEWS', 'must be an object of named views, e.g. {"team-a": {"providers": ["openai"]}}');
    return views;
  }
  for (const [name, definition] of Object.entries(value)) {
    const at = `VIEWS.${name}`;
    if (!NAME_PATTERN.test(name)) problems.add(at, 'a view name is 1–64 of A–Z a–z 0–9 . _ -');
    if (!isObject(definition)) {
      problems.add(at, 'must be an object with providers, include and/or exclude');
      continue;
    }
    const check = <T>(field: () => T) => problems.check(field, undefined);
    onlyKnownFields(definition, FIELDS, at, problems);
    const providers = check(() => optional(definition.providers, `${at}.providers`, isStringArray, 'an array of provider ids'));
    providers?.forEach((id, index) => {
      if (!providerIds.has(id)) problems.add(`${at}.providers[${index}]`, `no provider with id "${id}" in PROVIDERS`);
    });
    views.set(name, {
      name,
      providers: providers === undefined ? undefined : new Set(providers),
      include: (check(() => optional(definition.include, `${at}.include`, isStringArray, 'an array of strings')) ?? []).map(glob),
      exclude: (check(() => optional(definition.exclude, `${at}.exclude`, isStringArray, 'an array of strings')) ?? []).map(glob),
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
