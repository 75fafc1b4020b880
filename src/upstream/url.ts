/** @module Upstream URLs: a path appended to a configured root whose query string (Azure's `api-version`) is kept. */

/** `{base}{path}` with `base`'s query string kept and `params` added to it. */
export function joinUrl(base: string, path: string, params: Record<string, string> = {}): string {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/** Origin and path only: a query string may carry a key some proxies take there. */
export function withoutQuery(url: string): string {
  const { origin, pathname } = new URL(url);
  return origin + pathname;
}

/**
 * The client's query parameters named in `allowed`, for a forwarded call: never its `key`, never one
 * that would overwrite a parameter the configured `base` carries (a gateway's `api-version`).
 */
export function forwardedQuery(base: string, clientUrl: string, allowed: readonly string[]): Record<string, string> {
  const own = new URL(base).searchParams;
  const params: Record<string, string> = {};
  for (const [name, value] of new URL(clientUrl).searchParams) if (allowed.includes(name) && !own.has(name)) params[name] = value;
  return params;
}
