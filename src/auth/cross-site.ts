/**
 * @module Refuses a state-changing request that a browser sent on behalf of another site, whatever
 * its content type: a page elsewhere must never make an admin's Access cookie purge, refresh or
 * create keys. Requests without `Origin` or `Sec-Fetch-Site` (curl, scripts) pass.
 * Hono's `csrf()` looks only at form-like content types, so a bodyless cross-site POST passes it.
 */
import { createMiddleware } from 'hono/factory';
import { apiError } from '../errors.ts';
import { logEvent } from '../log.ts';

/** The methods that change something (RFC 9110 §9.2.1 "safe" methods are the rest). */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * `Sec-Fetch-Site` values of a request another site started (Fetch Metadata). `same-site` counts:
 * a sibling subdomain is another application. `same-origin` and `none` (typed URL, bookmark) pass.
 */
const FOREIGN_SITES = new Set(['cross-site', 'same-site']);

/** 403 `cross_site_request` for an unsafe method from another origin; logged as a denied admin call. */
export const crossSiteGuard = () =>
  createMiddleware(async function crossSiteGuard(c, next) {
    if (UNSAFE_METHODS.has(c.req.method)) {
      const reason = foreignReason(c.req.header('Sec-Fetch-Site'), c.req.header('Origin'), new URL(c.req.url).origin);
      if (reason !== undefined) {
        logEvent('admin', { action: `${c.req.method} ${c.req.path}`, sub: null, outcome: 'denied', status: 403, reason });
        throw apiError(403, 'cross_site_request', 'A request sent from another site may not change anything here.');
      }
    }
    await next();
  });

/** Why the request comes from elsewhere, or `undefined` when it does not (or cannot tell: no headers). */
function foreignReason(site: string | undefined, origin: string | undefined, own: string): string | undefined {
  if (site !== undefined && FOREIGN_SITES.has(site.toLowerCase())) return `Sec-Fetch-Site: ${site}`;
  // `Origin: null` (sandboxed frames, file: pages) is not ours either.
  if (origin !== undefined && origin !== own) return 'Origin is not this worker';
  return undefined;
}
