/**
 * @module `GET /admin`: a small status page for people. It holds no data and needs no token itself:
 * its script calls only the JSON admin API, with the token pasted once and kept in `sessionStorage`
 * (or with nothing, when Cloudflare Access adds `Cf-Access-Jwt-Assertion` on the way in).
 * Everything is inline and pinned by a per-response CSP nonce; nothing loads from elsewhere.
 */
import { Hono } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../app-env.ts';
import { SCRIPT, STYLE } from './admin-page-assets.ts';

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

const page = (nonce: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>models-edge admin</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
<h1>models-edge <span class="muted">admin</span></h1>

<form id="token-form" autocomplete="off">
  <label for="token">Admin token</label>
  <div class="row">
    <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="paste the output of: npm run -s token">
    <button type="submit">Use token</button>
    <button type="button" id="forget" class="secondary">Forget</button>
  </div>
  <p class="muted small">Kept in this tab's sessionStorage only; sent as <code>Authorization: Bearer</code> to this worker's admin API.</p>
</form>

<section aria-labelledby="cache-h">
  <div class="row spread">
    <h2 id="cache-h">Cache <span id="state" class="badge state-unknown">unknown</span></h2>
    <div class="row">
      <button type="button" id="refresh">Refresh</button>
      <button type="button" id="purge" class="danger">Purge</button>
    </div>
  </div>
  <p id="result" role="status" aria-live="polite" class="result"></p>
  <dl class="facts">
    <dt>Fetched</dt><dd id="fetched">–</dd>
    <dt>Age</dt><dd id="age">–</dd>
    <dt>Fresh until</dt><dd id="fresh-until">–</dd>
    <dt>Served until</dt><dd id="expires">–</dd>
    <dt>Models</dt><dd id="model-count">–</dd>
    <dt>Last refresh</dt><dd id="refreshed">–</dd>
    <dt>Last refresh error</dt><dd id="refresh-error">–</dd>
  </dl>
</section>

<section aria-labelledby="providers-h">
  <h2 id="providers-h">Providers</h2>
  <table id="providers">
    <thead><tr><th>Provider</th><th>Health</th><th>Models</th><th>Latency</th><th>Fetched</th><th>Last error</th></tr></thead>
    <tbody><tr><td colspan="6" class="muted">No status loaded.</td></tr></tbody>
  </table>
</section>

<section aria-labelledby="clashes-h">
  <h2 id="clashes-h">Clashes</h2>
  <ul id="clashes"><li class="muted">None.</li></ul>
</section>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
