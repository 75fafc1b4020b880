/**
 * The native dialects through one base URL: each dialect's key places and error shape, the key's view
 * on each dialect's list and calls, the owner checks, what reaches the upstream (and what never does),
 * and the OpenAI list unchanged by the others.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, requestsTo } from './support/upstreams.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

const KEYS = { openai: 'sk-openai-dialect-1', anthropic: 'sk-ant-dialect-1', gemini: 'AIza-dialect-1', ollama: 'ollama-dialect-1' };
const SECRETS = { OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini, OLLAMA_KEY: KEYS.ollama };
const SECRET_OF = { openai: 'OPENAI_KEY', anthropic: 'ANTHROPIC_KEY', gemini: 'GEMINI_KEY', ollama: 'OLLAMA_KEY' } as const;
const VIEWS = { 'openai-only': { providers: ['openai'] }, 'no-opus': { exclude: ['*opus*', '*-pro'] }, eng: { providers: ['openai'] }, 'eng-gemini': {} };
const STACK_TRACE = /\n\s+at |\bat .*:\d+:\d+|\.ts:\d+/;

const ANTHROPIC_MODEL = 'claude-sonnet-4-5-20250929';
const GEMINI_MODEL = 'gemini-2.5-flash';

beforeEach(coldCache);
afterEach(() => vi.restoreAllMocks());

async function setup(vars: Partial<Env> = {}, extra: (kind: keyof typeof KEYS, baseUrl: string) => Record<string, unknown> = () => ({})) {
  const upstreams = await fakeUpstreams({ keys: KEYS });
  const providers = (['openai', 'anthropic', 'gemini', 'ollama'] as const).map((kind) =>
    upstreams.entry(kind, { apiKeySecret: SECRET_OF[kind], ...(kind === 'ollama' ? { prefix: 'ollama/' } : {}), ...extra(kind, String(upstreams.entry(kind).baseUrl)) }),
  );
  const env = workerEnv({ ...providersVar(providers), ...SECRETS, VIEWS: JSON.stringify(VIEWS), ...vars });
  return { env, upstreams, key: await clientKey(env), viewKey: await clientKey(env, { view: 'openai-only' }) };
}

async function clientKey(env: Env, body: Record<string, unknown> = {}): Promise<string> {
  const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: `k${Math.random().toString(36).slice(2, 8)}`, ...body }) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

/** A call read whole, its background work settled. */
async function request(env: Env, path: string, init: RequestInit): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const { response, done } = await send(env, path, init);
  const text = await response.text();
  await done();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

const anthropicHeaders = (key: string, extra: Record<string, string> = {}) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json', ...extra });
const geminiHeaders = (key: string) => ({ 'x-goog-api-key': key, 'Content-Type': 'application/json' });
const messagesBody = (model: string) => JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
const geminiBody = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });

/** Anthropic's error shape, nothing else, and no stack trace; returns the error. */
function anthropicError(answer: { status: number; text: string }, status: number, type: string): { type: string; message: string } {
  expect(answer.status).toBe(status);
  expect(answer.text).not.toMatch(STACK_TRACE);
  const body = JSON.parse(answer.text) as { type: string; error: { type: string; message: string } };
  expect(body).toEqual({ type: 'error', error: { type, message: expect.any(String) } });
  return body.error;
}

/** Google's error shape, nothing else, and no stack trace; returns the error. */
function geminiError(answer: { status: number; text: string }, status: number, code: string): { message: string } {
  expect(answer.status).toBe(status);
  expect(answer.text).not.toMatch(STACK_TRACE);
  const body = JSON.parse(answer.text) as { error: { code: number; message: string; status: string } };
  expect(body).toEqual({ error: { code: status, message: expect.any(String), status: code } });
  return body.error;
}

