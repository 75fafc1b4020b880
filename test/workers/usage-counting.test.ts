import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import { isObject } from '../../src/providers/narrow.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, type FakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

const KEYS = { openai: 'sk-openai-usage-1', anthropic: 'sk-ant-usage-1', gemini: 'AIza-usage-1', ollama: 'ollama-usage-1' };
const SECRETS = { OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini, OLLAMA_KEY: KEYS.ollama };
const SECRET_OF = { openai: 'OPENAI_KEY', anthropic: 'ANTHROPIC_KEY', gemini: 'GEMINI_KEY', ollama: 'OLLAMA_KEY' } as const;

beforeEach(coldCache);
afterEach(() => vi.restoreAllMocks());

async function setup(): Promise<{ env: Env; upstreams: FakeUpstreams }> {
  const upstreams = await fakeUpstreams({ keys: KEYS, chunks: 6 });
  const providers = (['openai', 'anthropic', 'gemini', 'ollama'] as const).map((kind) => upstreams.entry(kind, { apiKeySecret: SECRET_OF[kind], ...(kind === 'ollama' ? { prefix: 'ollama/' } : {}) }));
  return { env: workerEnv({ ...providersVar(providers), ...SECRETS }), upstreams };
}

async function newKey(env: Env, name: string): Promise<string> {
  const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name }) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

interface Totals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
}
async function usageOf(env: Env, name: string): Promise<{ day: Totals; month: Totals; lastUsedAt: string | null }> {
  const listed = (await (await call(env, '/admin/keys', { headers: bearer(await adminToken()) })).json()) as {
    data: { name: string; usage: { '24h': Totals; '30d': Totals }; lastUsedAt: string | null }[];
  };
  const key = listed.data.find((k) => k.name === name);
  if (key === undefined) throw new Error(`no key ${name}`);
  return { day: key.usage['24h'], month: key.usage['30d'], lastUsedAt: key.lastUsedAt };
}

/** The oracle: every JSON document of the answer parsed in full, the usage as the dialect reports it. */
function reported(text: string, format: 'openai' | 'anthropic' | 'gemini'): { input: number; output: number } {
  const documents = text.trimStart().startsWith('{') ? [text] : text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => l.slice(6));
  const usages = documents.flatMap((document) => {
    const value: unknown = JSON.parse(document);
    if (!isObject(value)) return [];
    const holder = isObject(value.response) ? value.response : isObject(value.message) ? value.message : value;
    const usage = format === 'gemini' ? holder.usageMetadata : holder.usage;
    return isObject(usage) ? [usage] : [];
  });
  const last = usages.at(-1) ?? {};
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  if (format === 'gemini') return { input: n(last.promptTokenCount), output: n(last.candidatesTokenCount) + n(last.thoughtsTokenCount) };
  if (format === 'openai') return { input: n(last.prompt_tokens ?? last.input_tokens), output: n(last.completion_tokens ?? last.output_tokens) };
  const withInput = 'input_tokens' in last ? last : (usages[0] ?? {});
  return { input: n(withInput.input_tokens) + n(withInput.cache_creation_input_tokens) + n(withInput.cache_read_input_tokens), output: n(last.output_tokens) };
}

const anthropic = { 'anthropic-version': '2023-06-01' };
const chat = { messages: [{ role: 'user', content: 'Hello there' }] };
const messages = { max_tokens: 64, messages: [{ role: 'user', content: 'Hello there, how are you' }] };
const gemini = { contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }] };

