/**
 * Client keys and inference end to end: the worker under `wrangler dev` (workerd, local KV) over
 * loopback fakes of all four provider types, each refusing a call without its key, driven by the
 * official `openai` client with a client key made through the admin API — as Open WebUI, LibreChat
 * or LiteLLM would use it.
 */
import OpenAI, { APIError, AuthenticationError, NotFoundError } from 'openai';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevWorker, type DevWorker } from '../../scripts/lib/dev-worker.ts';
import { CONTEXT_LENGTH_TRIGGER } from '../../fake-providers/upstream-inference.ts';
import { KINDS, providerEntries, startUpstreams, type Kind, type RunningUpstreams } from '../../fake-providers/upstreams.ts';
import { adminToken } from './support/admin-token.ts';

const KEYS: Record<Kind, string> = {
  openai: 'sk-inference-e2e-openai-0123456789',
  anthropic: 'sk-ant-inference-e2e-0123456789',
  gemini: 'AIza-inference-e2e-gemini-0123456789',
  ollama: 'inference-e2e-ollama-proxy-0123456789',
};
const SECRET_NAMES: Record<Kind, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', gemini: 'GEMINI_API_KEY', ollama: 'OLLAMA_API_KEY' };
const ADMIN_SECRET = 'inference-e2e-admin-secret-at-least-32-bytes';
const CLIENT_KEY_SECRET = 'inference-e2e-client-key-secret-at-least-32-bytes';
const VIEWS = { 'openai-only': { providers: ['openai'] } };

/** One chat model per provider type: the id the client sends, the id its provider knows. */
const CHAT_MODELS: Record<Kind, { id: string; upstream: string }> = {
  openai: { id: 'gpt-4o', upstream: 'gpt-4o' },
  anthropic: { id: 'anthropic/claude-sonnet-4-5-20250929', upstream: 'claude-sonnet-4-5-20250929' },
  gemini: { id: 'gemini-2.5-flash', upstream: 'gemini-2.5-flash' },
  ollama: { id: 'llama3.2:latest', upstream: 'llama3.2:latest' },
};
/** A provider whose models are listed (fixed) but whose inference endpoint is a closed loopback port. */
const DOWN_MODEL = 'down-model';

/** Generous deadlines for what must happen; nothing here times how fast it happens. */
const CLOSE_SEEN_WITHIN_MS = 15_000;
const DRIP_MS = 300;
const DRIP_CHUNKS = 8;
/** The stream a client hangs up on lasts this many drips (12 s), so a loaded machine still hangs up mid-stream. */
const LONG_STREAM_CHUNKS = 40;

let upstreams: RunningUpstreams;
let worker: DevWorker;
let closedOrigin: string;
/** A key that sees everything, and one with the `openai-only` view. */
let fullKey: string;
let viewKey: string;
/** Every body the worker answered, checked for secrets by the last test. */
const bodies: string[] = [];

beforeAll(async () => {
  upstreams = await startUpstreams({ keys: KEYS });
  closedOrigin = `http://127.0.0.1:${await closedPort()}`;
  const providers = [
    ...providerEntries(upstreams.origin).map((entry) => ({
      ...entry,
      apiKeySecret: SECRET_NAMES[entry.type],
      // This file drives each type's OpenAI-compatible layer; chat translated to Anthropic's Messages is every-client.test.ts's.
      ...(entry.type === 'anthropic' ? { prefix: 'anthropic/', chat: 'compat' } : {}),
    })),
    { id: 'down', type: 'openai', baseUrl: `${closedOrigin}/v1`, apiKeySecret: 'DOWN_API_KEY', models: [DOWN_MODEL], inferenceBaseUrl: `${closedOrigin}/v1` },
  ];
  worker = await startDevWorker({
    vars: {
      PROVIDERS: JSON.stringify(providers),
      VIEWS: JSON.stringify(VIEWS),
      ADMIN_JWT_SECRET: ADMIN_SECRET,
      CLIENT_KEY_SECRET,
      DOWN_API_KEY: 'sk-down-provider-key-0123456789',
      ...Object.fromEntries(KINDS.map((kind) => [SECRET_NAMES[kind], KEYS[kind]])),
    },
  });
  fullKey = await createKey({ name: 'open-webui' });
  viewKey = await createKey({ name: 'openai-app', view: 'openai-only' });
});

afterAll(async () => {
  await worker?.stop();
  await upstreams?.close();
});

const clientWith = (apiKey: string) => new OpenAI({ baseURL: `${worker.url}/v1`, apiKey, maxRetries: 0 });

