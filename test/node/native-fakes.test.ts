/**
 * The fake providers' native endpoints (fake-providers/upstream-native*.ts) and the OpenAI-compatible
 * tool calls (fake-providers/upstream-inference.ts), driven by the official SDKs pointed straight at
 * them, no worker between: if a fake's shape drifts from what the real clients parse, this fails.
 */
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_LENGTH_TRIGGER } from '../../fake-providers/upstream-inference.ts';
import { OVERLOADED_TRIGGER } from '../../fake-providers/upstream-native.ts';
import { startUpstreams, type Kind, type RunningUpstreams } from '../../fake-providers/upstreams.ts';
import { anthropicToolTurns, geminiToolTurns, openaiToolTurns, responsesToolTurns, WEATHER_INPUT, WEATHER_TOOL } from '../fixtures/native/conversations.ts';

const KEYS: Record<Kind, string> = {
  openai: 'sk-native-fakes-openai-0123456789',
  anthropic: 'sk-ant-native-fakes-0123456789',
  gemini: 'AIza-native-fakes-gemini-0123456789',
  ollama: 'native-fakes-ollama-0123456789',
};
const CLAUDE = 'claude-sonnet-4-5-20250929';
/** Milliseconds between streamed pieces in the drip test: only lower bounds on time are asserted. */
const DRIP_MS = 60;
const GEMINI = 'gemini-2.5-flash';

let upstreams: RunningUpstreams;

beforeAll(async () => {
  upstreams = await startUpstreams({ keys: KEYS, chunks: 4 });
});

afterAll(async () => {
  await upstreams?.close();
});

const last = () => upstreams.state.received.at(-1);
const anthropic = (apiKey = KEYS.anthropic) => new Anthropic({ baseURL: `${upstreams.origin}/anthropic`, apiKey, maxRetries: 0 });
/** @google/genai 3 calls `/v1/…` unless told `v1beta`, the version models-edge and its fakes' base URLs use. */
const gemini = (apiKey = KEYS.gemini, apiVersion = 'v1beta') =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: `${upstreams.origin}/gemini`, apiVersion, retryOptions: { attempts: 1 } } });
const openai = (kind: 'openai' | 'ollama' = 'openai', apiKey = KEYS[kind]) => new OpenAI({ baseURL: `${upstreams.origin}/${kind}/v1`, apiKey, maxRetries: 0 });

