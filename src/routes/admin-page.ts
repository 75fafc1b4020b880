/**
 * @module `GET /admin`: a small status page for people. It holds no data and needs no token itself:
 * its script calls only the JSON admin API, with the token pasted once and kept in `sessionStorage`
 * (or with nothing, when Cloudflare Access adds `Cf-Access-Jwt-Assertion` on the way in).
 * The page, its CSS and its browser script are real files in `admin-page/`, bundled as text modules
 * (wrangler.toml's `[[rules]]`) and inlined here under a per-response CSP nonce; nothing loads from
 * elsewhere.
 */
import { Hono } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../app-env.ts';
import STYLE from './admin-page/admin.css';
import CORE from './admin-page/core.js';
import HISTORY from './admin-page/history.js';
import KEYS from './admin-page/keys.js';
import MAIN from './admin-page/main.js';
import PAGE from './admin-page/page.html';
import STATUS from './admin-page/status.js';

export const adminPage = new Hono<AppEnv>();

adminPage.get(
  '/',
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [NONCE],
      styleSrc: [NONCE],
      // The admin API on this origin; the browser's own favicon request.
      connectSrc: ["'self'"],
      imgSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  }),
  function adminPage(c) {
    // Each response has its own nonce, so no cache may hand it out twice.
    c.header('Cache-Control', 'no-store');
    return c.html(page(c.get('secureHeadersNonce') ?? ''));
  },
);

/** One script in this order: helpers, the status, its history and changes, the keys, then the wiring that uses them all. */
const PARTS = { style: STYLE, script: [CORE, STATUS, HISTORY, KEYS, MAIN].join('\n') } as const;

/** page.html with its `{{nonce}}`, `{{style}}` and `{{script}}` slots filled (a function, so `$` in them stays as is). */
const page = (nonce: string) => PAGE.replace(/\{\{(nonce|style|script)\}\}/g, (_, slot: 'nonce' | keyof typeof PARTS) => (slot === 'nonce' ? nonce : PARTS[slot]));