describe('Anthropic dialect: own errors in Anthropic’s shape', () => {
  it('asks for a key, refuses a bad one and two different ones, with authentication_error', async () => {
    const { env, key } = await setup();
    const path = '/v1/messages';
    const missing = anthropicError(await request(env, path, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body: messagesBody(ANTHROPIC_MODEL) }), 401, 'authentication_error');
    expect(missing.message).toMatch(/x-api-key/);
    anthropicError(await request(env, path, { method: 'POST', headers: anthropicHeaders(`${key.slice(0, -4)}AAAA`), body: messagesBody(ANTHROPIC_MODEL) }), 401, 'authentication_error');
    const two = anthropicError(await request(env, path, { method: 'POST', headers: anthropicHeaders(key, { Authorization: 'Bearer sk-me-other' }), body: messagesBody(ANTHROPIC_MODEL) }), 401, 'authentication_error');
    expect(two.message).toMatch(/two different keys/);
  });

  it('takes the key as Authorization: Bearer too (ANTHROPIC_AUTH_TOKEN), or as both headers when they agree', async () => {
    const { env, key } = await setup();
    for (const headers of [{ Authorization: `Bearer ${key}` }, { Authorization: `Bearer ${key}`, 'x-api-key': key }] as Record<string, string>[]) {
      const answer = await request(env, '/v1/messages', { method: 'POST', headers: { 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json', ...headers }, body: messagesBody('nope') });
      // Past the key check: the model is what is wrong.
      anthropicError(answer, 404, 'not_found_error');
    }
  });

  it('answers an unknown model, a bad body, a body over the cap and a wrong method in its own types', async () => {
    const { env, key } = await setup({ MAX_REQUEST_BYTES: '1024' });
    const unknown = anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody('claude-nope') }), 404, 'not_found_error');
    expect(unknown.message).toContain('claude-nope');
    anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: '{"max_tokens":1' }), 400, 'invalid_request_error');
    anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: JSON.stringify({ messages: [] }) }), 400, 'invalid_request_error');
    const big = JSON.stringify({ model: ANTHROPIC_MODEL, messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
    anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: big }), 413, 'request_too_large');
    const wrongMethod = await request(env, '/v1/messages', { method: 'GET', headers: anthropicHeaders(key) });
    anthropicError(wrongMethod, 405, 'invalid_request_error');
    expect(wrongMethod.headers.get('Allow')).toContain('POST');
  });

  it('answers the per-key rate limit as rate_limit_error with Retry-After', async () => {
    const { env, key } = await setup();
    const limited = { ...env, CLIENT_RATE_LIMITER: (env as unknown as { TEST_RATE_LIMITER: RateLimit }).TEST_RATE_LIMITER };
    let last = await request(limited, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody('nope') });
    for (let i = 0; i < 3 && last.status !== 429; i++) last = await request(limited, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody('nope') });
    anthropicError(last, 429, 'rate_limit_error');
    expect(Number(last.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('answers a listed-only owner with permission_error, calling no upstream', async () => {
    const { env, key, upstreams } = await setup({}, (kind) => (kind === 'anthropic' ? { inference: false } : {}));
    anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody(ANTHROPIC_MODEL) }), 403, 'permission_error');
    expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST')).toEqual([]);
  });
});

