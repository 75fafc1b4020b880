import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../../scripts/lib/admin-token.ts';
import { startDevWorker, type DevWorker } from '../../scripts/lib/dev-worker.ts';
import { KINDS, providerEntries, startUpstreams, type RunningUpstreams } from '../../scripts/lib/upstreams.ts';

const SECRET = 'admin-page-test-secret-of-at-least-32-bytes';
/** The demo set: 5 + 5 + 5 + 4 models. */
const DEMO_MODEL_COUNT = 19;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PHONE = { width: 390, height: 844 };

let upstreams: RunningUpstreams;
let worker: DevWorker;
let browser: BrowserContext;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'models-edge-admin-page-'));
  upstreams = await startUpstreams();
  worker = await startDevWorker({ vars: { PROVIDERS: JSON.stringify(providerEntries(upstreams.origin)), ADMIN_JWT_SECRET: SECRET } });
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

const api = (method: string, path: string) => fetch(`${worker.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
const text = (page: Page, selector: string) => page.locator(selector).innerText();
const providerRow = (page: Page, id: string) => page.locator('#providers tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${id}$`) }) });

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

  it('purges on Purge and then shows the cache as empty', async () => {
    await api('POST', '/admin/cache/refresh');
    const page = await openWithToken(token);
    expect(await text(page, '#state')).toBe('fresh');

    await page.getByRole('button', { name: 'Purge' }).click();
    await page.locator('#result.ok').filter({ hasText: 'Purged' }).waitFor();
    expect(await text(page, '#state')).toBe('empty');
    expect(await text(page, '#model-count')).toBe('0');
    expect(await text(page, '#providers tbody')).toMatch(/No provider status/);
    const status = (await (await api('GET', '/admin/cache/status')).json()) as { state: string };
    expect(status.state).toBe('empty');
    await page.close();
  });

  it('keeps the token for the tab: a reload shows the status without pasting again', async () => {
    const page = await openWithToken(token);
    await page.reload();
    await page.locator('#result.ok').filter({ hasText: 'Status loaded.' }).waitFor();
    expect(await page.getByLabel('Admin token').inputValue()).toBe('');
    await page.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await api('POST', '/admin/cache/refresh');
    const page = await openWithToken(token);
    await page.setViewportSize(PHONE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    const shot = join(dir, 'admin-phone.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(0);
    await page.close();
  });
});