describe('the Anthropic Messages fake, through @anthropic-ai/sdk', () => {
  it('answers a message naming the model, with a usage the count_tokens endpoint agrees with', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Say hello in five words' }];
    const message = await anthropic().messages.create({ model: CLAUDE, max_tokens: 64, system: 'Be brief.', messages });
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: CLAUDE, stop_reason: 'end_turn', stop_sequence: null });
    expect(message.content).toEqual([{ type: 'text', text: `Hello from the anthropic demo, as ${CLAUDE}.` }]);
    expect(message.usage.input_tokens).toBe(7);
    expect(last()).toMatchObject({ path: '/anthropic/v1/messages', headers: { 'anthropic-version': expect.any(String) } });

    const count = await anthropic().messages.countTokens({ model: CLAUDE, system: 'Be brief.', messages });
    expect(count).toEqual({ input_tokens: 7 });
    expect(last()?.path).toBe('/anthropic/v1/messages/count_tokens');
  });

  it('streams text that the SDK assembles into the same message, keeping the query string and beta header it was sent', async () => {
    const stream = anthropic().messages.stream(
      { model: CLAUDE, max_tokens: 64, messages: [{ role: 'user', content: 'Hello?' }] },
      { query: { beta: 'true' }, headers: { 'anthropic-beta': 'fine-grained-tool-streaming-2025-05-14' } },
    );
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(`Hello from the anthropic demo, as ${CLAUDE}.`);
    expect(message.content).toEqual([{ type: 'text', text: deltas.join('') }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(last()).toMatchObject({ path: '/anthropic/v1/messages?beta=true', headers: { 'anthropic-beta': 'fine-grained-tool-streaming-2025-05-14' } });
  });

  it('calls the tool it is given, its input sent in several JSON pieces, then answers text after the tool result', async () => {
    const turns = anthropicToolTurns();
    const stream = anthropic().messages.stream({ model: CLAUDE, max_tokens: 256, tools: [WEATHER_TOOL], messages: turns.ask });
    const pieces: string[] = [];
    stream.on('inputJson', (piece) => pieces.push(piece));
    const call = await stream.finalMessage();
    expect(pieces.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(call.stop_reason).toBe('tool_use');
    expect(call.content).toEqual([expect.objectContaining({ type: 'tool_use', name: WEATHER_TOOL.name, input: WEATHER_INPUT, id: expect.stringMatching(/^toolu_/) })]);

    const answer = await anthropic().messages.create({ model: CLAUDE, max_tokens: 256, tools: [WEATHER_TOOL], messages: turns.answer(call) });
    expect(answer.stop_reason).toBe('end_turn');
    expect(answer.content).toEqual([{ type: 'text', text: `The tool answered; the anthropic demo, as ${CLAUDE}, is done.` }]);

    const unstreamed = await anthropic().messages.create({ model: CLAUDE, max_tokens: 256, tools: [WEATHER_TOOL], tool_choice: { type: 'tool', name: WEATHER_TOOL.name }, messages: turns.ask });
    expect(unstreamed.content).toEqual([expect.objectContaining({ type: 'tool_use', name: WEATHER_TOOL.name, input: WEATHER_INPUT })]);
  });

  it("answers Anthropic's own errors: a wrong key, a missing version header, a prompt over the context window", async () => {
    await expect(anthropic('sk-ant-wrong').messages.create({ model: CLAUDE, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    });
    const raw = await fetch(`${upstreams.origin}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.anthropic, 'content-type': 'application/json' },
      body: JSON.stringify({ model: CLAUDE, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    await expect(anthropic().messages.create({ model: CLAUDE, max_tokens: 8, messages: [{ role: 'user', content: CONTEXT_LENGTH_TRIGGER }] })).rejects.toMatchObject({
      status: 400,
      error: { error: { type: 'invalid_request_error', message: expect.stringContaining('prompt is too long') } },
    });
  });
});

describe('the Gemini fake, through @google/genai', () => {
  it('generates content at /v1beta/models/{model}:generateContent with the key in x-goog-api-key', async () => {
    const response = await gemini().models.generateContent({ model: GEMINI, contents: 'Say hello in five words' });
    expect(response.text).toBe(`Hello from the gemini demo, as ${GEMINI}.`);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.promptTokenCount).toBe(5);
    expect(last()).toMatchObject({ path: `/gemini/v1beta/models/${GEMINI}:generateContent`, headers: { 'x-goog-api-key': KEYS.gemini } });

    // Left to its default, the SDK calls v1, which Gemini (and the fake) serve as well.
    expect((await gemini(KEYS.gemini, 'v1').models.generateContent({ model: GEMINI, contents: 'hi' })).text).toBe(response.text);
    expect(last()?.path).toBe(`/gemini/v1/models/${GEMINI}:generateContent`);
  });

  it('streams content as server-sent events with ?alt=sse, or as one JSON array without it', async () => {
    const texts: string[] = [];
    let finish: string | undefined;
    for await (const chunk of await gemini().models.generateContentStream({ model: GEMINI, contents: 'Hello?' })) {
      texts.push(chunk.text ?? '');
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
    }
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe(`Hello from the gemini demo, as ${GEMINI}.`);
    expect(finish).toBe('STOP');
    expect(last()?.path).toBe(`/gemini/v1beta/models/${GEMINI}:streamGenerateContent?alt=sse`);

    const raw = await fetch(`${upstreams.origin}/gemini/v1beta/models/${GEMINI}:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEYS.gemini, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello?' }] }] }),
    });
    const array = (await raw.json()) as { candidates: { content: { parts: { text: string }[] } }[] }[];
    expect(array.map((chunk) => chunk.candidates[0]?.content.parts[0]?.text).join('')).toBe(texts.join(''));
  });

  it('counts tokens and embeds one text (embedContent) or several (the SDK batches them)', async () => {
    expect((await gemini().models.countTokens({ model: GEMINI, contents: 'Count these four words' })).totalTokens).toBe(4);
    const embedded = await gemini().models.embedContent({ model: 'gemini-embedding-001', contents: ['first text', 'second text'] });
    expect(embedded.embeddings?.map((e) => e.values?.length)).toEqual([8, 8]);
    expect(embedded.embeddings?.[0]?.values).not.toEqual(embedded.embeddings?.[1]?.values);
    expect(last()?.path).toBe('/gemini/v1beta/models/gemini-embedding-001:batchEmbedContents');

    const raw = await fetch(`${upstreams.origin}/gemini/v1beta/models/gemini-embedding-001:embedContent?key=${KEYS.gemini}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'one text' }] } }),
    });
    expect(((await raw.json()) as { embedding: { values: number[] } }).embedding.values).toHaveLength(8);
  });

  it('calls a declared function, whole in one chunk when streamed, then answers text after the function response', async () => {
    const turns = geminiToolTurns();
    const called = await gemini().models.generateContent({ model: GEMINI, contents: turns.ask, config: { tools: turns.tools } });
    expect(called.functionCalls).toEqual([{ name: WEATHER_TOOL.name, args: WEATHER_INPUT }]);
    const chunks = [];
    for await (const chunk of await gemini().models.generateContentStream({ model: GEMINI, contents: turns.ask, config: { tools: turns.tools } })) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.functionCalls)).toEqual([[{ name: WEATHER_TOOL.name, args: WEATHER_INPUT }]]);
    const answer = await gemini().models.generateContent({ model: GEMINI, contents: turns.answer(called.candidates?.[0]?.content), config: { tools: turns.tools } });
    expect(answer.functionCalls).toBeUndefined();
    expect(answer.text).toBe(`The tool answered; the gemini demo, as ${GEMINI}, is done.`);
  });

  it("answers Google's own errors: an unknown key, no key at all, a prompt over the context window", async () => {
    const wrong = await gemini('AIza-wrong').models.generateContent({ model: GEMINI, contents: 'hi' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ApiError);
    expect(wrong).toMatchObject({ status: 400, message: expect.stringContaining('API key not valid') });
    const anonymous = await fetch(`${upstreams.origin}/gemini/v1beta/models/${GEMINI}:generateContent`, { method: 'POST', body: '{"contents":[]}' });
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toEqual({ error: { code: 403, message: expect.any(String), status: 'PERMISSION_DENIED' } });
    const long = await gemini().models.generateContent({ model: GEMINI, contents: CONTEXT_LENGTH_TRIGGER }).catch((e: unknown) => e);
    expect(long).toMatchObject({ status: 400, message: expect.stringContaining('exceeds the maximum number of tokens') });
  });
});

describe('the OpenAI Responses fake, through the openai client', () => {
  it('creates a response naming the model', async () => {
    const response = await openai().responses.create({ model: 'gpt-4o', input: 'Say hello in five words' });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-4o', usage: { input_tokens: 5 } });
    expect(response.output_text).toBe('Hello from the openai demo, as gpt-4o.');
    expect(last()).toMatchObject({ path: '/openai/v1/responses', headers: { authorization: `Bearer ${KEYS.openai}` } });
  });

  it('streams its events in order, the deltas making the completed text', async () => {
    const stream = await openai().responses.create({ model: 'gpt-4o', input: 'Hello?', stream: true });
    const types: string[] = [];
    const sequence: number[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((type) => type === 'response.output_text.delta').length).toBeGreaterThan(1);
    expect(types.at(-1)).toBe('response.completed');
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(text).toBe('Hello from the openai demo, as gpt-4o.');
    expect(completed).toMatchObject({ status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text }] }], usage: { output_tokens: expect.any(Number) } });
  });

  it('calls a function tool, its arguments streamed in pieces, then answers text after the call output', async () => {
    const turns = responsesToolTurns();
    const called = await openai().responses.create({ model: 'gpt-4o', input: turns.ask, tools: [turns.tool] });
    expect(called.output).toEqual([expect.objectContaining({ type: 'function_call', name: WEATHER_TOOL.name, call_id: expect.stringMatching(/^call_/) })]);
    const [item] = called.output;
    expect(JSON.parse(item?.type === 'function_call' ? item.arguments : '')).toEqual(WEATHER_INPUT);
    const deltas: string[] = [];
    let streamedArguments: string | undefined;
    for await (const event of await openai().responses.create({ model: 'gpt-4o', input: turns.ask, tools: [turns.tool], stream: true })) {
      if (event.type === 'response.function_call_arguments.delta') deltas.push(event.delta);
      if (event.type === 'response.function_call_arguments.done') streamedArguments = event.arguments;
    }
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.join('')).toBe(streamedArguments);
    const answer = await openai().responses.create({ model: 'gpt-4o', input: turns.answer(called), tools: [turns.tool] });
    expect(answer.output_text).toBe('The tool answered; the openai demo, as gpt-4o, is done.');
  });

  it("answers OpenAI's own errors: a wrong key, a prompt over the context window", async () => {
    await expect(openai('openai', 'sk-wrong').responses.create({ model: 'gpt-4o', input: 'hi' })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await expect(openai().responses.create({ model: 'gpt-4o', input: CONTEXT_LENGTH_TRIGGER })).rejects.toMatchObject({ status: 400, code: 'context_length_exceeded', param: 'input' });
  });
});

describe.each(['openai', 'ollama'] as const)('tool calls of the %s chat fake, through the openai client', (kind) => {
  it('streams a tool call the stream helper assembles, with usage last when asked for', async () => {
    const turns = openaiToolTurns();
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    const stream = openai(kind).chat.completions.stream({ model: 'some-model', messages: turns.ask, tools: [turns.tool], stream_options: { include_usage: true } });
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const completion = await stream.finalChatCompletion();
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls).toEqual([expect.objectContaining({ type: 'function', id: expect.stringMatching(/^call_/), function: expect.objectContaining({ name: WEATHER_TOOL.name }) })]);
    const [call] = choice?.message.tool_calls ?? [];
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toEqual(WEATHER_INPUT);
    // OpenAI sends the arguments in pieces, naming the call in the first only; Ollama the whole call at once.
    const callChunks = chunks.filter((c) => (c.choices[0]?.delta.tool_calls?.length ?? 0) > 0);
    expect(callChunks.length > 2).toBe(kind === 'openai');
    expect(callChunks.slice(1).every((c) => c.choices[0]?.delta.tool_calls?.[0]?.id === undefined)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
    // Until then OpenAI sends `usage: null`; Ollama leaves the field out.
    expect(chunks.slice(0, -1).map((c) => c.usage)).toEqual(chunks.slice(0, -1).map(() => (kind === 'openai' ? null : undefined)));
  });

  it('answers a tool call unstreamed, then text after the tool result, and no usage chunk unless asked', async () => {
    const turns = openaiToolTurns();
    const called = await openai(kind).chat.completions.create({ model: 'some-model', messages: turns.ask, tools: [turns.tool] });
    expect(called.choices[0]?.finish_reason).toBe('tool_calls');
    const message = called.choices[0]?.message;
    expect(message?.tool_calls).toHaveLength(1);

    const stream = await openai(kind).chat.completions.create({ model: 'some-model', messages: turns.answer(message), tools: [turns.tool], stream: true });
    let text = '';
    let usageSeen = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usageSeen ||= 'usage' in chunk;
    }
    expect(text).toBe(`The tool answered; the ${kind} demo, as some-model, is done.`);
    expect(usageSeen).toBe(false);
  });
});

describe('usage where each API reports it', () => {
  /** The usage the fake noted on the call it last answered: what the SDK's own shape must add up to. */
  const noted = () => last()?.usage;

  it('holds cached input on a follow-up turn, in each API’s own place, and the fake notes the same', async () => {
    const anthropicTurns = anthropicToolTurns();
    const call = await anthropic().messages.create({ model: CLAUDE, max_tokens: 64, tools: [WEATHER_TOOL], messages: anthropicTurns.ask });
    expect(call.usage.cache_read_input_tokens).toBe(0);
    const answer = await anthropic().messages.create({ model: CLAUDE, max_tokens: 64, tools: [WEATHER_TOOL], messages: anthropicTurns.answer(call) });
    // Anthropic counts cached tokens apart from input_tokens; the question (8 words) is the cached prefix.
    expect(answer.usage).toMatchObject({ cache_read_input_tokens: 8, input_tokens: 4 });
    expect(noted()).toEqual({ input: 12, cachedInput: 8, output: answer.usage.output_tokens, reasoning: 0 });

    const chatTurns = openaiToolTurns();
    const called = await openai().chat.completions.create({ model: 'gpt-4o', messages: chatTurns.ask, tools: [chatTurns.tool] });
    expect(called.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const chat = await openai().chat.completions.create({ model: 'gpt-4o', messages: chatTurns.answer(called.choices[0]?.message), tools: [chatTurns.tool] });
    expect(chat.usage?.prompt_tokens_details?.cached_tokens).toBe(8);
    expect(noted()).toMatchObject({ input: chat.usage?.prompt_tokens, cachedInput: 8 });

    const geminiTurns = geminiToolTurns();
    const first = await gemini().models.generateContent({ model: GEMINI, contents: geminiTurns.ask, config: { tools: geminiTurns.tools } });
    expect(first.usageMetadata?.cachedContentTokenCount).toBeUndefined();
    const second = await gemini().models.generateContent({ model: GEMINI, contents: geminiTurns.answer(first.candidates?.[0]?.content), config: { tools: geminiTurns.tools } });
    expect(second.usageMetadata?.cachedContentTokenCount).toBe(8);
    expect(noted()).toMatchObject({ input: second.usageMetadata?.promptTokenCount, cachedInput: 8 });
  });

  it('counts a reasoning model’s reasoning in its output: OpenAI’s reasoning_tokens, Gemini 2.5’s thoughtsTokenCount (not with a budget of 0)', async () => {
    const chat = await openai().chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'Hello?' }] });
    expect(chat.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect(chat.usage?.completion_tokens).toBeGreaterThan(chat.usage?.completion_tokens_details?.reasoning_tokens ?? 0);
    expect((await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello?' }] })).usage?.completion_tokens_details?.reasoning_tokens).toBe(0);

    const response = await openai().responses.create({ model: 'gpt-5', input: 'Hello?' });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.output_text).toBe('Hello from the openai demo, as gpt-5.');
    expect(noted()).toMatchObject({ reasoning: response.usage?.output_tokens_details.reasoning_tokens, output: response.usage?.output_tokens });

    const chunks = [];
    for await (const chunk of await gemini().models.generateContentStream({ model: GEMINI, contents: 'Hello?' })) chunks.push(chunk);
    const usage = chunks.at(-1)?.usageMetadata;
    expect(usage?.thoughtsTokenCount).toBeGreaterThan(0);
    expect(usage?.totalTokenCount).toBe((usage?.promptTokenCount ?? 0) + (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0));
    expect(noted()?.output).toBe((usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0));
    const unthinking = await gemini().models.generateContent({ model: GEMINI, contents: 'Hello?', config: { thinkingConfig: { thinkingBudget: 0 } } });
    expect(unthinking.usageMetadata?.thoughtsTokenCount).toBeUndefined();
  });
});

describe('failures on the provider’s side and drip-fed streams', () => {
  it('answers an overloaded provider in its own way, before a stream and within one', async () => {
    const ask = { model: CLAUDE, max_tokens: 8, messages: [{ role: 'user' as const, content: OVERLOADED_TRIGGER }] };
    await expect(anthropic().messages.create(ask)).rejects.toMatchObject({ status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } });
    await expect(anthropic().messages.stream(ask).finalMessage()).rejects.toMatchObject({ error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    await expect(gemini().models.generateContent({ model: GEMINI, contents: OVERLOADED_TRIGGER })).rejects.toMatchObject({ status: 503, message: expect.stringContaining('UNAVAILABLE') });
    await expect(openai().responses.create({ model: 'gpt-4o', input: OVERLOADED_TRIGGER })).rejects.toMatchObject({ status: 500, type: 'server_error' });
    const types: string[] = [];
    for await (const event of await openai().responses.create({ model: 'gpt-4o', input: OVERLOADED_TRIGGER, stream: true })) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.failed']);
  });

  it('drip-feeds every native stream: the first text arrives several pieces before the last', async () => {
    const { dripMs } = upstreams.state;
    upstreams.state.dripMs = DRIP_MS;
    try {
      const streams: Record<string, () => Promise<AsyncIterable<unknown>>> = {
        anthropic: async () => anthropic().messages.stream({ model: CLAUDE, max_tokens: 64, messages: [{ role: 'user', content: 'Hello?' }] }),
        gemini: () => gemini().models.generateContentStream({ model: GEMINI, contents: 'Hello?' }),
        responses: () => openai().responses.create({ model: 'gpt-4o', input: 'Hello?', stream: true }),
      };
      for (const [name, open] of Object.entries(streams)) {
        const started = Date.now();
        const arrivals: number[] = [];
        for await (const _ of await open()) arrivals.push(Date.now());
        const first = arrivals[0] ?? started;
        const end = arrivals.at(-1) ?? started;
        // Gemini's stream is its text chunks alone (4 of them); the others have more events around the text.
        expect(end - first, name).toBeGreaterThanOrEqual(3 * DRIP_MS * 0.9);
      }
    } finally {
      upstreams.state.dripMs = dripMs;
    }
  });
});

describe('tool picks: the tool a real agent allows, with arguments that work', () => {
  const LOOKUP_SCHEMA = { type: 'object' as const, properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query'] };
  const LOOKUP_INPUT = { query: 'models-edge' };

  it('every dialect calls the first offered pick with its arguments, not the first tool; tool_choice still wins', async () => {
    const { toolPicks } = upstreams.state;
    upstreams.state.toolPicks = [{ name: 'not_offered' }, { name: 'lookup', arguments: LOOKUP_INPUT }, { name: WEATHER_TOOL.name }];
    try {
      const ask = [{ role: 'user' as const, content: 'Look it up.' }];
      const messages = await anthropic().messages.create({ model: CLAUDE, max_tokens: 64, tools: [WEATHER_TOOL, { name: 'lookup', input_schema: LOOKUP_SCHEMA }], messages: ask });
      expect(messages.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'lookup', input: LOOKUP_INPUT })]);
      const forced = await anthropic().messages.create({ model: CLAUDE, max_tokens: 64, tools: [WEATHER_TOOL, { name: 'lookup', input_schema: LOOKUP_SCHEMA }], tool_choice: { type: 'tool', name: WEATHER_TOOL.name }, messages: ask });
      expect(forced.content).toEqual([expect.objectContaining({ type: 'tool_use', name: WEATHER_TOOL.name, input: WEATHER_INPUT })]);

      const declarations = [{ name: WEATHER_TOOL.name, parametersJsonSchema: WEATHER_TOOL.input_schema }, { name: 'lookup', parametersJsonSchema: LOOKUP_SCHEMA }];
      const generated = await gemini().models.generateContent({ model: GEMINI, contents: 'Look it up.', config: { tools: [{ functionDeclarations: declarations }] } });
      expect(generated.functionCalls).toEqual([{ name: 'lookup', args: LOOKUP_INPUT }]);

      const response = await openai().responses.create({ model: 'gpt-4o', input: 'Look it up.', tools: [{ type: 'function', name: 'lookup', parameters: LOOKUP_SCHEMA, strict: false }, { type: 'function', name: WEATHER_TOOL.name, parameters: WEATHER_TOOL.input_schema, strict: false }] });
      const [item] = response.output;
      expect(item?.type === 'function_call' ? [item.name, JSON.parse(item.arguments)] : item).toEqual(['lookup', LOOKUP_INPUT]);

      // A pick without arguments gets the schema's example, like any tool.
      upstreams.state.toolPicks = [{ name: WEATHER_TOOL.name }];
      const chat = await openai('ollama').chat.completions.create({
        model: 'some-model',
        messages: ask,
        tools: [{ type: 'function', function: { name: 'lookup', parameters: LOOKUP_SCHEMA } }, { type: 'function', function: { name: WEATHER_TOOL.name, parameters: WEATHER_TOOL.input_schema } }],
      });
      const [call] = chat.choices[0]?.message.tool_calls ?? [];
      expect(call?.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : call).toEqual([WEATHER_TOOL.name, WEATHER_INPUT]);
    } finally {
      upstreams.state.toolPicks = toolPicks;
    }
  });
});