describe('failures on the way to an owner, in each dialect’s shape', () => {
  const redirecting = (type: string, id: string) => ({ id, type, baseUrl: `http://${id}.redirect.test/v1`, models: [`${id}-model`] });

  it('answers an owner that redirects (never followed) 502: api_error for Anthropic, UNAVAILABLE for Gemini, naming the provider, never a key', async () => {
    const env = workerEnv({ ...providersVar([redirecting('anthropic', 'claude-moved'), redirecting('openai', 'oai-moved'), redirecting('gemini', 'gem-moved')]) });
    const key = await clientKey(env);
    for (const model of ['claude-moved-model', 'oai-moved-model']) {
      const error = anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody(model) }), 502, 'api_error');
      expect(error.message).toMatch(/redirected to/);
      expect(error.message).not.toContain(key);
    }
    const gemini = geminiError(await request(env, '/v1beta/models/gem-moved-model:generateContent', { method: 'POST', headers: geminiHeaders(key), body: geminiBody }), 502, 'UNAVAILABLE');
    expect(gemini.message).toMatch(/\[gem-moved\].*redirected to/);
  });

  it('answers a broken configuration 500 in each dialect’s shape, naming no field to a client', async () => {
    const { env: good, key } = await setup();
    // The same KV and key secret, a configuration that no longer parses (a fresh env object is parsed anew).
    const env = { ...good, PROVIDERS: '[{"id":"x","type":"nope"}]' };
    anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody('m') }), 500, 'api_error');
    const gemini = geminiError(await request(env, '/v1beta/models/m:generateContent', { method: 'POST', headers: geminiHeaders(key), body: geminiBody }), 500, 'UNAVAILABLE');
    expect(gemini.message).not.toMatch(/PROVIDERS/);
  });

  it('answers Gemini’s rate limit RESOURCE_EXHAUSTED with Retry-After, and a wrong method with Allow', async () => {
    const { env, key } = await setup();
    const limited = { ...env, CLIENT_RATE_LIMITER: (env as unknown as { TEST_RATE_LIMITER: RateLimit }).TEST_RATE_LIMITER };
    let last = await request(limited, '/v1beta/models/nope:generateContent', { method: 'POST', headers: geminiHeaders(key), body: geminiBody });
    for (let i = 0; i < 3 && last.status !== 429; i++) last = await request(limited, '/v1beta/models/nope:generateContent', { method: 'POST', headers: geminiHeaders(key), body: geminiBody });
    geminiError(last, 429, 'RESOURCE_EXHAUSTED');
    expect(Number(last.headers.get('Retry-After'))).toBeGreaterThan(0);
    const wrong = await request(env, '/v1beta/models', { method: 'DELETE', headers: geminiHeaders(key) });
    geminiError(wrong, 405, 'INVALID_ARGUMENT');
    expect(wrong.headers.get('Allow')).toContain('GET');
  });

  it('logs one line per native call with key name, model, dialect and route — never the prompt, the answer or a key', async () => {
    const { env, key } = await setup();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const answer = await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key), body: JSON.stringify({ model: ANTHROPIC_MODEL, max_tokens: 9, messages: [{ role: 'user', content: 'a secret prompt' }] }) });
    await request(env, `/v1beta/models/${GEMINI_MODEL}:generateContent?key=${key}`, { method: 'POST', body: geminiBody });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = log.mock.calls.map((args) => String(args[0]));
    const calls = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'inference');
    expect(calls).toEqual([
      expect.objectContaining({ model: ANTHROPIC_MODEL, provider: 'anthropic', dialect: 'anthropic', path: '/messages', status: 200 }),
      expect.objectContaining({ model: GEMINI_MODEL, provider: 'gemini', dialect: 'gemini', path: ':generateContent', status: 200 }),
    ]);
    const all = lines.join('\n');
    expect(answer.text).toContain('Hello from the anthropic demo');
    for (const secret of ['a secret prompt', 'Hello from the', key, KEYS.anthropic, KEYS.gemini]) expect(all).not.toContain(secret);
  });
});

