/**
 * @module `WEBHOOKS`: where the change feed is POSTed, batch by batch (README, "Webhooks"). Each hook
 * is a URL, an optional view (the receiver hears only of models in it) and the name of the secret
 * that signs its deliveries; the secret itself is read here and never logged or answered.
 */
import { ConfigError, httpUrl, isObject, isString, jsonVar, onlyKnownFields, optional, type Secrets } from './fields.ts';
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

export function parseWebhooks(raw: unknown, views: ReadonlyMap<string, View>, secrets: Secrets): Webhook[] {
  const value = jsonVar(raw, 'WEBHOOKS', 'a JSON array of webhooks') ?? [];
  if (!Array.isArray(value)) throw new ConfigError('WEBHOOKS', 'must be a JSON array of {"url", "view"?, "secretName"}');
  const seen = new Set<string>();
  return value.map((hook: unknown, index) => {
    const at = `WEBHOOKS[${index}]`;
    if (!isObject(hook)) throw new ConfigError(at, 'must be an object with url, secretName and optionally view');
    onlyKnownFields(hook, FIELDS, at);
    const url = httpUrl(hook.url, `${at}.url`);
    const view = optional(hook.view, `${at}.view`, isString, 'a view name') ?? null;
    if (view !== null && !views.has(view)) throw new ConfigError(`${at}.view`, `no view named "${view}" in VIEWS`);
    if (seen.has(`${url} ${view}`)) throw new ConfigError(`${at}.url`, `the same URL and view as an earlier hook: each would get every batch twice`);
    seen.add(`${url} ${view}`);
    const secretName = hook.secretName;
    if (typeof secretName !== 'string' || secretName === '') throw new ConfigError(`${at}.secretName`, 'is required: the name of the secret that signs deliveries');
    const secret = secrets[secretName];
    if (typeof secret !== 'string' || secret === '') {
      throw new ConfigError(`${at}.secretName`, `secret ${secretName} is not set (wrangler secret put ${secretName}, or .dev.vars locally)`);
    }
    if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
      throw new ConfigError(`${at}.secretName`, `secret ${secretName} is shorter than ${MIN_SECRET_BYTES} bytes (openssl rand -hex 32 makes one)`);
    }
    return { url, view, secretName, secret };
  });
}