/** One call per dialect and route, streamed and not; `hidden`: the client did not ask OpenAI for usage. */
const CASES = [
  { name: 'openai-chat', path: '/v1/chat/completions', format: 'openai', body: { model: 'gpt-4o', ...chat } },
  { name: 'openai-chat-stream', path: '/v1/chat/completions', format: 'openai', body: { model: 'gpt-4o', stream: true, ...chat }, hidden: true },
  { name: 'openai-chat-stream-asked', path: '/v1/chat/completions', format: 'openai', body: { model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, ...chat } },
  { name: 'openai-chat-stream-declined', path: '/v1/chat/completions', format: 'openai', body: { model: 'gpt-4o', stream: true, stream_options: { include_usage: false }, ...chat }, hidden: true },
  { name: 'ollama-chat-stream', path: '/v1/chat/completions', format: 'openai', body: { model: 'ollama/llama3.2:latest', stream: true, ...chat }, hidden: true },
  { name: 'ollama-chat-stream-declined', path: '/v1/chat/completions', format: 'openai', body: { model: 'ollama/llama3.2:latest', stream: true, stream_options: {}, ...chat }, hidden: true },
  { name: 'openai-completions', path: '/v1/completions', format: 'openai', body: { model: 'gpt-4o-mini', prompt: 'Hello' } },
  { name: 'openai-completions-stream', path: '/v1/completions', format: 'openai', body: { model: 'gpt-4o-mini', prompt: 'Hello', stream: true }, hidden: true },
  { name: 'openai-embeddings', path: '/v1/embeddings', format: 'openai', body: { model: 'text-embedding-3-small', input: ['a', 'b'] } },
  { name: 'openai-responses', path: '/v1/responses', format: 'openai', body: { model: 'gpt-4o', input: 'Hello' } },
  { name: 'openai-responses-stream', path: '/v1/responses', format: 'openai', body: { model: 'gpt-4o', input: 'Hello', stream: true } },
  { name: 'anthropic-native', path: '/v1/messages', format: 'anthropic', headers: anthropic, body: { model: 'claude-sonnet-4-5-20250929', ...messages } },
  { name: 'anthropic-native-stream', path: '/v1/messages', format: 'anthropic', headers: anthropic, body: { model: 'claude-sonnet-4-5-20250929', stream: true, ...messages } },
  { name: 'anthropic-translated', path: '/v1/messages', format: 'anthropic', headers: anthropic, body: { model: 'gpt-4o', ...messages } },
  { name: 'anthropic-translated-stream', path: '/v1/messages', format: 'anthropic', headers: anthropic, body: { model: 'gpt-4o', stream: true, ...messages } },
  { name: 'gemini-generate', path: '/v1beta/models/gemini-2.5-flash:generateContent', format: 'gemini', body: gemini },
  { name: 'gemini-stream', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', format: 'gemini', body: gemini },
] as const satisfies readonly { name: string; path: string; format: 'openai' | 'anthropic' | 'gemini'; body: object; headers?: object; hidden?: boolean }[];

describe('usage per key', () => {
  it.each(CASES)('counts $name: one request and the tokens the provider reported, the answer unchanged', async (c) => {
    const { env, upstreams } = await setup();
    const key = await newKey(env, c.name);
    const { response, done } = await send(env, c.path, { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json', ...('headers' in c ? c.headers : {}) }, body: JSON.stringify(c.body) });
    const text = await response.text();
    await done();
    expect(response.status, text).toBe(200);
    const sent = (await upstreams.received()).at(-1);
    const asked = JSON.parse(sent?.body ?? '{}') as { stream_options?: unknown; model?: unknown };
    // The provider gets its own id for the model (a prefixed one without its prefix).
    if ('model' in c.body) expect(asked.model).toBe(c.body.model.replace(/^ollama\//, ''));
    let tokens = reported(text, c.format);
    if ('hidden' in c) {
      // The provider was asked for usage; the client, which did not ask, never sees the usage chunk.
      expect(asked.stream_options).toStrictEqual({ include_usage: true });
      expect(text).not.toMatch(/"choices":\s*\[\s*\]/);
      expect(text).toMatch(/data: \[DONE\]\n\n$/);
      expect(tokens).toStrictEqual({ input: 0, output: 0 });
      // What the provider reported, read from the same call with usage asked for.
      const again = await send(env, c.path, { method: 'POST', headers: { ...bearer(await newKey(env, `${c.name}-asked`)), 'Content-Type': 'application/json' }, body: JSON.stringify({ ...c.body, stream_options: { include_usage: true } }) });
      tokens = reported(await again.response.text(), c.format);
      await again.done();
    } else if ('stream' in c.body && c.path.endsWith('/completions')) {
      expect(asked.stream_options).toStrictEqual({ include_usage: true });
    }
    expect(tokens.input).toBeGreaterThan(0);
    const { day, month, lastUsedAt } = await usageOf(env, c.name);
    expect(day).toStrictEqual({ requests: 1, errors: 0, inputTokens: tokens.input, outputTokens: tokens.output });
    expect(month).toStrictEqual(day);
    expect(Date.now() - Date.parse(lastUsedAt ?? '')).toBeLessThan(60_000);
  });

  it('counts a translated stream that ended in event: error inside its 200 as an error', async () => {
    const { env, upstreams } = await setup();
    const key = await newKey(env, 'broken-stream');
    await upstreams.update({ streamBreak: true });
    const { response, done } = await send(env, '/v1/messages', { method: 'POST', headers: { ...bearer(key), ...anthropic, 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', stream: true, ...messages }) });
    const text = await response.text();
    await done();
    expect(response.status).toBe(200);
    expect(text).toContain('event: error');
    expect((await usageOf(env, 'broken-stream')).day).toMatchObject({ requests: 1, errors: 1 });
  });

  it('counts an error answer as an error, and adds calls up', async () => {
    const { env, upstreams } = await setup();
    const key = await newKey(env, 'errors');
    const chatCall = async (status: number) => {
      const { response, done } = await send(env, '/v1/chat/completions', { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', ...chat }) });
      const text = await response.text();
      await done();
      expect(response.status).toBe(status);
      return text;
    };
    const first = reported(await chatCall(200), 'openai');
    // The provider now refuses our key: its 401 passes through, counted as an error.
    await upstreams.update({ keys: { ...KEYS, openai: 'another-key' } });
    await chatCall(401);
    await chatCall(401);
    expect((await usageOf(env, 'errors')).day).toStrictEqual({ requests: 3, errors: 2, inputTokens: first.input, outputTokens: first.output });
  });
});