describe('Anthropic dialect: native forwarding', () => {
  it('sends /v1/messages?beta=true to {baseUrl}/messages?beta=true with model = upstream_id, the provider key, the client’s version and betas, never the client key', async () => {
    const { env, key, upstreams } = await setup({}, (kind) => (kind === 'anthropic' ? { prefix: 'claude/' } : {}));
    const body = `{"model":"claude/${ANTHROPIC_MODEL}","max_tokens":64,"messages":[{"role":"user","content":"Hi"}],"x_extra":{"model":"inner"}}`;
    const betas = 'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14';
    await request(env, `/v1/messages?beta=true&key=${key}&debug=1`, { method: 'POST', headers: anthropicHeaders(key, { 'anthropic-version': '2099-01-01', 'anthropic-beta': betas, Cookie: 'session=1' }), body });
    const sent = (await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST');
    expect(sent.map((r) => r.path)).toEqual(['/anthropic/v1/messages']);
    const headers = sent[0]?.headers ?? {};
    expect(headers['x-api-key']).toBe(KEYS.anthropic);
    expect(headers['anthropic-version']).toBe('2099-01-01');
    expect(headers['anthropic-beta']).toBe(betas);
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain(key);
    const received = (await upstreams.received()).at(-1);
    // Of the query only beta=true goes on: no key, nothing the owner was not meant to see.
    expect(received?.path).toBe('/anthropic/v1/messages?beta=true');
    expect(received?.body).toBe(`{"model":${JSON.stringify(ANTHROPIC_MODEL)},"max_tokens":64,"messages":[{"role":"user","content":"Hi"}],"x_extra":{"model":"inner"}}`);
  });

  it('never lets a client’s query overwrite a parameter the configured baseUrl carries', async () => {
    const { env, key, upstreams } = await setup({}, (kind, baseUrl) => (kind === 'anthropic' || kind === 'gemini' ? { baseUrl: `${baseUrl}?beta=pinned&alt=pinned` } : {}));
    await request(env, '/v1/messages?beta=true', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody(ANTHROPIC_MODEL) });
    await request(env, `/v1beta/models/${GEMINI_MODEL}:streamGenerateContent?alt=sse`, { method: 'POST', headers: geminiHeaders(key), body: geminiBody });
    const paths = (await upstreams.received()).map((r) => r.path);
    expect(paths).toEqual(['/anthropic/v1/messages?beta=pinned&alt=pinned', `/gemini/v1beta/models/${GEMINI_MODEL}:streamGenerateContent?beta=pinned&alt=pinned`]);
  });

  it('lets a header the admin configured on the entry win over the client’s of the same name', async () => {
    const { env, key, upstreams } = await setup({}, (kind) => (kind === 'anthropic' ? { headers: { 'anthropic-beta': 'admin-pinned-beta' } } : {}));
    await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(key, { 'anthropic-beta': 'client-beta' }), body: messagesBody(ANTHROPIC_MODEL) });
    const sent = (await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST');
    expect(sent.at(-1)?.headers['anthropic-beta']).toBe('admin-pinned-beta');
    expect(sent.at(-1)?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('sends anthropic-version 2023-06-01 when the client names none', async () => {
    const { env, key, upstreams } = await setup();
    await request(env, '/v1/messages', { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: messagesBody(ANTHROPIC_MODEL) });
    const sent = (await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST');
    expect(sent.at(-1)?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.at(-1)?.headers['x-api-key']).toBe(KEYS.anthropic);
  });

  it('sends count_tokens natively, and /messages without /v1 as well', async () => {
    const { env, key, upstreams } = await setup();
    await request(env, '/v1/messages/count_tokens', { method: 'POST', headers: anthropicHeaders(key), body: JSON.stringify({ model: ANTHROPIC_MODEL, messages: [{ role: 'user', content: 'Hi' }] }) });
    await request(env, '/messages', { method: 'POST', headers: anthropicHeaders(key), body: messagesBody(ANTHROPIC_MODEL) });
    const sent = (await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST').map((r) => r.path);
    expect(sent).toEqual(['/anthropic/v1/messages/count_tokens', '/anthropic/v1/messages']);
  });

  it('applies the key’s view: a model outside it is not_found_error and no upstream is called', async () => {
    const { env, viewKey, upstreams } = await setup();
    anthropicError(await request(env, '/v1/messages', { method: 'POST', headers: anthropicHeaders(viewKey), body: messagesBody(ANTHROPIC_MODEL) }), 404, 'not_found_error');
    expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST')).toEqual([]);
  });
});

describe('Anthropic dialect: the list in Anthropic’s shape', () => {
  it('pages GET /v1/models with limit, after_id and before_id, in the key’s view, when anthropic-version is sent', async () => {
    const { env, key } = await setup();
    const openai = (await request(env, '/v1/models', { headers: bearer(key) }).then((r) => r.json())) as { data: { id: string; name?: string; created?: number }[] };
    const ids = openai.data.map((m) => m.id);
    const first = (await request(env, '/v1/models?limit=3', { headers: anthropicHeaders(key) })).json() as { data: { id: string }[]; has_more: boolean; first_id: string; last_id: string };
    expect(first.data.map((m) => m.id)).toEqual(ids.slice(0, 3));
    expect(first).toMatchObject({ has_more: true, first_id: ids[0], last_id: ids[2] });
    const second = (await request(env, `/v1/models?limit=3&after_id=${encodeURIComponent(first.last_id)}`, { headers: anthropicHeaders(key) })).json() as typeof first;
    expect(second.data.map((m) => m.id)).toEqual(ids.slice(3, 6));
    const back = (await request(env, `/v1/models?limit=2&before_id=${encodeURIComponent(second.first_id)}`, { headers: anthropicHeaders(key) })).json() as typeof first;
    expect(back.data.map((m) => m.id)).toEqual(ids.slice(1, 3));
    expect(back.has_more).toBe(true);
    const all = (await request(env, '/v1/models?limit=1000', { headers: anthropicHeaders(key) })).json() as typeof first;
    expect(all.data.map((m) => m.id)).toEqual(ids);
    expect(all.has_more).toBe(false);
    // Each model: type, id, display_name (the name, else the id) and an RFC 3339 created_at.
    const claude = openai.data.find((m) => m.id === ANTHROPIC_MODEL);
    expect(all.data.find((m) => m.id === ANTHROPIC_MODEL)).toEqual({ type: 'model', id: ANTHROPIC_MODEL, display_name: claude?.name, created_at: '2025-09-29T00:00:00Z' });
    // Gemini's list gives no dates: the epoch, as Anthropic itself says for an unknown date.
    const undated = openai.data.find((m) => m.created === undefined);
    expect(undated).toBeDefined();
    expect(all.data.find((m) => m.id === undated?.id)).toMatchObject({ created_at: '1970-01-01T00:00:00Z' });
  });

  it('shows a key with a view only that view, and a model outside it as not_found_error', async () => {
    const { env, viewKey } = await setup();
    const page = (await request(env, '/v1/models?limit=1000', { headers: anthropicHeaders(viewKey) })).json() as { data: { id: string }[] };
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((m) => m.id.startsWith('gpt') || m.id.startsWith('o3') || m.id.startsWith('text-'))).toBe(true);
    anthropicError(await request(env, `/v1/models/${ANTHROPIC_MODEL}`, { headers: anthropicHeaders(viewKey) }), 404, 'not_found_error');
  });

  it('answers GET /v1/models/{id} as one Anthropic model, with its own strong ETag and 304', async () => {
    const { env, key } = await setup();
    const one = await request(env, `/v1/models/${ANTHROPIC_MODEL}`, { headers: anthropicHeaders(key) });
    expect(one.json()).toMatchObject({ type: 'model', id: ANTHROPIC_MODEL, display_name: 'Claude Sonnet 4.5' });
    const etag = one.headers.get('ETag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await call(env, `/v1/models/${ANTHROPIC_MODEL}`, { headers: { ...anthropicHeaders(key), 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });

  it('needs a key, as Anthropic’s API does, and refuses a bad limit', async () => {
    const { env, key } = await setup();
    anthropicError(await request(env, '/v1/models', { headers: { 'anthropic-version': '2023-06-01' } }), 401, 'authentication_error');
    anthropicError(await request(env, '/v1/models?limit=0', { headers: anthropicHeaders(key) }), 400, 'invalid_request_error');
    anthropicError(await request(env, '/v1/models?limit=1001', { headers: anthropicHeaders(key) }), 400, 'invalid_request_error');
  });

  it('leaves GET /v1/models without anthropic-version byte for byte and ETag for ETag what it was', async () => {
    const { env, key } = await setup();
    const before = await request(env, '/v1/models', {});
    // Every other shape asked for in between: none may change the OpenAI answer.
    await request(env, '/v1/models?limit=2', { headers: anthropicHeaders(key) });
    await request(env, '/v1beta/models', { headers: geminiHeaders(key) });
    const after = await request(env, '/v1/models', {});
    expect(after.text).toBe(before.text);
    expect(after.headers.get('ETag')).toBe(before.headers.get('ETag'));
    const list = before.json() as { object: string; data: { object: string }[] };
    expect(list.object).toBe('list');
    expect(list.data.every((m) => m.object === 'model')).toBe(true);
    // Keyed without a view: the stored bytes too.
    expect((await request(env, '/v1/models', { headers: bearer(key) })).text).toBe(before.text);
  });
});

describe('Gemini dialect', () => {
  it('takes the key as x-goog-api-key, ?key= or Bearer, and answers its own errors in Google’s shape', async () => {
    const { env, key } = await setup({ MAX_REQUEST_BYTES: '1024' });
    const path = `/v1beta/models/${GEMINI_MODEL}:generateContent`;
    geminiError(await request(env, path, { method: 'POST', body: geminiBody }), 401, 'UNAUTHENTICATED');
    geminiError(await request(env, path, { method: 'POST', headers: geminiHeaders('sk-me-bad'), body: geminiBody }), 401, 'UNAUTHENTICATED');
    for (const init of [{ headers: geminiHeaders(key) }, { headers: bearer(key) }]) {
      geminiError(await request(env, '/v1beta/models/nope:generateContent', { method: 'POST', ...init, body: geminiBody }), 404, 'NOT_FOUND');
    }
    geminiError(await request(env, `/v1beta/models/nope:generateContent?key=${key}`, { method: 'POST', body: geminiBody }), 404, 'NOT_FOUND');
    geminiError(await request(env, `/v1beta/models/${GEMINI_MODEL}:explode`, { method: 'POST', headers: geminiHeaders(key), body: geminiBody }), 404, 'NOT_FOUND');
    const big = JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(2048) }] }] });
    geminiError(await request(env, path, { method: 'POST', headers: geminiHeaders(key), body: big }), 413, 'INVALID_ARGUMENT');
    geminiError(await request(env, '/v1beta/nothing-here', { headers: geminiHeaders(key) }), 404, 'NOT_FOUND');
  });

  it('forwards every method to {baseUrl}/models/{upstream_id}:{method}, query kept but the client’s key, body untouched', async () => {
    const { env, key, upstreams } = await setup({}, (kind) => (kind === 'gemini' ? { prefix: 'google/' } : {}));
    const methods = ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'];
    for (const method of methods) {
      const query = method === 'streamGenerateContent' ? `?alt=sse&key=${key}` : '';
      // The prefixed id as plain path segments, and URL-encoded.
      const id = method === 'countTokens' ? `google%2F${GEMINI_MODEL}` : `google/${GEMINI_MODEL}`;
      await request(env, `/v1beta/models/${id}:${method}${query}`, { method: 'POST', headers: method === 'streamGenerateContent' ? { 'Content-Type': 'application/json' } : geminiHeaders(key), body: geminiBody });
    }
    const sent = (await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST');
    expect(sent.map((r) => r.path)).toEqual(methods.map((m) => `/gemini/v1beta/models/${GEMINI_MODEL}:${m}`));
    for (const request of sent) {
      expect(request.headers['x-goog-api-key']).toBe(KEYS.gemini);
      expect(JSON.stringify(request.headers)).not.toContain(key);
    }
    // Of the client's query only alt=sse goes on: never its key.
    const stream = (await upstreams.received()).find((r) => r.path.includes('streamGenerateContent'));
    expect(stream?.path).toBe(`/gemini/v1beta/models/${GEMINI_MODEL}:streamGenerateContent?alt=sse`);
    expect(stream?.body).toBe(geminiBody);
  });

  it('lists only the models its routes can call, in Gemini’s shape, paged by pageSize and pageToken, in the key’s view', async () => {
    const { env, key, viewKey } = await setup();
    const all = async (apiKey: string) => {
      const names: string[] = [];
      let token: string | undefined = '';
      while (token !== undefined) {
        const page = (await request(env, `/v1beta/models?pageSize=2${token === '' ? '' : `&pageToken=${encodeURIComponent(token)}`}`, { headers: geminiHeaders(apiKey) })).json() as { models: { name: string }[]; nextPageToken?: string };
        expect(page.models.length).toBeLessThanOrEqual(2);
        names.push(...page.models.map((m) => m.name));
        token = page.nextPageToken;
      }
      return names;
    };
    const openaiIds = async (apiKey: string) => ((await request(env, '/v1/models', { headers: bearer(apiKey) })).json() as { data: { id: string }[] }).data.map((m) => m.id);
    // Every model that takes calls (other owners' through translation), but another owner's embedding model.
    const callable = (ids: string[]) => ids.filter((id) => id !== 'text-embedding-3-small' && id !== 'ollama/nomic-embed-text:latest').map((id) => `models/${id}`);
    expect(await all(key)).toEqual(callable(await openaiIds(key)));
    expect(await all(key)).toContain('models/gpt-4o');
    const one = await request(env, '/v1beta/models/gemini-2.0-flash', { headers: geminiHeaders(key) });
    expect(one.json()).toEqual({
      name: 'models/gemini-2.0-flash',
      baseModelId: 'gemini-2.0-flash',
      displayName: 'Gemini 2.0 Flash',
      inputTokenLimit: 1048576,
      outputTokenLimit: 8192,
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
    });
    // A model the Gemini routes cannot call is not there, and a key with a view sees only its view.
    geminiError(await request(env, '/v1beta/models/text-embedding-3-small', { headers: geminiHeaders(key) }), 404, 'NOT_FOUND');
    expect(await all(viewKey)).toEqual(callable(await openaiIds(viewKey)));
    expect((await all(viewKey)).every((name) => name.startsWith('models/gpt-'))).toBe(true);
    geminiError(await request(env, `/v1beta/models/${GEMINI_MODEL}:generateContent`, { method: 'POST', headers: geminiHeaders(viewKey), body: geminiBody }), 404, 'NOT_FOUND');
  });

  it('keeps views apart whose names extend one another (eng, eng-gemini) in every derived list', async () => {
    const { env } = await setup();
    const eng = await clientKey(env, { view: 'eng' });
    const engGemini = await clientKey(env, { view: 'eng-gemini' });
    // The wider view first, so its derived lists are built and kept before the narrower view asks.
    const wide = (await request(env, '/v1beta/models?pageSize=1000', { headers: geminiHeaders(engGemini) })).json() as { models: { name: string }[] };
    const narrowGemini = (await request(env, '/v1beta/models?pageSize=1000', { headers: geminiHeaders(eng) })).json() as { models: { name: string }[] };
    expect(wide.models.some((m) => m.name.startsWith('models/gemini-'))).toBe(true);
    expect(narrowGemini.models.length).toBeGreaterThan(0);
    expect(narrowGemini.models.every((m) => m.name.startsWith('models/gpt-'))).toBe(true);
    const narrow = (await request(env, '/v1/models?limit=1000', { headers: anthropicHeaders(eng) })).json() as { data: { id: string }[] };
    const wider = (await request(env, '/v1/models?limit=1000', { headers: anthropicHeaders(engGemini) })).json() as { data: { id: string }[] };
    expect(narrow.data.length).toBeGreaterThan(0);
    expect(wider.data.length).toBeGreaterThan(narrow.data.length);
  });

  it('translates a call for a model of another owner, and answers an embeddings call it cannot translate with 400 naming its type and routes', async () => {
    const { env, key, upstreams } = await setup();
    const generated = await request(env, '/v1beta/models/ollama/llama3.2:latest:generateContent', { method: 'POST', headers: geminiHeaders(key), body: geminiBody });
    expect(generated.status).toBe(200);
    expect(generated.json()).toMatchObject({ candidates: [{ content: { role: 'model' } }], modelVersion: 'ollama/llama3.2:latest' });
    expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/ollama/v1/chat/completions']);
    const error = geminiError(await request(env, '/v1beta/models/ollama/nomic-embed-text:latest:embedContent', { method: 'POST', headers: geminiHeaders(key), body: JSON.stringify({ content: { parts: [{ text: 'x' }] } }) }), 400, 'INVALID_ARGUMENT');
    expect(error.message).toContain('type ollama');
    expect(error.message).toContain('POST /v1/embeddings');
    expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

describe('Gemini dialect under /v1, where @google/genai 3 sends it by default', () => {
  it('takes calls at /v1/models/{model}:{method} and lists in Gemini’s shape for Gemini’s key header', async () => {
    const { env, key, upstreams } = await setup();
    const generated = await request(env, `/v1/models/${GEMINI_MODEL}:generateContent`, { method: 'POST', headers: geminiHeaders(key), body: geminiBody });
    expect(generated.status).toBe(200);
    expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`/gemini/v1beta/models/${GEMINI_MODEL}:generateContent`]);
    const list = (await request(env, '/v1/models', { headers: geminiHeaders(key) })).json() as { models: { name: string }[] };
    expect(list.models.map((m) => m.name)).toContain(`models/${GEMINI_MODEL}`);
    expect((await request(env, `/v1/models/${GEMINI_MODEL}`, { headers: geminiHeaders(key) })).json()).toMatchObject({ name: `models/${GEMINI_MODEL}` });
    // The key as ?key= (after another parameter) is Gemini's sign too; a parameter that merely ends in "key" is not.
    const byQuery = (await request(env, `/v1/models?pageSize=2&key=${key}`, {})).json() as { models: unknown[] };
    expect(byQuery.models).toHaveLength(2);
    expect(((await request(env, '/v1/models?monkey=1', {})).json() as { object: string }).object).toBe('list');
    // Its errors are Google's, and it needs a key there as everywhere in Gemini's dialect.
    geminiError(await request(env, '/v1/models/nope:countTokens', { method: 'POST', headers: geminiHeaders(key), body: geminiBody }), 404, 'NOT_FOUND');
    geminiError(await request(env, `/v1/models/${GEMINI_MODEL}:generateContent`, { method: 'POST', body: geminiBody }), 401, 'UNAUTHENTICATED');
  });

  it('leaves OpenAI’s retrieve of an id with a tag (llama3.2:latest) to the OpenAI dialect', async () => {
    const { env, key } = await setup();
    const one = await request(env, '/v1/models/ollama/llama3.2:latest', { headers: bearer(key) });
    expect(one.json()).toMatchObject({ id: 'ollama/llama3.2:latest', object: 'model' });
  });
});

describe('OpenAI Responses', () => {
  it('forwards /v1/responses and /responses to {inferenceBase}/responses of an openai owner, model = upstream_id', async () => {
    const { env, key, upstreams } = await setup({}, (kind) => (kind === 'openai' ? { prefix: 'oa/' } : {}));
    for (const path of ['/v1/responses', '/responses']) {
      await request(env, path, { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'oa/gpt-4o', input: 'Hi' }) });
    }
    const sent = (await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST');
    expect(sent.map((r) => r.path)).toEqual(['/openai/v1/responses', '/openai/v1/responses']);
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${KEYS.openai}`);
  });

  it('translates a call for an owner without Responses (another type, or "responses": false) to its chat endpoint', async () => {
    const { env, key, upstreams } = await setup({}, (kind) => (kind === 'openai' ? { responses: false } : {}));
    for (const [model, path] of [['gpt-4o', '/openai/v1/chat/completions'], ['ollama/llama3.2:latest', '/ollama/v1/chat/completions']]) {
      const answer = await request(env, '/v1/responses', { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json' }, body: JSON.stringify({ model, input: 'Hi' }) });
      expect(answer.status).toBe(200);
      expect(answer.json()).toMatchObject({ object: 'response', status: 'completed', model });
      expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST').at(-1)?.path).toBe(path);
    }
  });
});

describe('browser clients', () => {
  it('answer the Anthropic and Gemini SDKs’ preflights with their headers allowed', async () => {
    const { env } = await setup();
    const anthropic = await call(env, '/v1/messages', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key,anthropic-version,anthropic-beta,anthropic-dangerous-direct-browser-access,content-type' },
    });
    expect(anthropic.status).toBe(204);
    expect(anthropic.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('anthropic-dangerous-direct-browser-access');
    const gemini = await call(env, `/v1beta/models/${GEMINI_MODEL}:generateContent`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-goog-api-key,content-type' },
    });
    expect(gemini.status).toBe(204);
    expect(gemini.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('x-goog-api-key');
  });
});

