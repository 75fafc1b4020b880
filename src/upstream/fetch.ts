/**
 * @module The one way out to a provider. List pages and forwarded calls alike go through
 * `upstreamFetch`, which places the provider's key, never follows a redirect (fetch's default
 * would re-send `x-api-key`, `x-goog-api-key` and configured headers to wherever a `Location`
 * points), and turns a `3xx` into that provider's error.
 */
import type { ProviderEntry } from '../config.ts';
import { providers } from '../providers/registry.ts';

/**
 * Lists use each type's own way of sending the key (`x-api-key` for Anthropic, `x-goog-api-key` for
 * Gemini); every OpenAI-compatible inference endpoint takes `Authorization: Bearer` (contract §9).
 */
export type Purpose = 'list' | 'inference';

/** A redirect from an upstream: refused, named with its target origin and the fix. */
export class RedirectRefused extends Error {
  override readonly name = 'RedirectRefused';
  readonly status: number;
  constructor(status: number, location: string | null, from: string) {
    super(`${status} redirected to ${targetOrigin(location, from)}; set baseUrl to the final URL`);
    this.status = status;
  }
}

/** The provider's key the way `purpose` needs it, then the entry's static headers. */
export function upstreamHeaders(entry: ProviderEntry, purpose: Purpose, extra: HeadersInit = {}): Headers {
  const headers = new Headers(extra);
  for (const [name, value] of Object.entries(entry.headers)) headers.set(name, value);
  if (entry.apiKey !== undefined) {
    const auth = entry.apiKeyHeader !== undefined
      ? { [entry.apiKeyHeader]: entry.apiKey }
      : purpose === 'list' ? providers[entry.type].authHeaders(entry.apiKey) : { Authorization: `Bearer ${entry.apiKey}` };
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
    throw new RedirectRefused(response.status, response.headers.get('Location'), url);
  }
  return response;
}

function targetOrigin(location: string | null, from: string): string {
  if (location === null || !URL.canParse(location, from)) return 'an unnamed location';
  return new URL(location, from).origin;
}
