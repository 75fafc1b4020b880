import { describe, expect, it } from 'vitest';
import { call, workerEnv } from './support/worker.ts';

describe('GET /admin (the page files bundled as text modules)', () => {
  it('inlines page.html, admin.css and the five script parts under one per-response nonce', async () => {
    const res = await call(workerEnv(), '/admin');
    const html = await res.text();
    const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers.get('Content-Security-Policy') ?? '')?.[1];
    expect(res.status).toBe(200);
    expect(nonce).toBeDefined();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<style nonce="${nonce}">/* The admin page`);
    expect(html).toContain(`<script nonce="${nonce}">/* The admin page's browser script, part 1 of 5`);
    for (const part of [2, 3, 4, 5]) expect(html).toContain(`part ${part} of 5`);
    expect(html).not.toContain('{{');
  });
});