describe('client keys through the openai client', () => {
  it('lists every model with a key that has no view', async () => {
    const ids = await listIds(clientWith(fullKey));
    expect(new Set(ids.map(providerOf))).toEqual(new Set([...KINDS, 'down']));
    expect(ids).toContain(CHAT_MODELS.anthropic.id);
  });

  it('lists only its view with a key that has one, and cannot call outside it', async () => {
    const client = clientWith(viewKey);
    const ids = await listIds(client);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => providerOf(id) === 'openai')).toBe(true);

    await expect(client.models.retrieve(CHAT_MODELS.anthropic.id)).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    const before = upstreams.state.received.length;
    const call = client.chat.completions.create({ model: CHAT_MODELS.anthropic.id, messages: [{ role: 'user', content: 'hi' }] });
    await expect(call).rejects.toBeInstanceOf(NotFoundError);
    expect(upstreams.state.received.length).toBe(before);
    // The view's own models are callable.
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBe('Hello from the openai demo, as gpt-4o-mini.');
  });

  it('refuses an admin JWT or a made-up key as apiKey with 401 invalid_api_key', async () => {
    const madeUp = `sk-me-${'A'.repeat(12)}${'b'.repeat(43)}${'c'.repeat(16)}`;
    for (const apiKey of [await adminToken(ADMIN_SECRET), madeUp, 'sk-proj-not-a-models-edge-key']) {
      const client = clientWith(apiKey);
      await expect(listIds(client)).rejects.toBeInstanceOf(AuthenticationError);
      await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
        status: 401,
        code: 'invalid_api_key',
      });
    }
  });

  it('stops a revoked key at once', async () => {
    const response = await admin('POST', '/admin/keys', { name: 'short-lived' });
    const { id, key } = (await response.json()) as { id: string; key: string };
    const client = clientWith(key);
    expect((await listIds(client)).length).toBeGreaterThan(0);
    expect((await admin('DELETE', `/admin/keys/${id}`)).status).toBe(200);
    await expect(listIds(client)).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('inference through the openai client', () => {
  it.each(KINDS)('streams chat from the %s provider type, the model id rewritten to the upstream one', async (kind) => {
    const { id, upstream } = CHAT_MODELS[kind];
    const stream = await clientWith(fullKey).chat.completions.create({ model: id, messages: [{ role: 'user', content: 'Say hello.' }], stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(`Hello from the ${kind} demo, as ${upstream}.`);
    expect(finish).toBe('stop');
    const received = upstreams.state.received.at(-1);
    expect(received?.headers.authorization).toBe(`Bearer ${KEYS[kind]}`);
    expect(JSON.parse(received?.body ?? '{}')).toMatchObject({ model: upstream, stream: true });
  });

  it.each(KINDS)('answers non-streaming chat from the %s provider type', async (kind) => {
    const { id, upstream } = CHAT_MODELS[kind];
    const answer = await clientWith(fullKey).chat.completions.create({ model: id, messages: [{ role: 'user', content: 'Say hello.' }] });
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices[0]?.message.content).toBe(`Hello from the ${kind} demo, as ${upstream}.`);
  });

  it.each([
    ['openai', 'gpt-4o-mini', 'gpt-4o-mini'],
    ['ollama', 'qwen2.5-coder:7b', 'qwen2.5-coder:7b'],
  ] as const)('answers legacy completions from the %s provider type', async (kind, model, upstream) => {
    const answer = await clientWith(fullKey).completions.create({ model, prompt: 'Say hello.' });
    expect(answer.object).toBe('text_completion');
    expect(answer.choices[0]?.text).toBe(`Hello from the ${kind} demo, as ${upstream}.`);
  });

  it.each([
    ['openai', 'text-embedding-3-small'],
    ['ollama', 'llama3.2:latest'],
    ['gemini', 'gemini-2.0-flash'],
  ] as const)('creates embeddings through the %s provider type', async (kind, model) => {
    const result = await clientWith(fullKey).embeddings.create({ model, input: ['first text', 'second text'] });
    expect(result.object).toBe('list');
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    // The client asks for base64 and decodes it; the fake answers floats, which it passes on.
    expect(result.data[0]?.embedding).toHaveLength(8);
    expect(upstreams.state.received.at(-1)?.path).toBe(
      { openai: '/openai/v1/embeddings', ollama: '/ollama/v1/embeddings', gemini: '/gemini/v1beta/openai/embeddings' }[kind],
    );
  });

  it('passes each chunk on as the upstream sends it: the first arrives long before the last is sent', async () => {
    await withDrip(DRIP_CHUNKS, async () => {
      const stream = await clientWith(fullKey).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello slowly.' }], stream: true });
      const started = Date.now();
      let firstAt: number | undefined;
      let text = '';
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content ?? '';
        if (content !== '' && firstAt === undefined) firstAt = Date.now();
        text += content;
      }
      const endedAt = Date.now();
      expect(text).toBe('Hello from the openai demo, as gpt-4o.');
      // The upstream spends at least (chunks + 2) drips between its first and last event; a buffering
      // hop would deliver the first content only at the end. Half of those drips is a wide margin.
      expect(endedAt - started).toBeGreaterThanOrEqual((DRIP_CHUNKS + 1) * DRIP_MS);
      expect(firstAt).toBeDefined();
      expect(firstAt ?? endedAt).toBeLessThan(endedAt - (DRIP_CHUNKS / 2) * DRIP_MS);
    });
  });

  it('closes the upstream connection when the client hangs up mid-stream', async () => {
    await withDrip(LONG_STREAM_CHUNKS, async () => {
      const before = upstreams.state.closedEarly;
      const controller = new AbortController();
      const stream = await clientWith(fullKey).chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello slowly.' }], stream: true },
        { signal: controller.signal },
      );
      let chunks = 0;
      try {
        for await (const chunk of stream) {
          if ((chunk.choices[0]?.delta.content ?? '') === '') continue;
          chunks++;
          controller.abort();
        }
      } catch (error) {
        // The client either ends the iteration quietly or throws its abort error: both are a hang-up.
        if (!(error instanceof Error && /abort/i.test(`${error.name} ${error.message}`))) throw error;
      }
      expect(chunks).toBe(1);
      await waitFor(() => upstreams.state.closedEarly > before, CLOSE_SEEN_WITHIN_MS, 'the upstream never saw its connection close');
    });
  });

  it('answers 502 upstream_error naming the provider and origin when the upstream cannot be reached', async () => {
    const error = await clientWith(fullKey)
      .chat.completions.create({ model: DOWN_MODEL, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
    const message = (error as APIError).message;
    expect(message).toContain('[down]');
    expect(message).toContain(closedOrigin);
    expect(message).not.toContain('sk-down-provider-key');

    const raw = await fetch(`${worker.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fullKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: DOWN_MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    const body = await raw.text();
    bodies.push(body);
    expect(raw.status).toBe(502);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'upstream_error' } });
  });

  it("passes the provider's context-length error through as its 400", async () => {
    const call = clientWith(fullKey).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `Summarise this: ${CONTEXT_LENGTH_TRIGGER}` }] });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' });
    expect((error as APIError).message).toContain('maximum context length');

    // Gemini's compatibility layer answers errors as an array: it reaches the client byte for byte.
    const raw = await fetch(`${worker.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fullKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: CHAT_MODELS.gemini.id, messages: [{ role: 'user', content: CONTEXT_LENGTH_TRIGGER }] }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await raw.json()).toEqual([{ error: { code: 400, message: expect.stringContaining('maximum context length'), status: 'INVALID_ARGUMENT' } }]);
  });

  it('never shows a provider key, a client key or a secret in an answer or a log line', async () => {
    for (const path of ['/v1/models', `/v1/models/${DOWN_MODEL}`]) bodies.push(await (await fetch(`${worker.url}${path}`, { headers: { Authorization: `Bearer ${fullKey}` } })).text());
    bodies.push(await (await admin('GET', '/admin/keys')).text());
    const secrets = [...Object.values(KEYS), 'sk-down-provider-key-0123456789', ADMIN_SECRET, CLIENT_KEY_SECRET, fullKey, viewKey];
    for (const text of [...bodies, worker.output()]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    // The log holds the calls, so the check above looked at real output.
    expect(worker.output()).toContain('"event":"inference"');
  });
});

async function createKey(body: Record<string, unknown>): Promise<string> {
  const response = await admin('POST', '/admin/keys', body);
  expect(response.status).toBe(201);
  const { key } = (await response.json()) as { key: string };
  return key;
}

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${worker.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await adminToken(ADMIN_SECRET)}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function listIds(client: OpenAI): Promise<string[]> {
  const ids: string[] = [];
  for await (const model of client.models.list()) ids.push(model.id);
  return ids;
}

/** Which provider a demo id belongs to, from the models each fake lists. */
function providerOf(id: string): string {
  if (id === DOWN_MODEL) return 'down';
  if (id.startsWith('anthropic/')) return 'anthropic';
  if (/^(gemini|gemma)-/.test(id)) return 'gemini';
  if (id.includes(':')) return 'ollama';
  return 'openai';
}

/** Runs `body` with the fake upstreams drip-feeding streams of `chunkCount` parts, then puts them back. */
async function withDrip(chunkCount: number, body: () => Promise<void>): Promise<void> {
  const { dripMs, chunks } = upstreams.state;
  Object.assign(upstreams.state, { dripMs: DRIP_MS, chunks: chunkCount });
  try {
    await body();
  } finally {
    Object.assign(upstreams.state, { dripMs, chunks });
  }
}

/** A loopback port that was just bound and closed: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(done: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
