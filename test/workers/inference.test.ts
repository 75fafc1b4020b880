import { env as bindings } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import { expectApiError } from './support/expect-error.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, requestsTo, type FakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

/** Provider keys as the fakes expect them (sent as `Authorization: Bearer` on every inference path). */
const KEYS = { openai: 'sk-openai-test-1', anthropic: 'sk-ant-test-1', gemini: 'AIza-test-1', ollama: 'ollama-proxy-1' };
const SECRETS = { OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini, OLLAMA_KEY: KEYS.ollama };
const SECRET_OF = { openai: 'OPENAI_KEY', anthropic: 'ANTHROPIC_KEY', gemini: 'GEMINI_KEY', ollama: 'OLLAMA_KEY' } as const;

beforeEach(coldCache);
afterEach(() => vi.restoreAllMocks());

type EntryExtra = (kind: keyof typeof KEYS, origin: string) => Record<string, unknown>;

async function setup(vars: Partial<Env> = {}, entryExtra: EntryExtra = () => ({}), keys: Partial<typeof KEYS> = KEYS) {
  const upstreams = await fakeUpstreams({ keys });
  const providers = (['openai', 'anthropic', 'gemini', 'ollama'] as const).map((kind) =>
    upstreams.entry(kind, { apiKeySecret: SECRET_OF[kind], prefix: kind === 'openai' ? '' : `${kind}/`, ...entryExtra(kind, upstreams.origin) }),
  );
  const env = workerEnv({ ...providersVar(providers), ...SECRETS, VIEWS: JSON.stringify({ 'openai-only': { providers: ['openai'] } }), ...vars });
  return { env, upstreams };
}

async function clientKey(env: Env, body: Record<string, unknown> = {}): Promise<string> {
  const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: `k${Math.random().toString(36).slice(2, 8)}`, ...body }) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

/** A call whose body is read here whole (a clone), with its background work settled, as a client sees it. */
async function post(env: Env, path: string, key: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  const { response, done } = await send(env, path, { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json', ...headers }, body });
  const text = await response.text();
  await done();
  return new Response(text, { status: response.status, headers: response.headers });
}

async function lastReceived(upstreams: FakeUpstreams) {
  const received = await upstreams.received();
  const last = received.at(-1);
  if (last === undefined) throw new Error('no inference call reached the upstream');
  return last;
}

describe('inference routing', () => {
  it.each([
    ['openai', 'gpt-4o', 'gpt-4o', '/openai/v1/chat/completions'],
    ['anthropic', 'anthropic/claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', '/anthropic/v1/chat/completions'],
    ['gemini', 'gemini/gemini-2.5-pro', 'gemini-2.5-pro', '/gemini/v1beta/openai/chat/completions'],
    ['ollama', 'ollama/llama3.2:latest', 'llama3.2:latest', '/ollama/v1/chat/completions'],
  ])('%s: forwards chat to the type’s OpenAI-compatible path with model = upstream_id, nothing else changed', async (_, id, upstreamId, path) => {
    // An Anthropic entry's chat calls go there only with "chat": "compat"; by default they are translated (below).
    const { env, upstreams } = await setup({}, (kind) => (kind === 'anthropic' ? { chat: 'compat' } : {}));
    const key = await clientKey(env);
    // Odd spacing, an unknown field and an integer past 2^53: all must arrive exactly as written.
    const body = `{ "seed": 12345678901234567890,"model" :  ${JSON.stringify(id)}, "messages":[{"role":"user","content":"hi \\"model\\": x"}],"x_custom":{"model":"inner"} }`;
    const response = await post(env, '/v1/chat/completions', key, body);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { object: string; model: string; choices: { message: { content: string } }[] };
    expect(answer.object).toBe('chat.completion');
    expect(answer.model).toBe(upstreamId);
    const received = await lastReceived(upstreams);
    expect(received.path).toBe(path);
    expect(received.body).toBe(body.replace(JSON.stringify(id), JSON.stringify(upstreamId)));
  });

  it('anthropic: translates chat to the native Messages API by default, answering in chat’s shape', async () => {
    const { env, upstreams } = await setup();
    const key = await clientKey(env);
    const response = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'anthropic/claude-sonnet-4-5-20250929', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] }));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { object: string; model: string; choices: { message: { content: string } }[] };
    expect(answer).toMatchObject({ object: 'chat.completion', model: 'anthropic/claude-sonnet-4-5-20250929' });
    expect(answer.choices[0]?.message.content).toContain('anthropic demo');
    const received = await lastReceived(upstreams);
    expect(received.path).toBe('/anthropic/v1/messages');
    expect(received.headers['x-api-key']).toBe(KEYS.anthropic);
    expect(JSON.parse(received.body)).toMatchObject({ model: 'claude-sonnet-4-5-20250929', system: [{ type: 'text', text: 'Be brief.' }], messages: [{ role: 'user' }] });
  });

  it.each([
    ['/v1/completions', 'gpt-4o-mini', '/openai/v1/completions', 'text_completion'],
    ['/v1/embeddings', 'text-embedding-3-small', '/openai/v1/embeddings', 'list'],
    // Routing only: the demo Gemini set has no embedding model, and the fake embeds with any.
    ['/v1/embeddings', 'gemini/gemini-2.5-flash', '/gemini/v1beta/openai/embeddings', 'list'],
    ['/embeddings', 'ollama/nomic-embed-text:latest', '/ollama/v1/embeddings', 'list'],
    ['/chat/completions', 'gpt-4o', '/openai/v1/chat/completions', 'chat.completion'],
  ])('%s for %s goes to %s', async (route, id, path, object) => {
    const { env, upstreams } = await setup();
    const key = await clientKey(env);
    const response = await post(env, route, key, JSON.stringify({ model: id, prompt: 'x', input: 'x', messages: [{ role: 'user', content: 'x' }] }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { object: string }).object).toBe(object);
    expect((await lastReceived(upstreams)).path).toBe(path);
  });

  it('sends an inferenceBaseUrl entry’s calls there (an AI Gateway in front of the provider)', async () => {
    // No key checks here: the "gateway" is the fake Ollama path, which would want Ollama's key.
    const { env, upstreams } = await setup({}, (kind, origin) => (kind === 'openai' ? { inferenceBaseUrl: `${origin}/ollama/v1` } : {}), {});
    const key = await clientKey(env);
    const response = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [] }));
    expect(response.status).toBe(200);
    expect((await lastReceived(upstreams)).path).toBe('/ollama/v1/chat/completions');
  });

  it('streams server-sent events through as the upstream sent them', async () => {
    const { env, upstreams } = await setup();
    await upstreams.update({ chunks: 4 });
    const key = await clientKey(env);
    const response = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const deltas = events.slice(0, -1).map((line) => JSON.parse(line.replace(/^data: /, '')) as { object: string; choices: { delta: { content?: string } }[] });
    expect(deltas.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(deltas.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the openai demo, as gpt-4o.');
  });
});

