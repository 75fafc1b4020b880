import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('smoke', () => {
  it('answers healthz', async () => {
    const res = await exports.default.fetch('http://x/healthz');
    expect(await res.json()).toEqual({ ok: true });
  });
  it('lists', async () => {
    const res = await exports.default.fetch('http://x/v1/models');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Cache')).toBe('MISS');
    console.log(await res.text());
  });
});
