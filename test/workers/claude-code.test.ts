/**
 * What Claude Code keys on (its gateway protocol's "Errors" and "Models"): `x-should-retry: false` on
 * every 401 of ours, `413 request_too_large`, its recorded request (test/fixtures/claude-code/) and
 * `safeguards` passed through unchanged to an Anthropic owner, and the Anthropic-shaped list's default
 * first page kept per view.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import toolResultCall from '../fixtures/claude-code/tool-2-tool-result.messages.json';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

const KEYS = { openai: 'sk-openai-cc-1', anthropic: 'sk-ant-cc-1', gemini: 'AIza-cc-1' };
const SECRETS = { OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini };
const SECRET_OF = { openai: 'OPENAI_KEY', anthropic: 'ANTHROPIC_KEY', gemini: 'GEMINI_KEY' } as const;
const VIEWS = { 'openai-only': { providers: ['openai'] }, 'anthropic-only': { providers: ['anthropic'] } };
const ANTHROPIC_MODEL = 'claude-sonnet-4-5-20250929';

beforeEach(coldCache);
afterEach(() => vi.useRealTimers());

async function setup(vars: Partial<Env> = {}) {
  const upstreams = await fakeUpstreams({ keys: KEYS });
  const providers = (['openai', 'anthropic', 'gemini'] as const).map((kind) => upstreams.entry(kind, { apiKeySecret: SECRET_OF[kind] }));
  const env = workerEnv({ ...providersVar(providers), ...SECRETS, VIEWS: JSON.stringify(VIEWS), ...vars });
  return { env, upstreams, key: (await createKey(env)).key };
}

async function createKey(env: Env, extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const body = JSON.stringify({ name: `k${Math.random().toString(36).slice(2, 8)}`, ...extra });
  const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string };
}

/** Claude Code's own headers (recorded), its key as ANTHROPIC_AUTH_TOKEN sends it. */
const claudeCodeHeaders = (key: string | undefined) => ({
  ...(key === undefined ? {} : { Authorization: `Bearer ${key}` }),
  'anthropic-version': '2023-06-01',
  'anthropic-beta': toolResultCall.headers['anthropic-beta'],
  'x-app': 'cli',
  'user-agent': toolResultCall.headers['user-agent'],
  'Content-Type': 'application/json',
});

const messagesBody = (model: string) => JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });

/** An Anthropic-shaped error, nothing else. */
async function anthropicError(response: Response, status: number, type: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ type: 'error', error: { type, message: expect.any(String) } });
}

describe('401 in the Anthropic dialect', () => {
  it('carries x-should-retry: false for a missing, unknown, revoked or expired key, on calls and on the list', async () => {
    const { env } = await setup();
    const start = Date.now();
    const revoked = await createKey(env);
    const expiring = await createKey(env, { expiresAt: new Date(start + 3_600_000).toISOString() });
    await call(env, `/admin/keys/${revoked.id}`, { method: 'DELETE', headers: bearer(await adminToken()) });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + 3_600_000);
    const unknown = `sk-me-${'A'.repeat(revoked.key.length - 6)}`;
    for (const key of [undefined, unknown, revoked.key, expiring.key]) {
      const onCall = await call(env, '/v1/messages?beta=true', { method: 'POST', headers: claudeCodeHeaders(key), body: messagesBody(ANTHROPIC_MODEL) });
      expect(onCall.headers.get('x-should-retry')).toBe('false');
      await anthropicError(onCall, 401, 'authentication_error');
      const onList = await call(env, '/v1/models?limit=1000', { headers: claudeCodeHeaders(key) });
      expect(onList.headers.get('x-should-retry')).toBe('false');
      await anthropicError(onList, 401, 'authentication_error');
    }
  });

  it('is not sent on answers that are not 401s', async () => {
    const { env, key } = await setup();
    const notFound = await call(env, '/v1/messages', { method: 'POST', headers: claudeCodeHeaders(key), body: messagesBody('no-such-model') });
    await anthropicError(notFound, 404, 'not_found_error');
    expect(notFound.headers.has('x-should-retry')).toBe(false);
  });
});

