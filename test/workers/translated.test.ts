/**
 * Messages calls for models whose owner has no native Messages API, through the worker: translated to
 * the owner's OpenAI-compatible chat endpoint and back (the mappings themselves are unit-tested in
 * test/workers/translate/). What the owner receives, what the client gets, streamed and not, errors.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import { chatOwnerSettings } from '../../src/inference/translated.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, requestsTo } from './support/upstreams.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

const KEYS = { openai: 'sk-openai-translate-1', anthropic: 'sk-ant-translate-1', gemini: 'AIza-translate-1', ollama: 'ollama-translate-1' };
const SECRETS = { OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini, OLLAMA_KEY: KEYS.ollama };
const SECRET_OF = { openai: 'OPENAI_KEY', anthropic: 'ANTHROPIC_KEY', gemini: 'GEMINI_KEY', ollama: 'OLLAMA_KEY' } as const;
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
};

beforeEach(coldCache);

async function setup(vars: Partial<Env> = {}) {
  const upstreams = await fakeUpstreams({ keys: KEYS, chunks: 6 });
  const providers = (['openai', 'anthropic', 'gemini', 'ollama'] as const).map((kind) => upstreams.entry(kind, { apiKeySecret: SECRET_OF[kind], ...(kind === 'ollama' ? { prefix: 'ollama/' } : {}) }));
  const env = workerEnv({ ...providersVar(providers), ...SECRETS, ...vars });
  const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: 'claude-code' }) });
  const { key } = (await response.json()) as { key: string };
  return { env, upstreams, key };
}

async function messages(env: Env, key: string, body: Record<string, unknown>, path = '/v1/messages') {
  const { response, done } = await send(env, path, { method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  await done();
  return { status: response.status, headers: response.headers, text };
}

/** The `event:`/`data:` pairs of an SSE body. */
function events(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe('Messages translated to an OpenAI-compatible owner', () => {
  it.each([
    ['openai', 'gpt-4o', 'gpt-4o', '/openai/v1/chat/completions'],
    ['ollama', 'ollama/llama3.2:latest', 'llama3.2:latest', '/ollama/v1/chat/completions'],
  ])('%s: sends a chat body to {inferenceBase}/chat/completions with the provider key and answers an Anthropic message', async (kind, id, upstreamId, path) => {
    const { env, key, upstreams } = await setup();
    const answer = await messages(env, key, { model: id, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }] });
    expect(answer.status).toBe(200);
    const message = JSON.parse(answer.text) as Record<string, unknown>;
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: id, stop_reason: 'end_turn', stop_sequence: null });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'text', text: `Hello from the ${kind} demo, as ${upstreamId}.` }]);
    expect(message.usage).toMatchObject({ input_tokens: 19, output_tokens: 10 });
    const received = (await upstreams.received()).at(-1);
    expect(received?.path).toBe(path);
    expect(received?.headers.authorization).toBe(`Bearer ${KEYS[kind as 'openai' | 'ollama']}`);
    expect(received?.headers['x-api-key']).toBeUndefined();
    const chat = JSON.parse(received?.body ?? '{}') as Record<string, unknown>;
    expect(chat.model).toBe(upstreamId);
    expect(chat.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }]);
    // Only api.openai.com gets max_completion_tokens; every other OpenAI-compatible server reads max_tokens.
    expect(chat.max_tokens).toBe(100);
  });

  it('streams a tool call as Anthropic events, its arguments in input_json_delta pieces that join to the tool’s input', async () => {
    const { env, key, upstreams } = await setup();
    const answer = await messages(env, key, { model: 'gpt-4o', max_tokens: 100, stream: true, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    const stream = events(answer.text);
    const names = stream.map((e) => e.event).filter((e) => e !== 'ping');
    expect(names[0]).toBe('message_start');
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
    const start = stream.find((e) => e.event === 'content_block_start' && (e.data.content_block as { type: string }).type === 'tool_use');
    expect(start?.data.content_block).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
    const pieces = stream.filter((e) => e.event === 'content_block_delta' && (e.data.delta as { type: string }).type === 'input_json_delta').map((e) => (e.data.delta as { partial_json: string }).partial_json);
    expect(pieces.length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(''))).toEqual({ city: 'example', unit: 'celsius' });
    const delta = stream.find((e) => e.event === 'message_delta');
    expect(delta?.data.delta).toMatchObject({ stop_reason: 'tool_use' });
    expect(delta?.data.usage).toMatchObject({ output_tokens: expect.any(Number) });
    // Usage was asked for on the way out, so the final event has the owner's count.
    const chat = JSON.parse((await upstreams.received()).at(-1)?.body ?? '{}') as Record<string, unknown>;
    expect(chat.stream_options).toEqual({ include_usage: true });
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.input_schema } }]);
  });

  it('answers Claude Code’s adaptive thinking on an Ollama model: no reasoning_effort, which Ollama refuses for a model that does not think', async () => {
    const { env, key, upstreams } = await setup();
    const thinking = { max_tokens: 100, thinking: { type: 'adaptive' }, output_config: { effort: 'high' }, messages: [{ role: 'user', content: 'Hi' }] };
    const answer = await messages(env, key, { model: 'ollama/llama3.2:latest', ...thinking });
    expect(answer.status).toBe(200);
    expect(JSON.parse((await upstreams.received()).at(-1)?.body ?? '{}')).not.toHaveProperty('reasoning_effort');
    await messages(env, key, { model: 'gpt-5', ...thinking });
    expect(JSON.parse((await upstreams.received()).at(-1)?.body ?? '{}')).toMatchObject({ reasoning_effort: 'high' });
  });

  it('sends OpenAI’s reasoning models effort but no sampling, its other models sampling but no effort, Ollama no effort', () => {
    const openai = 'https://api.openai.com/v1';
    for (const model of ['gpt-5', 'gpt-5-mini', 'o3', 'o4-mini']) {
      expect(chatOwnerSettings('openai', openai, model), model).toStrictEqual({ maxTokensField: 'max_completion_tokens', reasoningEffort: true, sampling: false });
    }
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4-turbo', 'gpt-3.5-turbo', 'chatgpt-4o-latest']) {
      expect(chatOwnerSettings('openai', openai, model), model).toStrictEqual({ maxTokensField: 'max_completion_tokens', reasoningEffort: false, sampling: true });
    }
    // Another OpenAI-compatible server: what it does with either is its own.
    expect(chatOwnerSettings('openai', 'https://api.groq.com/openai/v1', 'openai/gpt-oss-20b')).toStrictEqual({ maxTokensField: 'max_tokens', reasoningEffort: true, sampling: true });
    expect(chatOwnerSettings('ollama', 'http://127.0.0.1:11434/v1', 'gpt-oss:20b')).toStrictEqual({ maxTokensField: 'max_tokens', reasoningEffort: false, sampling: true });
  });

  it('sends metadata.user_id as user, hashed to the 64 hex digits OpenAI allows (Claude Code’s is ~150 characters)', async () => {
    const { env, key, upstreams } = await setup();
    const userId = `user_${'a1'.repeat(32)}_account_0b3c7d2e-1f40-4a8b-9c6d-2e5f7a9b1c3d_session_6f1e2d3c-4b5a-4978-8e6d-5c4b3a291807`;
    await messages(env, key, { model: 'gpt-4o', max_tokens: 10, metadata: { user_id: userId }, messages: [{ role: 'user', content: 'Hi' }] });
    const chat = JSON.parse((await upstreams.received()).at(-1)?.body ?? '{}') as { user?: string };
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(userId)));
    expect(chat.user).toBe(Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''));
  });

  it('answers count_tokens with an estimate and calls no upstream', async () => {
    const { env, key, upstreams } = await setup();
    const answer = await messages(env, key, { model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(400) }] }, '/v1/messages/count_tokens');
    expect(answer.status).toBe(200);
    const { input_tokens: tokens } = JSON.parse(answer.text) as { input_tokens: number };
    expect(tokens).toBeGreaterThanOrEqual(100);
    expect(tokens).toBeLessThan(120);
    expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('maps the owner’s error into Anthropic’s shape with its message kept', async () => {
    const { env, key } = await setup();
    const answer = await messages(env, key, { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'please exceed the context length' }] });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('maximum context length is 128000 tokens') } });
  });

  it('ends a stream the owner breaks with event: error, and logs the call with that error though its status was 200', async () => {
    const { env, key, upstreams } = await setup();
    await upstreams.update({ streamBreak: true });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const answer = await messages(env, key, { model: 'gpt-4o', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hello' }] });
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    log.mockRestore();
    expect(answer.status).toBe(200);
    const stream = events(answer.text);
    expect(stream[0]?.event).toBe('message_start');
    expect(stream.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: expect.stringContaining('not JSON') } } });
    expect(lines.filter((line) => line.event === 'inference')).toEqual([
      expect.objectContaining({ key: 'claude-code', model: 'gpt-4o', dialect: 'anthropic', status: 200, error: 'upstream_event_not_json' }),
    ]);
  });

  it('refuses what cannot be carried with 400 invalid_request_error naming it, calling no upstream', async () => {
    const { env, key, upstreams } = await setup();
    const pdf = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } };
    const answer = await messages(env, key, { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: [pdf, { type: 'text', text: 'Summarise' }] }] });
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.text) as { type: string; error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/document/);
    expect((await requestsTo(upstreams.origin)).filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('sends an Anthropic-owned model natively, untranslated', async () => {
    const { env, key, upstreams } = await setup();
    const answer = await messages(env, key, { model: 'claude-sonnet-4-5-20250929', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.status).toBe(200);
    expect((await upstreams.received()).at(-1)?.path).toBe('/anthropic/v1/messages');
  });
});
