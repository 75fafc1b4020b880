import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../../scripts/lib/admin-token.ts';
import { startDevWorker, type DevWorker } from '../../scripts/lib/dev-worker.ts';
import { KINDS, providerEntries, startUpstreams, type RunningUpstreams } from '../../fake-providers/upstreams.ts';

const SECRET = 'admin-page-test-secret-of-at-least-32-bytes';
const CLIENT_KEY_SECRET = 'admin-page-test-client-key-secret-of-32-bytes';
/** The demo set: 5 + 5 + 5 + 4 models. */
const DEMO_MODEL_COUNT = 19;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PHONE = { width: 390, height: 844 };
/** A provider nobody listens for, behind a long URL without spaces: its error is one unbreakable word. */
const UNREACHABLE = {
  id: 'unreachable',
  type: 'openai',
  baseUrl: `http://127.0.0.1:9/${'a-long-path-segment-without-any-spaces-'.repeat(6)}v1`,
  timeoutMs: 3000,
};
/** One view for the keys section's select: the anthropic models only. */
const VIEWS = { 'anthropic-only': { providers: ['anthropic'] } };
/** One alias served, one that would shadow a listed id (the status names both). */
const ALIASES = { 'claude-gpt': 'gpt-4o', 'gpt-4o-mini': 'gpt-4o' };
const TOKEN_KEY = 'models-edge.admin-token';