describe('inference header hygiene', () => {
  it('sends the provider key and the entry’s headers, never the client’s credentials, cookies or Cloudflare headers', async () => {
    const { env, upstreams } = await setup({}, (kind) => (kind === 'openai' ? { headers: { 'OpenAI-Project': 'proj_123' } } : {}));
    const key = await clientKey(env);
    const response = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [] }), {
      Cookie: 'session=abc',
      'X-Api-Key': key,
      'CF-Connecting-IP': '203.0.113.9',
      'X-Forwarded-For': '203.0.113.9',
      'OpenAI-Beta': 'assistants=v2',
      'User-Agent': 'OpenAI/JS 6.0.0',
    });
    expect(response.status).toBe(200);
    const { headers } = await lastReceived(upstreams);
    expect(headers.authorization).toBe(`Bearer ${KEYS.openai}`);
    expect(headers['openai-project']).toBe('proj_123');
    expect(headers['openai-beta']).toBe('assistants=v2');
    expect(headers['user-agent']).toBe('OpenAI/JS 6.0.0');
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-forwarded-for']).toBeUndefined();
    // The client's Cloudflare headers stay here (the runtime stamps its own `cf-worker` on every subrequest).
    expect(Object.keys(headers).filter((name) => name.startsWith('cf-') && name !== 'cf-worker')).toEqual([]);
    expect(JSON.stringify(headers)).not.toContain('203.0.113.9');
    expect(JSON.stringify(headers)).not.toContain(key);
    // Upstream cookies are for the upstream's origin, not ours.
    expect(response.headers.get('Set-Cookie')).toBeNull();
  });

  it('passes upstream error answers through unchanged: status, content type and body', async () => {
    const { env } = await setup();
    const key = await clientKey(env);
    const tooLong = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'please exceed the context length' }] }));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({ error: { message: expect.stringMatching(/maximum context length/), type: 'invalid_request_error', param: null, code: 'context_length_exceeded' } });
    // Gemini's compatibility layer answers errors as a one-element array.
    const gemini = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gemini/gemini-2.5-pro', messages: [{ role: 'user', content: 'please exceed the context length' }] }));
    expect(gemini.status).toBe(400);
    expect(await gemini.json()).toEqual([{ error: { code: 400, message: expect.any(String), status: 'INVALID_ARGUMENT' } }]);
  });

  it('passes a provider’s 401 through when its key is wrong, without a word of ours', async () => {
    // A fixed list: the wrong key would otherwise fail the listing first, and gpt-4o would be unknown.
    const { env } = await setup({ OPENAI_KEY: 'sk-openai-wrong-9' }, (kind) => (kind === 'openai' ? { models: ['gpt-4o'] } : {}));
    const key = await clientKey(env);
    const response = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [] }));
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect(text).not.toContain('sk-openai-wrong-9');
  });

  it('follows no redirect: a 302 is a 502 upstream_error naming where it pointed, and the key never goes there', async () => {
    const { env } = await setup({}, (kind) => (kind === 'openai' ? { inferenceBaseUrl: 'http://gw.redirect.test/v1' } : {}));
    const key = await clientKey(env);
    const response = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [] }));
    const message = await expectApiError(response, 502, 'upstream_error');
    expect(message).toContain('[openai] POST http://gw.redirect.test');
    expect(message).toContain('redirected to http://collector.example; set baseUrl to the final URL');
    expect(await requestsTo('http://collector.example')).toEqual([]);
  });
});

