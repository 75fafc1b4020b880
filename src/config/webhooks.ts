/**
 * @module `WEBHOOKS`: where the change feed is POSTed, batch by batch (docs/api.md, "Webhooks"). Each hook
 * is a URL, an optional view (the receiver hears only of models in it) and the name of the secret
 * that signs its deliveries; the secret itself is read here and never logged or answered.
 */
import { ConfigError, httpUrl, isObject, isString, jsonVar, onlyKnownFields, optional, type Problems, type Secrets } from './fields.ts';
import type { View } from './views.ts';

const FIELDS = ['url', 'view', 'secretName'] as const;
/** An HMAC key shorter than this is guessable offline from one signed delivery. */
const MIN_SECRET_BYTES = 32;

export interface Webhook {
  /** Where deliveries go; logged by origin only (a receiver may put its own key in the path or query). */
  url: string;
  /** The view whose models the receiver hears of; null for the full list. */
  view: string | null;
  secretName: string;
  /** The signing secret's value. */
  secret: string;
}

/** Every hook, each field checked on its own (problems go to `problems`); a hook with a problem is left out. */
export function parseWebhooks(raw: unknown, views: ReadonlyMap<string, View>, secrets: Secrets, problems: Problems): Webhook[] {
  const value = problems.check(() => jsonVar(raw, 'WEBHOOKS', 'a JSON array of webhooks'), undefined) ?? [];
  if (!Array.isArray(value)) {
    problems.add('WEBHOOKS', 'must be a JSON array of {"url", "view"?, "secretName"}');
    return [];
  }
  const seen = new Set<string>();
  return value.flatMap((hook: unknown, index) => {
    const at = `WEBHOOKS[${index}]`;
    if (!isObject(hook)) {
      problems.add(at, 'must be an object with url, secretName and optionally view');
      return [];
    }
    const before = problems.found.length;
    onlyKnownFields(hook, FIELDS, at, problems);
    const url = problems.check(() => httpUrl(hook.url, `${at}.url`), undefined);
    const view = problems.check(() => optional(hook.view, `${at}.view`, isString, 'a view name'), undefined) ?? null;
    if (view !== null && !views.has(view)) problems.add(`${at}.view`, `no view named "${view}" in VIEWS`);
    if (url !== undefined && seen.has(`${url} ${view}`)) problems.add(`${at}.url`, `the same URL and view as an earlier hook: each would get every batch twice`);
    if (url !== undefined) seen.add(`${url} ${view}`);
    const secret = problems.check(() => signingSecret(hook.secretName, `${at}.secretName`, secrets), undefined);
    if (url === undefined || secret === undefined || problems.found.length > before) return [];
    return [{ url, view, secretName: secret.name, secret: secret.value }];
  });
}

/** The secret that signs a hook's deliveries, by the name the hook gives: set, and long enough. */
function signingSecret(secretName: unknown, at: string, secrets: Secrets): { name: string; value: string } {
  if (typeof secretName !== 'string' || secretName === '') throw new ConfigError(at, 'is required: the name of the secret that signs deliveries');
  const value = secrets[secretName];
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(at, `secret ${secretName} is not set (wrangler secret put ${secretName}, or .dev.vars locally)`);
  }
  if (new TextEncoder().encode(value).length < MIN_SECRET_BYTES) {
    throw new ConfigError(at, `secret ${secretName} is shorter than ${MIN_SECRET_BYTES} bytes (openssl rand -hex 32 makes one)`);
  }
  return { name: secretName, value };
}
