/**
 * @module The one way out to a provider. List pages and forwarded calls alike go through
 * `upstreamFetch`, which places the provider's key, never follows a redirect (fetch's default
 * would re-send `x-api-key`, `x-goog-api-key` and configured headers to wherever a `Location`
 * points), and turns a `3xx` into that provider's error.
 */
import type { ProviderEntry } from '../config.ts';
import { providers } from '../providers/registry.ts';
import { entrySecrets, sanitise } from './sanitise.ts';

/**
 * How the provider's key is placed. `list`: each type's own way (`x-api-key` and a fixed
 * `anthropic-version` for Anthropic, `x-goog-api-key` for Gemini). `inference`: `Authorization: Bearer`,
 * which every OpenAI-compatible endpoint takes. `native`: the credential the type's own way for its
 * native API, leaving the request's `anthropic-version` and `anthropic-beta` as they are.
 */
export type Purpose = 'list' | 'inference' | 'native';

/**
 * A redirect from an upstream: refused, named with its target origin and the fix. The origin comes
 * from the upstream's `Location`, so it is sanitised (a host name can carry an echoed key).
 */
export class RedirectRefused extends Error {
  override readonly name = 'RedirectRefused';
  readonly status: number;
  /** The origin `Location` pointed at, sanitised; `an unnamed location` when there was none to parse. */
  readonly target: string;
  constructor(status: number, location: string | null, from: string, secrets: readonly string[] = []) {
    const target = sanitise(targetOrigin(location, from), secrets);
    super(`${status} redirected to ${target}; set baseUrl to the final URL`);
    this.status = status;
    this.target = target;
  }
}

/** The provider's key the way `purpose` needs it, and the entry's static headers. */
export function upstreamHeaders(entry: ProviderEntry, purpose: Purpose, extra: HeadersInit = {}): Headers {
  // The request's own headers, then the entry's (an admin's pinned value wins), then the key.
  const headers = new Headers(extra);
  for (const [name, value] of Object.entries(entry.headers)) headers.set(name, value);
  if (entry.apiKey !== undefined) {
    const key = entry.apiKey;
    const auth = entry.apiKeyHeader !== undefined
      ? { [entry.apiKeyHeader]: key }
      : purpose === 'inference'
        ? { Authorization: `Bearer ${key}` }
        : purpose === 'native'
          // The credential alone: the list's fixed `anthropic-version` must not replace the client's.
          ? Object.fromEntries(Object.entries(providers[entry.type].authHeaders(key)).filter(([, value]) => value.includes(key)))
          : providers[entry.type].authHeaders(key);
    for (const [name, value] of Object.entries(auth)) headers.set(name, value);
  }
  return headers;
}

/**
 * `fetch` to a provider with its key placed and `redirect: 'manual'`; a `3xx` answer is thrown as
 * `RedirectRefused` (its body cancelled), so no caller can follow it by accident.
 */
export async function upstreamFetch(
  entry: ProviderEntry,
  purpose: Purpose,
  url: string,
  init: RequestInit = {},
  fetcher: typeof fetch = fetch,
): Promise<Response> {
  const response = await fetcher(url, { ...init, headers: upstreamHeaders(entry, purpose, init.headers), redirect: 'manual' });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new RedirectRefused(response.status, response.headers.get('Location'), url, entrySecrets(entry));
  }
  return response;
}

function targetOrigin(location: string | null, from: string): string {
  if (location === null || !URL.canParse(location, from)) return 'an unnamed location';
  const { origin } = new URL(location, from);
  // `null` for schemes without an origin (`data:`, `javascript:`): name the scheme instead.
  return origin === 'null' ? `a ${new URL(location, from).protocol} URL` : origin;
}