describe('inference access', () => {
  it('always needs a client key, whatever REQUIRE_CLIENT_KEY says', async () => {
    const { env, upstreams } = await setup({ REQUIRE_CLIENT_KEY: 'false' });
    const { response } = await send(env, '/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [] }) });
    await expectApiError(response, 401, 'invalid_api_key');
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect(await upstreams.received()).toEqual([]);
  });

  it('answers a model outside the key’s view exactly like an unknown one, calling no upstream', async () => {
    const { env, upstreams } = await setup();
    const key = await clientKey(env, { view: 'openai-only' });
    const outside = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'anthropic/claude-sonnet-4-5-20250929', messages: [] }));
    const unknown = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'no-such-model', messages: [] }));
    expect(await expectApiError(outside, 404, 'model_not_found')).toBe("The model 'anthropic/claude-sonnet-4-5-20250929' does not exist.");
    expect(await expectApiError(unknown, 404, 'model_not_found')).toBe("The model 'no-such-model' does not exist.");
    expect(await upstreams.received()).toEqual([]);
    expect((await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [] }))).status).toBe(200);
  });

  it('answers 403 inference_disabled for a provider listed with "inference": false, calling no upstream', async () => {
    const { env, upstreams } = await setup({}, (kind) => (kind === 'gemini' ? { inference: false } : {}));
    const key = await clientKey(env);
    await expectApiError(await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gemini/gemini-2.5-pro', messages: [] })), 403, 'inference_disabled');
    expect(await upstreams.received()).toEqual([]);
    expect((await call(env, '/v1/models/gemini%2Fgemini-2.5-pro')).status).toBe(200);
  });

  it.each([
    ['invalid JSON', '{"model":', /not valid JSON/],
    ['an array', '[{"model":"gpt-4o"}]', /JSON object/],
    ['no model', '{"messages":[]}', /no "model"/],
    ['a numeric model', '{"model":4}', /non-empty string/],
  ])('answers 400 invalid_request for %s, naming the problem', async (_, body, problem) => {
    const { env, upstreams } = await setup();
    const key = await clientKey(env);
    expect(await expectApiError(await post(env, '/v1/chat/completions', key, body), 400, 'invalid_request')).toMatch(problem);
    expect(await upstreams.received()).toEqual([]);
  });

  it('answers 413 for a body over MAX_REQUEST_BYTES, calling no upstream', async () => {
    const { env, upstreams } = await setup({ MAX_REQUEST_BYTES: '2048' });
    const key = await clientKey(env);
    const big = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    await expectApiError(await post(env, '/v1/chat/completions', key, big), 413, 'request_too_large');
    expect(await upstreams.received()).toEqual([]);
    expect((await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [] }))).status).toBe(200);
  });

  it('limits each key through CLIENT_RATE_LIMITER: 429 rate_limit_exceeded with Retry-After beyond it', async () => {
    const { env } = await setup({ CLIENT_RATE_LIMITER: bindings.TEST_RATE_LIMITER });
    const [first, second] = [await clientKey(env), await clientKey(env)];
    const body = JSON.stringify({ model: 'gpt-4o', messages: [] });
    expect((await post(env, '/v1/chat/completions', first, body)).status).toBe(200);
    expect((await post(env, '/v1/chat/completions', first, body)).status).toBe(200);
    const limited = await post(env, '/v1/chat/completions', first, body);
    await expectApiError(limited, 429, 'rate_limit_exceeded');
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    // Keyed by the client key's id: another key has its own budget.
    expect((await post(env, '/v1/chat/completions', second, body)).status).toBe(200);
  });

  it('logs one line per call with key name, model, provider, status and timings — never the prompt, the completion or a key', async () => {
    const { env } = await setup();
    const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: 'open-webui' }) });
    const { key } = (await response.json()) as { key: string };
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const answer = await post(env, '/v1/chat/completions', key, JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a secret prompt' }] }));
    const completion = await answer.text();
    const lines = log.mock.calls.map((args) => String(args[0]));
    const calls = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'inference');
    expect(calls).toEqual([{ event: 'inference', key: 'open-webui', model: 'gpt-4o', provider: 'openai', dialect: 'openai', path: '/chat/completions', status: 200, ttfbMs: expect.any(Number), durationMs: expect.any(Number) }]);
    const all = lines.join('\n');
    expect(all).not.toContain('a secret prompt');
    expect(all).not.toContain('Hello from the openai demo');
    expect(completion).toContain('Hello from the openai demo');
    expect(all).not.toContain(key);
    expect(all).not.toContain(KEYS.openai);
  });
});