describe('413 in the Anthropic dialect', () => {
  it('answers a body over MAX_REQUEST_BYTES with 413 request_too_large, calling no upstream', async () => {
    const { env, key, upstreams } = await setup({ MAX_REQUEST_BYTES: '2048' });
    const big = JSON.stringify({ model: ANTHROPIC_MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    await anthropicError(await call(env, '/v1/messages?beta=true', { method: 'POST', headers: claudeCodeHeaders(key), body: big }), 413, 'request_too_large');
    expect(await upstreams.received()).toEqual([]);
  });
});

describe('Claude Code’s recorded request to an Anthropic owner', () => {
  it('reaches the owner byte for byte (safeguards and every other field), at ?beta=true with Claude Code’s betas', async () => {
    const { env, key, upstreams } = await setup();
    // The recorded follow-up call (role "system" message, thinking, context_management, output_config,
    // cache_control, defer_loading), for a listed model, with auto mode's `safeguards` field added.
    const recorded = { ...toolResultCall.body, model: ANTHROPIC_MODEL, safeguards: { auto_mode: { enabled: true } } };
    const body = JSON.stringify(recorded);
    const { response, done } = await send(env, '/v1/messages?beta=true', { method: 'POST', headers: claudeCodeHeaders(key), body });
    expect(response.status).toBe(200);
    await response.text();
    await done();
    const [received] = await upstreams.received();
    expect(received?.path).toBe('/anthropic/v1/messages?beta=true');
    expect(received?.body).toBe(body);
    expect(received?.headers['anthropic-beta']).toBe(toolResultCall.headers['anthropic-beta']);
    expect(received?.headers['x-api-key']).toBe(KEYS.anthropic);
  });
});

describe('the Anthropic-shaped list Claude Code reads', () => {
  type Page = { data: { id: string }[]; first_id: string | null };
  const page = async (env: Env, key: string, query = '') => {
    const response = await call(env, `/v1/models${query}`, { headers: claudeCodeHeaders(key) });
    expect(response.status).toBe(200);
    return { etag: response.headers.get('ETag'), body: (await response.json()) as Page };
  };

  it('gives each view its own first page at the default limit, one after the other', async () => {
    const { env } = await setup();
    const openaiKey = (await createKey(env, { view: 'openai-only' })).key;
    const anthropicKey = (await createKey(env, { view: 'anthropic-only' })).key;
    const openaiPage = await page(env, openaiKey);
    const anthropicPage = await page(env, anthropicKey);
    expect(openaiPage.body.data.map((m) => m.id)).toContain('gpt-4o');
    expect(anthropicPage.body.data.length).toBeGreaterThan(0);
    expect(anthropicPage.body.data.every((m) => m.id.startsWith('claude-'))).toBe(true);
    expect(anthropicPage.etag).not.toBe(openaiPage.etag);
    // Kept per view: asked again, each view gets its own page back, same bytes and ETag.
    expect(await page(env, openaiKey)).toEqual(openaiPage);
    expect(await page(env, anthropicKey)).toEqual(anthropicPage);
    // The explicit default is the same page.
    expect((await page(env, anthropicKey, '?limit=20')).body).toEqual(anthropicPage.body);
  });

  it('takes limit from 1 to 1000 and refuses anything else', async () => {
    const { env, key } = await setup();
    expect((await page(env, key, '?limit=1')).body.data).toHaveLength(1);
    expect((await page(env, key, '?limit=1000')).body.data.length).toBeGreaterThan(1);
    for (const limit of ['0', '1001', 'ten']) {
      await anthropicError(await call(env, `/v1/models?limit=${limit}`, { headers: claudeCodeHeaders(key) }), 400, 'invalid_request_error');
    }
  });
});
