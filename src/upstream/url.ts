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
