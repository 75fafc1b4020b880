/**
 * Native dialects end to end (contract §12, issue 22): the worker under `wrangler dev` over fakes
 * speaking each native API, driven by the real `@anthropic-ai/sdk`, `@google/genai` and `openai`
 * clients with a client key made through the admin API. Each sees the native answer; each fake gets
 * its provider key the provider's way and never the client key; a key's view holds in every dialect.
 */
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_LENGTH_TRIGGER } from '../../fake-providers/upstream-inference.ts';
import { anthropicToolTurns, geminiToolTurns, responsesToolTurns, WEATHER_INPUT, WEATHER_TOOL } from '../fixtures/native/conversations.ts';
import { expectNoClientKey, PROVIDER_KEYS, startNativeWorld, type NativeWorld } from './support/native-worker.ts';

/** The id a client sends, and the id its provider knows (the entries' prefixes are stripped). */
const CLAUDE = { id: 'anthropic/claude-sonnet-4-5-20250929', upstream: 'claude-sonnet-4-5-20250929' };
const GEMINI = { id: 'google/gemini-2.5-flash', upstream: 'gemini-2.5-flash' };
const GPT = 'gpt-4o';
const VIEWS = { 'claude-only': { providers: ['anthropic'] }, 'openai-only': { providers: ['openai'] } };