let upstreams: RunningUpstreams;
let worker: DevWorker;
let browser: BrowserContext;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'models-edge-admin-page-'));
  upstreams = await startUpstreams();
  const providers = [...providerEntries(upstreams.origin), UNREACHABLE];
  worker = await startDevWorker({ vars: { PROVIDERS: JSON.stringify(providers), VIEWS: JSON.stringify(VIEWS), ALIASES: JSON.stringify(ALIASES), ADMIN_JWT_SECRET: SECRET, CLIENT_KEY_SECRET } });
  browser = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  token = await signAdminToken({ secret: SECRET, sub: 'admin-page-test' });
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await upstreams?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A new tab on /admin with `adminToken` pasted, once the page has settled on the status it loaded. */
async function openWithToken(adminToken: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${worker.url}/admin`);
  await page.getByLabel('Admin token').fill(adminToken);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.locator('#result:not(.busy)').filter({ hasText: /Status loaded|\d{3}:/ }).waitFor();
  return page;
}

/** A new tab on /admin with the token already in its sessionStorage, as after a paste and a reload. */
async function openWithStoredToken(page: Page): Promise<void> {
  await page.goto(`${worker.url}/admin`);
  await page.evaluate(([key, value]) => sessionStorage.setItem(key, value), [TOKEN_KEY, token] as const);
  await page.reload();
}

const api = (method: string, path: string) => fetch(`${worker.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
const text = (page: Page, selector: string) => page.locator(selector).innerText();
const providerRow = (page: Page, id: string) => page.locator('#providers tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${id}$`) }) });
/** How far the page scrolls sideways: 0 when nothing is wider than the viewport. */
const overflowX = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Clicks `button`, answers the confirmation it opens with `answer`, and returns the question asked. */
async function confirmAfter(page: Page, button: string, answer: string): Promise<string> {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const question = await dialog.locator('p').innerText();
  await dialog.getByRole('button', { name: answer, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  return question;
}

/** Clicks Refresh with every demo upstream failing, and returns what the page said. */
async function failedRefresh(page: Page): Promise<string> {
  for (const kind of KINDS) upstreams.state.faults[kind] = 'error-500';
  try {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#result.error').waitFor();
  } finally {
    for (const kind of KINDS) delete upstreams.state.faults[kind];
  }
  return text(page, '#result');
}

describe('admin page', () => {
  it('is served without a token, self-contained, under a nonce Content-Security-Policy', async () => {
    const res = await fetch(`${worker.url}/admin`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const nonce = csp.match(/script-src 'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src 'nonce-${nonce}'`);
    expect(csp).toContain("connect-src 'self'");
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    // Nothing is loaded from anywhere: no src or href attributes at all.
    expect(html).not.toMatch(/\s(src|href)=/);
  });

  it('shows the error message from the API when the token is wrong', async () => {
    const forged = await signAdminToken({ secret: 'a-different-secret-also-32-bytes-long!!' });
    const page = await openWithToken(forged);
    expect(await text(page, '#result')).toBe('401: A valid admin token is required.');
    expect(await page.locator('#result').getAttribute('class')).toContain('error');
    await page.close();
  });

  it('refreshes on Refresh, showing progress, then the fresh cache and every provider', async () => {
    await api('POST', '/admin/cache/purge');
    const page = await openWithToken(token);
    expect(await text(page, '#state')).toBe('empty');

    upstreams.state.delayMs.openai = 1500; // long enough to see the page working
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#result.busy').filter({ hasText: 'Refreshing' }).waitFor();
    expect(await page.getByRole('button', { name: 'Purge' }).isDisabled()).toBe(true);
    await page.locator('#result.ok').filter({ hasText: `Refreshed: ${DEMO_MODEL_COUNT} models.` }).waitFor();
    delete upstreams.state.delayMs.openai;

    expect(await text(page, '#state')).toBe('fresh');
    expect(await text(page, '#model-count')).toBe(String(DEMO_MODEL_COUNT));
    expect(await text(page, '#age')).toMatch(/^\d+ s$/);
    expect(await text(page, '#fetched')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    for (const kind of KINDS) {
      const cells = await providerRow(page, kind).locator('td').allInnerTexts();
      expect(cells[1]).toBe('ok');
      expect(Number(cells[2])).toBeGreaterThan(0);
      expect(cells[3]).toMatch(/^\d+ ms$/);
      expect(cells[5]).toBe('–');
    }
    expect(await page.locator('#store-warning').isHidden()).toBe(true);
    const aliases = await page.locator('#aliases li').allInnerTexts();
    expect(aliases[0]).toBe('claude-gpt → gpt-4o');
    expect(aliases[1]).toMatch(/^gpt-4o-mini → gpt-4o: ALIASES\.gpt-4o-mini: shadows the listed id "gpt-4o-mini"/);
    expect(await page.locator('#aliases li.error').count()).toBe(1);
    await page.close();
  });

  it('marks a failing provider stale and shows its last error', async () => {
    await api('POST', '/admin/cache/refresh');
    upstreams.state.faults.ollama = 'error-500';
    const page = await openWithToken(token);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#result.ok').filter({ hasText: 'Refreshed' }).waitFor();
    delete upstreams.state.faults.ollama;

    const cells = await providerRow(page, 'ollama').locator('td').allInnerTexts();
    expect(cells[1]).toBe('stale');
    expect(cells[5]).toMatch(/^\[ollama\] GET .*500/);
    await page.close();
  });

  it('purges on Purge once confirmed, then shows the cache as empty', async () => {
    await api('POST', '/admin/cache/refresh');
    const page = await openWithToken(token);
    expect(await text(page, '#state')).toBe('fresh');

    const question = await confirmAfter(page, 'Purge', 'Yes, purge');
    expect(question).toMatch(/If the upstreams are down then, nothing is left to serve until they answer\./);
    await page.locator('#result.ok').filter({ hasText: 'Purged' }).waitFor();
    expect(await text(page, '#state')).toBe('empty');
    expect(await text(page, '#model-count')).toBe('0');
    expect(await text(page, '#providers tbody')).toMatch(/No provider status/);
    const status = (await (await api('GET', '/admin/cache/status')).json()) as { state: string };
    expect(status.state).toBe('empty');
    await page.close();
  });

  it('asks before purging, and Cancel deletes nothing', async () => {
    await api('POST', '/admin/cache/refresh');
    const page = await openWithToken(token);
    await confirmAfter(page, 'Purge', 'Cancel');
    expect(await text(page, '#result')).toBe('Purge cancelled: nothing was deleted.');
    const status = (await (await api('GET', '/admin/cache/status')).json()) as { state: string };
    expect(status.state).toBe('fresh');
    expect(await text(page, '#state')).toBe('fresh');
    await page.close();
  });

  it('after a failed refresh with nothing cached, says nothing was cached, not that a list was kept', async () => {
    await api('POST', '/admin/cache/purge');
    const page = await openWithToken(token);
    const said = await failedRefresh(page);
    expect(said).toMatch(/^Refresh failed: no provider returned a model list\. Nothing was cached, so nothing is served until a provider answers\./);
    expect(said).not.toMatch(/kept/);
    expect(await text(page, '#state')).toBe('empty');
    expect(await providerRow(page, 'openai').locator('td').nth(5).innerText()).toMatch(/^\[openai\] GET .*500/);
    await page.close();
  });

  it('after a failed refresh with a list cached, says that list is still served', async () => {
    await api('POST', '/admin/cache/refresh');
    const page = await openWithToken(token);
    const said = await failedRefresh(page);
    expect(said).toContain(`The cached list (${DEMO_MODEL_COUNT} models) was kept and is still served.`);
    await page.close();
  });

  it('shows a neutral loading state, not data, until the status has loaded', async () => {
    const page = await browser.newPage();
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/admin/cache/status', async (route) => {
      await held;
      await route.continue();
    });
    await openWithStoredToken(page);
    await page.locator('#result.busy').waitFor();
    expect(await text(page, '#state')).toBe('loading');
    expect(await text(page, '#providers tbody')).toBe('Loading…');
    expect(await text(page, '#clashes')).toBe('Loading…');
    expect(await page.locator('#store-warning').isHidden()).toBe(true);
    release();
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    expect(await text(page, '#clashes')).not.toBe('Loading…');
    await page.close();
  });

  it('without a token says what to do and shows nothing that reads as data', async () => {
    const page = await browser.newPage();
    await page.goto(`${worker.url}/admin`);
    await page.locator('#result.hint').waitFor();
    expect(await text(page, '#result')).toMatch(/^Paste an admin token above/);
    expect(await text(page, '#state')).toBe('not loaded');
    expect(await text(page, '#providers tbody')).toBe('Not loaded.');
    expect(await text(page, '#clashes')).toBe('Not loaded.');
    await page.locator('#keys tbody').filter({ hasText: 'Not loaded.' }).waitFor();
    await page.close();
  });

  it('warns while the status says Workers KV is failing, and says nothing when it is not', async () => {
    const page = await browser.newPage();
    let store: unknown = { ok: false, error: 'KV GET failed: 503 Service Unavailable', since: '2026-06-12T17:52:00.000Z' };
    await page.route('**/admin/cache/status', async (route) => {
      const response = await route.fetch();
      const status = (await response.json()) as Record<string, unknown>;
      const failing = (store as { ok: boolean }).ok === false;
      // While KV fails and the isolate holds no list, the state is `unavailable` (docs/admin.md, "Admin routes").
      await route.fulfill({ response, json: { ...status, store, ...(failing ? { state: 'unavailable' } : {}) } });
    });
    await openWithStoredToken(page);
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    const warning = page.getByRole('alert');
    expect(await warning.isVisible()).toBe(true);
    expect(await warning.innerText()).toBe(
      'Workers KV is failing since 2026-06-12 17:52:00 UTC: KV GET failed: 503 Service Unavailable; serving from memory / the edge copy / the upstreams.',
    );
    expect(await text(page, '#state')).toBe('unavailable');

    store = { ok: true, error: null, since: null };
    await page.reload();
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    expect(await page.locator('#store-warning').isHidden()).toBe(true);
    await page.close();
  });

  it('warns while the status says the coordinator is not answering, and says nothing when it answers', async () => {
    const page = await browser.newPage();
    let coordinator: unknown = { ok: false, error: 'Durable Object is overloaded.' };
    await page.route('**/admin/cache/status', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...((await response.json()) as Record<string, unknown>), coordinator } });
    });
    await openWithStoredToken(page);
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    const warning = page.getByRole('alert');
    expect(await warning.innerText()).toBe(
      'The coordinator is not answering: Durable Object is overloaded. — each isolate refreshes on its own, and key changes are refused until it is back.',
    );

    coordinator = { ok: true, error: null, generation: 0, refreshing: false, failure: null, keyMirrorError: null };
    await page.reload();
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    expect(await page.locator('#coordinator-warning').isHidden()).toBe(true);
    await page.close();
  });

  it('says so while the configuration is broken, and says nothing when it is not', async () => {
    const page = await browser.newPage();
    let configError: unknown = { field: 'PROVIDERS[0].baseURL', message: 'PROVIDERS[0].baseURL: unknown field; did you mean baseUrl?' };
    await page.route('**/admin/cache/status', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...((await response.json()) as Record<string, unknown>), configError } });
    });
    await openWithStoredToken(page);
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    expect(await page.locator('#config-warning').innerText()).toBe(
      'Configuration error: PROVIDERS[0].baseURL: unknown field; did you mean baseUrl? — the stored list is still served as it is, unrefreshed, until this is fixed.',
    );
    configError = null;
    await page.reload();
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    expect(await page.locator('#config-warning').isHidden()).toBe(true);
    await page.close();
  });

  describe('history and changes', () => {
    const HOUR = 3600_000;
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString();
    /** A day of refreshes as the status reports them: openai ok but for one failure, anthropic's slow, one older than a day. */
    const history = [
      {
        provider: 'openai',
        refreshes: [
          { at: at(30), ok: true, latencyMs: 100, modelCount: 5 },
          { at: at(20), ok: true, latencyMs: 120, modelCount: 5 },
          { at: at(12), ok: false, latencyMs: 5000, modelCount: 5 },
          { at: at(6), ok: true, latencyMs: 2400, modelCount: 6 },
          { at: at(1), ok: true, latencyMs: 90, modelCount: 7 },
        ],
      },
      { provider: 'anthropic', refreshes: [{ at: at(3), ok: true, latencyMs: 800, modelCount: 5 }] },
    ];
    const recentChanges = [
      { id: 'chg_3', type: 'changed', model: 'gpt-4o', provider: 'openai', fields: { context_length: { from: 128000, to: 200000 } }, at: at(1), version: 'v3' },
      { id: 'chg_2', type: 'added', model: '<b>gpt-5</b>', provider: 'openai', at: at(6), version: 'v2' },
      { id: 'chg_1', type: 'removed', model: 'o1-preview', provider: 'openai', at: at(6), version: 'v2' },
    ];

    const webhooks = [
      { origin: 'https://hooks.example', view: null, state: 'retrying', pending: 2, lastDeliveredAt: null, lastStatus: 500, lastError: 'POST https://hooks.example: 500', givenUp: 0 },
      { origin: 'https://team-a.example', view: 'anthropic-only', state: 'off', pending: 0, lastDeliveredAt: '2026-12-01T10:00:00.000Z', lastStatus: 410, lastError: 'POST https://team-a.example: 410', givenUp: 1 },
    ];

    async function pageWithHistory(viewport?: { width: number; height: number }): Promise<{ page: Page; violations: string[] }> {
      const page = await browser.newPage();
      if (viewport) await page.setViewportSize(viewport);
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
      });
      await page.route('**/admin/cache/status', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: { ...((await response.json()) as Record<string, unknown>), history, recentChanges, webhooks } });
      });
      await openWithStoredToken(page);
      await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
      return { page, violations };
    }

    it('draws each provider’s last 24 h of refreshes as an inline SVG: a bar per refresh by latency and health, the model count as a line', async () => {
      const { page, violations } = await pageWithHistory();
      const openai = page.locator('svg.chart[data-provider="openai"]');
      // The refresh 30 h ago is outside the window.
      expect(await openai.locator('rect.refresh').count()).toBe(4);
      expect(await openai.locator('rect.refresh.failed').count()).toBe(1);
      const heights = await openai.locator('rect.refresh').evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('height'))));
      // Oldest first: 120 ms, the failure at 5000 ms (the tallest), 2400 ms, 90 ms (the short ones at the 2-unit minimum).
      expect(heights.indexOf(Math.max(...heights))).toBe(1);
      expect(heights[2]).toBeGreaterThan(heights[0] ?? 0);
      expect(heights[3]).toBeLessThanOrEqual(heights[0] ?? 0);
      const xs = await openai.locator('rect.refresh').evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('x'))));
      expect(xs).toStrictEqual([...xs].sort((a, b) => a - b));
      expect(await openai.locator('polyline.models').count()).toBe(1);
      expect(await openai.locator('rect.refresh.failed title').textContent()).toMatch(/: failed, 5000 ms, 5 models$/);
      // Drawn, with colours from the stylesheet: a failed bar is not an ok one's colour.
      const fill = (selector: string) => openai.locator(selector).first().evaluate((el) => getComputedStyle(el).fill);
      expect(await fill('rect.refresh.failed')).not.toBe(await fill('rect.refresh.ok'));
      expect((await openai.boundingBox())?.width).toBeGreaterThan(300);
      // Its accessible name says what it shows.
      expect(await page.getByRole('img', { name: /^openai: 4 refreshes in the last 24 h, 3 ok, 1 failed; latency 90–5000 ms; 7 models at the last refresh\.$/ }).count()).toBe(1);
      expect(await page.locator('svg.chart[data-provider="anthropic"] rect.refresh').count()).toBe(1);
      expect(violations).toStrictEqual([]);
      await page.close();
    });

    it('draws the history the coordinator recorded for the worker’s own refreshes, and its changes', async () => {
      await api('POST', '/admin/cache/refresh');
      upstreams.state.models.openai = 6;
      try {
        await api('POST', '/admin/cache/refresh');
      } finally {
        delete upstreams.state.models.openai;
      }
      const page = await browser.newPage();
      await openWithStoredToken(page);
      await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
      for (const kind of KINDS) expect(await page.locator(`svg.chart[data-provider="${kind}"] rect.refresh.ok`).count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('svg.chart[data-provider="unreachable"] rect.refresh.failed').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('#changes li').first().innerText()).toMatch(/^added ft:gpt-4o-mini:acme:model-00005 \(openai\)/);
      await page.close();
    });

    it('has no accessibility violations that axe-core finds, with the chart, the changes, the hooks and the keys shown', async () => {
      const { page } = await pageWithHistory();
      await page.locator('svg.chart').first().waitFor();
      // axe-core's own source, run through the DevTools protocol: the page's CSP admits no script of ours.
      const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
      await page.evaluate(axeSource);
      const audit = () =>
        page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[]; passes: unknown[] }> } }).axe;
          const { violations, passes } = await axe.run();
          return { violations: violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`), passes: passes.length };
        });
      // In the light scheme and the dark one (the page follows the system's).
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const results = await audit();
        expect(results.violations, colorScheme).toStrictEqual([]);
        // It looked: a run that checked nothing would pass as well.
        expect(results.passes).toBeGreaterThan(10);
      }
      await page.close();
    });

    it('lists the recent changes, newest first, as text', async () => {
      const { page } = await pageWithHistory();
      const items = await page.locator('#changes li').allInnerTexts();
      expect(items.map((item) => item.replace(/\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/, ''))).toStrictEqual([
        'changed gpt-4o (openai): context_length 128000 → 200000',
        'added <b>gpt-5</b> (openai)',
        'removed o1-preview (openai)',
      ]);
      expect(await page.locator('#changes b').count()).toBe(0);
      expect(await page.locator('#webhooks li').allInnerTexts()).toStrictEqual([
        'retrying https://hooks.example: last delivered –, 2 pending — POST https://hooks.example: 500',
        'off https://team-a.example (view anthropic-only): last delivered 2026-12-01 10:00:00 UTC, 1 given up — POST https://team-a.example: 410',
      ]);
      await page.close();
    });

    it('shows each key’s usage over 24 h and 30 days and when it was last used', async () => {
      await api('POST', '/admin/cache/refresh');
      const created = await fetch(`${worker.url}/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'usage-shown' }) });
      const { id } = (await created.json()) as { id: string };
      const usage = {
        '24h': { requests: 1234, errors: 1, inputTokens: 56789, outputTokens: 4321 },
        '30d': { requests: 20000, errors: 12, inputTokens: 1_000_000, outputTokens: 80_000 },
      };
      const page = await browser.newPage();
      await page.route('**/admin/keys', async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as { data?: Record<string, unknown>[] };
        if (!Array.isArray(body.data)) return route.fulfill({ response });
        const data = body.data.map((key) => (key.id === id ? { ...key, usage, lastUsedAt: '2026-12-02T03:04:05.000Z' } : key));
        await route.fulfill({ response, json: { ...body, data } });
      });
      await openWithStoredToken(page);
      const row = page.locator('#keys tbody tr', { has: page.locator('td', { hasText: /^usage-shown$/ }) });
      await row.waitFor();
      const cells = await row.locator('td').allInnerTexts();
      expect(cells[5]).toBe('24 h: 1,234 calls (1 error), 56,789 → 4,321 tokens\n30 d: 20,000 calls (12 errors), 1,000,000 → 80,000 tokens');
      expect(cells[6]).toBe('2026-12-02 03:04:05 UTC');
      await page.close();
      await api('DELETE', `/admin/keys/${id}`);
    });

    it('says so when there is no history or change yet, and fits a phone', async () => {
      const { page } = await pageWithHistory(PHONE);
      expect(await overflowX(page)).toBe(0);
      await page.unroute('**/admin/cache/status');
      await page.route('**/admin/cache/status', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: { ...((await response.json()) as Record<string, unknown>), history: [], recentChanges: [] } });
      });
      await page.reload();
      await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
      expect(await text(page, '#history')).toBe('No refreshes recorded in the last 24 h.');
      expect(await text(page, '#changes')).toBe('No change recorded in the last 30 days.');
      expect(await text(page, '#webhooks')).toBe('None configured (WEBHOOKS).');
      await page.close();
    });
  });

  it('fits a phone screen without sideways scrolling, even with a long error without spaces', async () => {
    await api('POST', '/admin/cache/refresh');
    const page = await browser.newPage();
    await page.setViewportSize(PHONE);
    await openWithStoredToken(page);
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    const error = await providerRow(page, 'unreachable').locator('td.error').innerText();
    expect(error.replace(/\s/g, '')).toContain(UNREACHABLE.baseUrl);
    expect(await overflowX(page)).toBe(0);

    // The same with the confirmation open, and with a long error in the result line.
    await page.getByRole('button', { name: 'Purge', exact: true }).click();
    await page.getByRole('dialog').waitFor();
    expect(await overflowX(page)).toBe(0);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.route('**/admin/cache/refresh', (route) =>
      route.fulfill({ status: 500, json: { error: { message: `Upstream said: ${'x'.repeat(400)}`, type: 'server_error', code: 'internal_error' } } }),
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#result.error').waitFor();
    expect(await overflowX(page)).toBe(0);

    const shot = join(dir, 'admin-phone.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(0);
    await page.close();
  });

  // Against the real client-key admin API (/admin/keys, docs/behaviour.md) under wrangler dev, not a mock.
  describe('client keys', () => {
    const NAME = 'page-test-key';
    const keyRow = (page: Page, name: string) => page.locator('#keys tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${name}$`) }) });
    const listed = async () => ((await (await api('GET', '/admin/keys')).json()) as { data: { id: string; name: string; view: string | null; expiresAt: string | null; createdBy: string }[] }).data;
    const modelsWith = (key: string) => fetch(`${worker.url}/v1/models`, { headers: { Authorization: `Bearer ${key}` } });

    it('creates a key with a view and an expiry, shows it once with Copy, lists it, and revokes it once confirmed', async () => {
      await api('POST', '/admin/cache/refresh');
      await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: worker.url });
      const page = await openWithToken(token);
      await page.locator('#keys-result:not(.busy)').waitFor();

      // Create: the view comes from the status's `views`, the expiry from a local date and time.
      await page.getByLabel('Name', { exact: true }).fill(NAME);
      await page.getByLabel('View', { exact: true }).selectOption('anthropic-only');
      await page.getByLabel(/^Expires/).fill('2030-01-02T03:04');
      const expiresAt = await page.evaluate(() => new Date('2030-01-02T03:04').toISOString());
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.locator('#keys-result.ok').filter({ hasText: `Created key ${NAME}.` }).waitFor();

      // Shown once, read-only, with the warning; Copy puts it on the clipboard.
      const field = page.getByLabel(`New key for ${NAME}`);
      const key = await field.inputValue();
      expect(key).toMatch(/^sk-me-/);
      expect(await field.getAttribute('readonly')).not.toBeNull();
      expect(await text(page, '#new-key')).toContain('it will not be shown again');
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.locator('#copy-result').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
      // Where the browser refuses the clipboard, the key is left selected to copy by hand.
      await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); });
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.locator('#copy-result').filter({ hasText: 'the key is selected' }).waitFor();
      expect(await field.evaluate((el: HTMLInputElement) => el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0))).toBe(key);

      // The key works, and sees its view only.
      const models = (await (await modelsWith(key)).json()) as { data: { provider: string }[] };
      expect(new Set(models.data.map((m) => m.provider))).toEqual(new Set(['anthropic']));

      // Listed with its view, creator and expiry; never the key itself.
      const cells = await keyRow(page, NAME).locator('td').allInnerTexts();
      expect(cells.slice(0, 5)).toEqual([NAME, 'anthropic-only', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/), 'admin-page-test', expiresAt.replace('T', ' ').replace('.000Z', ' UTC')]);
      const created = (await listed()).find((k) => k.name === NAME);
      expect(created).toMatchObject({ view: 'anthropic-only', expiresAt, createdBy: 'admin-page-test' });
      await page.getByRole('button', { name: 'Done' }).click();
      expect(await page.locator('#new-key').isHidden()).toBe(true);
      expect(await page.content()).not.toContain(key);

      // A name in use: the API's error, and no second key.
      await page.getByLabel('Name', { exact: true }).fill(NAME);
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.locator('#keys-result.error').filter({ hasText: /^409: / }).waitFor();
      expect(await page.locator('#new-key').isHidden()).toBe(true);

      // Revoke: asked first; then gone from the list, and the key is refused.
      const question = await confirmAfter(page, `Revoke ${NAME}`, 'Yes, revoke');
      expect(question).toContain(`Revoke the key "${NAME}"?`);
      await page.locator('#keys-result.ok').filter({ hasText: `Revoked key ${NAME}.` }).waitFor();
      expect(await keyRow(page, NAME).count()).toBe(0);
      expect((await listed()).some((k) => k.name === NAME)).toBe(false);
      expect((await modelsWith(key)).status).toBe(401);
      await page.close();
    });

    it('offers a free text view where the status names no views', async () => {
      const page = await browser.newPage();
      await page.route('**/admin/cache/status', async (route) => {
        const response = await route.fetch();
        const { views: _views, ...status } = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: status });
      });
      await openWithStoredToken(page);
      await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
      expect(await page.getByLabel('View', { exact: true }).evaluate((el) => el.tagName)).toBe('INPUT');
      await page.close();
    });

    it('creates and revokes a key on a phone without sideways scrolling', async () => {
      const page = await browser.newPage();
      await page.setViewportSize(PHONE);
      await openWithStoredToken(page);
      await page.locator('#keys-result:not(.busy)').waitFor();
      await page.getByLabel('Name', { exact: true }).fill('a-phone-key');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.locator('#keys-result.ok').waitFor();
      expect(await overflowX(page)).toBe(0);
      await confirmAfter(page, 'Revoke a-phone-key', 'Yes, revoke');
      await page.locator('#keys-result.ok').filter({ hasText: 'Revoked key a-phone-key.' }).waitFor();
      await page.close();
    });
  });

  it('keeps the token for the tab: a reload shows the status without pasting again', async () => {
    const page = await openWithToken(token);
    await page.reload();
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    expect(await page.getByLabel('Admin token').inputValue()).toBe('');
    await page.close();
  });
});