describe('native dialects through the worker', () => {
  let world: NativeWorld;
  /** Sees everything; sees only Anthropic's models; sees only OpenAI's. */
  let key: string;
  let claudeOnly: string;
  let openaiOnly: string;

  beforeAll(async () => {
    world = await startNativeWorld({ prefixes: { anthropic: 'anthropic/', gemini: 'google/' }, views: VIEWS });
    [key, claudeOnly, openaiOnly] = [await world.clientKey(), await world.clientKey('claude-only'), await world.clientKey('openai-only')];
  });

  afterAll(async () => {
    await world?.stop();
  });

  const mark = () => world.upstreams.state.received.length;
  const anthropic = (apiKey = key) => new Anthropic({ baseURL: world.worker.url, apiKey, maxRetries: 0 });
  const gemini = (apiKey = key) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: world.worker.url, apiVersion: 'v1beta', retryOptions: { attempts: 1 } } });
  const openai = (apiKey = key) => new OpenAI({ baseURL: `${world.worker.url}/v1`, apiKey, maxRetries: 0 });
  /** Every id the key sees, from the OpenAI-shaped list. */
  const openaiIds = async (apiKey = key) => {
    const ids: string[] = [];
    for await (const model of openai(apiKey).models.list()) ids.push(model.id);
    return ids;
  };

  describe('Anthropic, through @anthropic-ai/sdk', () => {
    it('creates a message natively: the upstream id in the body, the provider key as x-api-key, the version passed on', async () => {
      const before = mark();
      const params = { model: CLAUDE.id, max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user' as const, content: 'Say hello in five words' }] };
      const message = await anthropic().messages.create(params);
      expect(message.content).toEqual([{ type: 'text', text: `Hello from the anthropic demo, as ${CLAUDE.upstream}.` }]);
      expect(message).toMatchObject({ type: 'message', stop_reason: 'end_turn', usage: { input_tokens: 7 } });
      const [call, ...more] = world.callsSince(before);
      expect(more).toEqual([]);
      expect(call?.path).toBe('/anthropic/v1/messages');
      expect(call?.headers['x-api-key']).toBe(PROVIDER_KEYS.anthropic);
      expect(call?.headers['anthropic-version']).toEqual(expect.any(String));
      expect(JSON.parse(call?.body ?? '{}')).toEqual({ ...params, model: CLAUDE.upstream });
      expectNoClientKey(world.callsSince(before), key);
    });

    it('streams a tool call event by event, the query string and anthropic-beta passed on; finalMessage holds the parsed input', async () => {
      const before = mark();
      const beta = 'fine-grained-tool-streaming-2025-05-14,interleaved-thinking-2025-05-14';
      const stream = anthropic().messages.stream(
        { model: CLAUDE.id, max_tokens: 256, tools: [WEATHER_TOOL], messages: anthropicToolTurns().ask },
        { query: { beta: 'true' }, headers: { 'anthropic-beta': beta } },
      );
      const pieces: string[] = [];
      stream.on('inputJson', (piece) => pieces.push(piece));
      const message = await stream.finalMessage();
      expect(pieces.filter(Boolean).length).toBeGreaterThanOrEqual(3);
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content).toEqual([expect.objectContaining({ type: 'tool_use', name: WEATHER_TOOL.name, input: WEATHER_INPUT })]);
      const calls = world.callsSince(before);
      expect(calls.map((c) => c.path)).toEqual(['/anthropic/v1/messages?beta=true']);
      expect(calls[0]?.headers).toMatchObject({ 'anthropic-beta': beta, 'x-api-key': PROVIDER_KEYS.anthropic });
      expectNoClientKey(calls, key);
    });

    it('takes the client key as x-api-key too, as Claude Code sends it', async () => {
      const before = mark();
      const response = await fetch(`${world.worker.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: CLAUDE.id, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: `Hello from the anthropic demo, as ${CLAUDE.upstream}.` }] });
      expect(world.callsSince(before)[0]?.headers['anthropic-version']).toBe('2023-06-01');
      expectNoClientKey(world.callsSince(before), key);
    });

    it('counts tokens at the owner', async () => {
      const before = mark();
      const count = await anthropic().messages.countTokens({ model: CLAUDE.id, system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello in five words' }] });
      expect(count).toEqual({ input_tokens: 7 });
      expect(world.callsSince(before).map((c) => c.path)).toEqual(['/anthropic/v1/messages/count_tokens']);
    });

    it('pages the models list in Anthropic’s shape with limit, has_more and after_id: the same set the key sees in the OpenAI list', async () => {
      const first = await anthropic().models.list({ limit: 2 });
      expect(first.data).toHaveLength(2);
      expect(first.has_more).toBe(true);
      expect(first.last_id).toBe(first.data[1]?.id);
      const all: Anthropic.ModelInfo[] = [];
      for await (const model of anthropic().models.list({ limit: 2 })) all.push(model);
      for (const model of all) {
        expect(model).toMatchObject({ type: 'model', id: expect.any(String), display_name: expect.any(String), created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) });
        // Beside those, only the limits Anthropic's own list carries, where the owner gave them.
        expect(Object.keys(model).filter((k) => !['type', 'id', 'display_name', 'created_at', 'max_input_tokens', 'max_tokens'].includes(k))).toEqual([]);
      }
      const ids = all.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.toSorted()).toEqual((await openaiIds()).toSorted());
      // display_name is the model's name, created_at its release date, both as the owner listed them.
      expect(all.find((m) => m.id === CLAUDE.id)).toMatchObject({ type: 'model', id: CLAUDE.id, display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' });
      // A view applies to the Anthropic-shaped list as to the other.
      const viewed: string[] = [];
      for await (const model of anthropic(claudeOnly).models.list({ limit: 1000 })) viewed.push(model.id);
      expect(viewed.length).toBeGreaterThan(0);
      expect(viewed.every((id) => id.startsWith('anthropic/'))).toBe(true);
    });

    it('answers its own errors in Anthropic’s shape and passes the upstream’s through', async () => {
      const ask = { model: CLAUDE.id, max_tokens: 8, messages: [{ role: 'user' as const, content: 'hi' }] };
      await expect(anthropic('sk-me-not-a-real-key').messages.create(ask)).rejects.toMatchObject({ status: 401, error: { type: 'error', error: { type: 'authentication_error' } } });
      await expect(anthropic().messages.create({ ...ask, model: 'no-such-model' })).rejects.toMatchObject({ status: 404, error: { type: 'error', error: { type: 'not_found_error' } } });
      const before = mark();
      await expect(anthropic(openaiOnly).messages.create(ask)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
      await expect(anthropic(openaiOnly).messages.countTokens({ model: CLAUDE.id, messages: ask.messages })).rejects.toMatchObject({ status: 404 });
      expect(world.callsSince(before)).toEqual([]);
      await expect(anthropic().messages.create({ ...ask, messages: [{ role: 'user', content: CONTEXT_LENGTH_TRIGGER }] })).rejects.toMatchObject({
        status: 400,
        error: { type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('prompt is too long') } },
      });
    });
  });

  describe('Gemini, through @google/genai', () => {
    it('generates content natively at {baseUrl}/models/{upstream_id}:generateContent with the provider key as x-goog-api-key', async () => {
      const before = mark();
      const response = await gemini().models.generateContent({ model: GEMINI.id, contents: 'Say hello in five words' });
      expect(response.text).toBe(`Hello from the gemini demo, as ${GEMINI.upstream}.`);
      expect(response.usageMetadata?.promptTokenCount).toBe(5);
      const calls = world.callsSince(before);
      expect(calls.map((c) => c.path)).toEqual([`/gemini/v1beta/models/${GEMINI.upstream}:generateContent`]);
      expect(calls[0]?.headers['x-goog-api-key']).toBe(PROVIDER_KEYS.gemini);
      expectNoClientKey(calls, key);
    });

    it('streams content chunk by chunk, ?alt=sse kept', async () => {
      const before = mark();
      const texts: string[] = [];
      for await (const chunk of await gemini().models.generateContentStream({ model: GEMINI.id, contents: 'Hello?' })) texts.push(chunk.text ?? '');
      expect(texts.length).toBeGreaterThan(1);
      expect(texts.join('')).toBe(`Hello from the gemini demo, as ${GEMINI.upstream}.`);
      expect(world.callsSince(before).map((c) => c.path)).toEqual([`/gemini/v1beta/models/${GEMINI.upstream}:streamGenerateContent?alt=sse`]);
    });

    it('passes a streamed function call through and the function response back', async () => {
      const turns = geminiToolTurns();
      const chunks = [];
      for await (const chunk of await gemini().models.generateContentStream({ model: GEMINI.id, contents: turns.ask, config: { tools: turns.tools } })) chunks.push(chunk);
      expect(chunks.flatMap((chunk) => chunk.functionCalls ?? [])).toEqual([{ name: WEATHER_TOOL.name, args: WEATHER_INPUT }]);
      const answer = await gemini().models.generateContent({ model: GEMINI.id, contents: turns.answer(chunks[0]?.candidates?.[0]?.content), config: { tools: turns.tools } });
      expect(answer.text).toBe(`The tool answered; the gemini demo, as ${GEMINI.upstream}, is done.`);
    });

    it('counts tokens and embeds (batchEmbedContents from the SDK, embedContent with the key as ?key=)', async () => {
      expect((await gemini().models.countTokens({ model: GEMINI.id, contents: 'Count these four words' })).totalTokens).toBe(4);
      const embedded = await gemini().models.embedContent({ model: 'google/gemini-2.0-flash', contents: ['first text', 'second text'] });
      expect(embedded.embeddings?.map((e) => e.values?.length)).toEqual([8, 8]);
      const before = mark();
      const raw = await fetch(`${world.worker.url}/v1beta/models/google%2Fgemini-2.0-flash:embedContent?key=${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: { parts: [{ text: 'one text' }] } }),
      });
      expect(raw.status).toBe(200);
      expect(((await raw.json()) as { embedding: { values: number[] } }).embedding.values).toHaveLength(8);
      const calls = world.callsSince(before);
      expect(calls.map((c) => c.path)).toEqual(['/gemini/v1beta/models/gemini-2.0-flash:embedContent']);
      expectNoClientKey(calls, key);
    });

    it('lists the key’s models in Gemini’s shape, paged by pageSize and pageToken', async () => {
      const pager = await gemini().models.list({ config: { pageSize: 4 } });
      expect(pager.page.length).toBeLessThanOrEqual(4);
      const names: string[] = [];
      for await (const model of pager) names.push(model.name ?? '');
      // What the Gemini routes can call: every model of the key (other owners' through translation, prefix
      // and all), but another owner's embedding model.
      const callable = (await openaiIds()).filter((id) => id.startsWith('google/') || !/embed/i.test(id));
      expect(callable.filter((id) => id.startsWith('google/')).length).toBeGreaterThan(4);
      expect(callable.some((id) => !id.startsWith('google/'))).toBe(true);
      expect(names.toSorted()).toEqual(callable.map((id) => `models/${id}`).toSorted());
      const flash = (await gemini().models.list({ config: { pageSize: 1000 } })).page.find((m) => m.name === `models/${GEMINI.id}`);
      expect(flash).toMatchObject({ displayName: 'Gemini 2.5 Flash', inputTokenLimit: 1048576, outputTokenLimit: 65536 });
    });

    it('answers its own errors in Google’s shape: a bad key, a model outside the key’s view', async () => {
      const bad = await gemini('sk-me-not-a-real-key').models.generateContent({ model: GEMINI.id, contents: 'hi' }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(ApiError);
      expect(bad).toMatchObject({ status: 401 });
      const before = mark();
      const outside = await fetch(`${world.worker.url}/v1beta/models/${GEMINI.id}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': claudeOnly, 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
      });
      expect(outside.status).toBe(404);
      expect(await outside.json()).toEqual({ error: { code: 404, message: expect.any(String), status: 'NOT_FOUND' } });
      expect(world.callsSince(before)).toEqual([]);
    });
  });

  describe('OpenAI Responses, through the openai client', () => {
    it('creates a response at the owner’s /responses, the provider key as Bearer', async () => {
      const before = mark();
      const response = await openai().responses.create({ model: GPT, input: 'Say hello in five words' });
      expect(response.output_text).toBe(`Hello from the openai demo, as ${GPT}.`);
      const calls = world.callsSince(before);
      expect(calls.map((c) => c.path)).toEqual(['/openai/v1/responses']);
      expect(calls[0]?.headers.authorization).toBe(`Bearer ${PROVIDER_KEYS.openai}`);
      expectNoClientKey(calls, key);
    });

    it('streams a response event by event', async () => {
      const types: string[] = [];
      let text = '';
      for await (const event of await openai().responses.create({ model: GPT, input: 'Hello?', stream: true })) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      expect(types[0]).toBe('response.created');
      expect(types.at(-1)).toBe('response.completed');
      expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(1);
      expect(text).toBe(`Hello from the openai demo, as ${GPT}.`);
    });

    it('passes a function call streamed in pieces through, and its output back', async () => {
      const turns = responsesToolTurns();
      let completed: OpenAI.Responses.Response | undefined;
      let deltas = 0;
      for await (const event of await openai().responses.create({ model: GPT, input: turns.ask, tools: [turns.tool], stream: true })) {
        if (event.type === 'response.function_call_arguments.delta') deltas++;
        if (event.type === 'response.completed') completed = event.response;
      }
      expect(deltas).toBeGreaterThanOrEqual(3);
      const [call] = completed?.output ?? [];
      expect(call).toMatchObject({ type: 'function_call', name: WEATHER_TOOL.name });
      expect(JSON.parse(call?.type === 'function_call' ? call.arguments : '')).toEqual(WEATHER_INPUT);
      if (completed === undefined) return;
      const answer = await openai().responses.create({ model: GPT, input: turns.answer(completed), tools: [turns.tool] });
      expect(answer.output_text).toBe(`The tool answered; the openai demo, as ${GPT}, is done.`);
    });

    it('applies the key’s view: a model outside it is model_not_found, no upstream called', async () => {
      const before = mark();
      await expect(openai(claudeOnly).responses.create({ model: GPT, input: 'hi' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
      expect(world.callsSince(before)).toEqual([]);
    });
  });
});
