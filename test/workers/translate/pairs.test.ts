/**
 * @module Every owner's stream through every client's writer (contract §15: one reader and one writer per
 * dialect, every pair): an owner's recorded-shape SSE body goes through the pipe, split into small byte
 * pieces, and the client's stream, read back the way its SDK adds it up, must say what the owner said:
 * the same text, the same calls (name, parsed arguments), the same stop reason and the same usage totals,
 * with the name the client asked for as the answer's model.
 */
import { describe, expect, it } from 'vitest';
import type { ClientDialect, OwnerDialect } from '../../../src/translate/codec.ts';
import { chatClient, chatOwner } from '../../../src/translate/chat/index.ts';
import { geminiClient, geminiOwner } from '../../../src/translate/gemini/index.ts';
import type { Request, Usage } from '../../../src/translate/ir.ts';
import { messagesClient, messagesOwner } from '../../../src/translate/messages/index.ts';
import { translateStream } from '../../../src/translate/pipe.ts';
import { responsesClient } from '../../../src/translate/responses/index.ts';
import { sseParser } from '../../../src/translate/sse.ts';

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const sse = (datas: unknown[]): string => datas.map((data) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');
const named = (events: Array<[string, unknown]>): string => events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');

/** What a client saw, in neutral terms: prompt tokens counted with cached ones (every dialect but Messages counts them that way). */
type Seen = {
  model: string;
  text: string;
  calls: Array<{ name: string; args: unknown }>;
  stop: string;
  usage: { prompt: number; cached: number; output: number };
  error?: string;
};

/** An owner's stream and what it says. */
type OwnerCase = { owner: OwnerDialect; body: string; text: string; calls: Array<{ name: string; args: unknown }>; stop: 'tool_use' | 'end' | 'max_tokens'; usage: Seen['usage'] };

const calls = [
  { name: 'get_weather', args: { city: 'Paris', note: 'say "}" if cold' } },
  { name: 'get_time', args: { tz: 'UTC' } },
];
/** The streams' calls: the two above and one of a tool without parameters. */
const streamed = [...calls, { name: 'list_files', args: {} }];

/** OpenAI: text, two calls interleaved by index with arguments split mid-string, the finish, the usage chunk after it. */
const chatHead = { id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1764650000, model: 'gpt-4.1', system_fingerprint: 'fp_1' };
const chunk = (delta: Json, finish: string | null = null) => ({ ...chatHead, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const chatTools = sse([
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Let me ' }),
  chunk({ content: 'check.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Pa' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'ris","note":"say \\"}\\" if cold"}' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '"UTC"}' } }] }),
  // A tool without parameters: no argument piece at all.
  chunk({ tool_calls: [{ index: 2, id: 'call_c', type: 'function', function: { name: 'list_files', arguments: '' } }] }),
  chunk({}, 'tool_calls'),
  { ...chatHead, choices: [], usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, prompt_tokens_details: { cached_tokens: 40, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 10, audio_tokens: 0 } } },
  '[DONE]',
]);
const chatLength = sse([
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'A long ' }),
  chunk({ content: 'story' }),
  chunk({}, 'length'),
  { ...chatHead, choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } },
  '[DONE]',
]);

/** Anthropic: message_start with cache usage, text, two tool_use blocks with split input_json_delta, message_delta, message_stop. */
const block = (index: number, content_block: Json): [string, unknown] => ['content_block_start', { type: 'content_block_start', index, content_block }];
const delta = (index: number, d: Json): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index, delta: d }];
const blockStop = (index: number): [string, unknown] => ['content_block_stop', { type: 'content_block_stop', index }];
const messageStart = (usage: Json): [string, unknown] => ['message_start', { type: 'message_start', message: { id: 'msg_01XYZ', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage } }];
const messagesTools = named([
  messageStart({ input_tokens: 60, cache_creation_input_tokens: 0, cache_read_input_tokens: 40, output_tokens: 1 }),
  block(0, { type: 'text', text: '' }),
  ['ping', { type: 'ping' }],
  delta(0, { type: 'text_delta', text: 'Let me ' }),
  delta(0, { type: 'text_delta', text: 'check.' }),
  blockStop(0),
  block(1, { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }),
  delta(1, { type: 'input_json_delta', partial_json: '' }),
  delta(1, { type: 'input_json_delta', partial_json: '{"city": "Pa' }),
  delta(1, { type: 'input_json_delta', partial_json: 'ris", "note": "say \\"}\\" if cold"}' }),
  blockStop(1),
  block(2, { type: 'tool_use', id: 'toolu_b', name: 'get_time', input: {} }),
  delta(2, { type: 'input_json_delta', partial_json: '{"tz": "UTC"}' }),
  blockStop(2),
  // A tool without parameters, as Anthropic streams it: an empty input_json_delta.
  block(3, { type: 'tool_use', id: 'toolu_c', name: 'list_files', input: {} }),
  delta(3, { type: 'input_json_delta', partial_json: '' }),
  blockStop(3),
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 50 } }],
  ['message_stop', { type: 'message_stop' }],
]);
const messagesLength = named([
  messageStart({ input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }),
  block(0, { type: 'text', text: '' }),
  delta(0, { type: 'text_delta', text: 'A long ' }),
  delta(0, { type: 'text_delta', text: 'story' }),
  blockStop(0),
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 5 } }],
  ['message_stop', { type: 'message_stop' }],
]);

/** Gemini: text, then both calls whole in one chunk with the finish and running usage (cached inside the prompt, thoughts outside the candidates). */
const geminiChunk = (parts: Json[], extra: Json = {}, usage?: Json) => ({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }], ...(usage ? { usageMetadata: usage } : {}), modelVersion: 'gemini-2.5-flash', responseId: 'resp-gem-1' });
const geminiTools = sse([
  geminiChunk([{ text: 'Let me ' }], {}, { promptTokenCount: 100, candidatesTokenCount: 2, totalTokenCount: 112, thoughtsTokenCount: 10, cachedContentTokenCount: 40 }),
  geminiChunk([{ text: 'check.' }]),
  geminiChunk([{ functionCall: { name: 'get_weather', args: calls[0]?.args }, thoughtSignature: 'c2lnbmF0dXJl' }, { functionCall: { name: 'get_time', args: calls[1]?.args } }, { functionCall: { name: 'list_files', args: {} } }], { finishReason: 'STOP' }, { promptTokenCount: 100, candidatesTokenCount: 40, totalTokenCount: 150, thoughtsTokenCount: 10, cachedContentTokenCount: 40 }),
]).replaceAll('\n\n', '\r\n\r\n');
const geminiLength = sse([
  geminiChunk([{ text: 'A long ' }]),
  geminiChunk([{ text: 'story' }], { finishReason: 'MAX_TOKENS' }, { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 }),
]).replaceAll('\n\n', '\r\n\r\n');

const OWNERS: Record<string, OwnerCase[]> = {
  chat: [
    { owner: chatOwner, body: chatTools, text: 'Let me check.', calls: streamed, stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } },
    { owner: chatOwner, body: chatLength, text: 'A long story', calls: [], stop: 'max_tokens', usage: { prompt: 12, cached: 0, output: 5 } },
  ],
  messages: [
    { owner: messagesOwner, body: messagesTools, text: 'Let me check.', calls: streamed, stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } },
    { owner: messagesOwner, body: messagesLength, text: 'A long story', calls: [], stop: 'max_tokens', usage: { prompt: 12, cached: 0, output: 5 } },
  ],
  gemini: [
    { owner: geminiOwner, body: geminiTools, text: 'Let me check.', calls: streamed, stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } },
    { owner: geminiOwner, body: geminiLength, text: 'A long story', calls: [], stop: 'max_tokens', usage: { prompt: 12, cached: 0, output: 5 } },
  ],
};

/** Each client's stream read back as its SDK adds it up. */
type ClientCase = { client: ClientDialect; read(events: Json[]): Seen };

const parse = (data: string): Json => record(JSON.parse(data));

const CLIENTS: Record<string, ClientCase> = {
  chat: {
    client: chatClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      const args: string[] = [];
      for (const event of events) {
        if (event.error !== undefined) seen.error = String(record(event.error).message);
        if (typeof event.model === 'string') seen.model = event.model;
        const usage = record(event.usage);
        if (event.usage !== undefined && event.usage !== null) seen.usage = { prompt: Number(usage.prompt_tokens), cached: Number(record(usage.prompt_tokens_details).cached_tokens ?? 0), output: Number(usage.completion_tokens) };
        for (const choice of list(event.choices)) {
          const d = record(record(choice).delta);
          if (typeof d.content === 'string') seen.text += d.content;
          for (const call of list(d.tool_calls)) {
            const entry = record(call);
            const index = Number(entry.index);
            const fn = record(entry.function);
            if (typeof fn.name === 'string') seen.calls[index] = { name: fn.name, args: undefined };
            args[index] = (args[index] ?? '') + String(fn.arguments ?? '');
          }
          const finish = record(choice).finish_reason;
          if (typeof finish === 'string') seen.stop = { tool_calls: 'tool_use', stop: 'end', length: 'max_tokens' }[finish] ?? finish;
        }
      }
      seen.calls.forEach((call, index) => (call.args = JSON.parse(args[index] ?? '')));
      return seen;
    },
  },
  messages: {
    client: messagesClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      const blocks: Array<{ type: string; name?: string; json: string }> = [];
      let start: Json = {};
      for (const event of events) {
        if (event.type === 'error') seen.error = String(record(event.error).message);
        if (event.type === 'message_start') {
          const message = record(event.message);
          seen.model = String(message.model);
          start = record(message.usage);
        }
        if (event.type === 'content_block_start') {
          const content = record(event.content_block);
          blocks[Number(event.index)] = { type: String(content.type), name: typeof content.name === 'string' ? content.name : undefined, json: '' };
        }
        if (event.type === 'content_block_delta') {
          const d = record(event.delta);
          const target = blocks[Number(event.index)];
          if (d.type === 'text_delta') seen.text += String(d.text);
          if (d.type === 'input_json_delta' && target !== undefined) target.json += String(d.partial_json);
        }
        if (event.type === 'message_delta') {
          seen.stop = String(record(event.delta).stop_reason).replace('end_turn', 'end');
          // As Anthropic's SDK adds usage up: message_delta's fields over message_start's.
          const usage = { ...start, ...record(event.usage) };
          const cached = Number(usage.cache_read_input_tokens ?? 0);
          seen.usage = { prompt: Number(usage.input_tokens) + cached + Number(usage.cache_creation_input_tokens ?? 0), cached, output: Number(usage.output_tokens) };
        }
      }
      for (const b of blocks) if (b.type === 'tool_use') seen.calls.push({ name: b.name ?? '', args: JSON.parse(b.json === '' ? '{}' : b.json) });
      return seen;
    },
  },
  gemini: {
    client: geminiClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      for (const event of events) {
        if (event.error !== undefined) seen.error = String(record(event.error).message);
        if (typeof event.modelVersion === 'string') seen.model = event.modelVersion;
        const candidate = record(list(event.candidates)[0]);
        for (const part of list(record(candidate.content).parts)) {
          const p = record(part);
          if (typeof p.text === 'string' && p.thought !== true) seen.text += p.text;
          if (p.functionCall !== undefined) seen.calls.push({ name: String(record(p.functionCall).name), args: record(p.functionCall).args });
        }
        if (typeof candidate.finishReason === 'string') seen.stop = candidate.finishReason;
        if (event.usageMetadata !== undefined) {
          const usage = record(event.usageMetadata);
          seen.usage = { prompt: Number(usage.promptTokenCount), cached: Number(usage.cachedContentTokenCount ?? 0), output: Number(usage.candidatesTokenCount) + Number(usage.thoughtsTokenCount ?? 0) };
        }
      }
      // Gemini says STOP for calls and for the end alike.
      if (seen.stop === 'STOP') seen.stop = seen.calls.length > 0 ? 'tool_use' : 'end';
      if (seen.stop === 'MAX_TOKENS') seen.stop = 'max_tokens';
      return seen;
    },
  },
  responses: {
    client: responsesClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      let sequence = 0;
      for (const event of events) {
        expect(event.sequence_number).toBe(sequence++);
        if (event.type === 'error') seen.error = String(event.message);
        if (event.type === 'response.output_text.delta') seen.text += String(event.delta);
        const response = record(event.response);
        if (typeof response.model === 'string') seen.model = response.model;
        if (event.type === 'response.completed' || event.type === 'response.incomplete') {
          for (const item of list(response.output)) {
            const i = record(item);
            if (i.type === 'function_call') seen.calls.push({ name: String(i.name), args: JSON.parse(String(i.arguments)) });
          }
          const reason = record(response.incomplete_details).reason;
          seen.stop = reason === 'max_output_tokens' ? 'max_tokens' : seen.calls.length > 0 ? 'tool_use' : 'end';
          const usage = record(response.usage);
          seen.usage = { prompt: Number(usage.input_tokens), cached: Number(record(usage.input_tokens_details).cached_tokens), output: Number(usage.output_tokens) };
        }
      }
      return seen;
    },
  },
};

const request: Request = { system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'Weather and time in Paris?' }] }], stream: true, streamUsage: true };

/** The owner's body in `size`-byte pieces (mid-line, mid-event), through the pipe, and the client's events back. */
async function run(owner: OwnerDialect, client: ClientDialect, body: string, size = 7): Promise<Json[]> {
  const bytes = new TextEncoder().encode(body);
  let at = 0;
  const upstream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  const context = { model: 'my-alias', request, estimatedInputTokens: 9, now: 1764650000, randomId: 'r4nd0m' };
  const out = translateStream(upstream, owner.streamReader(request), client.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: () => {} });
  const text = await new Response(out).text();
  const parser = sseParser();
  return [...parser.feed(text), ...parser.flush()].filter((data) => data !== '[DONE]').map(parse);
}

describe('every owner stream through every client writer', () => {
  for (const [ownerName, cases] of Object.entries(OWNERS)) {
    for (const [clientName, { client, read }] of Object.entries(CLIENTS)) {
      cases.forEach((owner, n) => {
        it(`${ownerName} owner → ${clientName} client (${owner.stop})`, async () => {
          const seen = read(await run(owner.owner, client, owner.body, n === 0 ? 7 : 64));
          expect(seen).toStrictEqual({ model: 'my-alias', text: owner.text, calls: owner.calls, stop: owner.stop, usage: owner.usage });
        });
      });
    }
  }
});

/** An owner failing mid-stream (its own in-stream error form) and an owner whose body stops before it finished. */
const FAILURES: Record<string, { owner: OwnerDialect; error: string; cut: string; message: string }> = {
  chat: {
    owner: chatOwner,
    error: sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), { error: { message: 'prompt is too long: 210000 tokens > 200000 maximum', type: 'invalid_request_error', param: null, code: null } }]),
    cut: sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' })]),
    message: 'prompt is too long: 210000 tokens > 200000 maximum',
  },
  messages: {
    owner: messagesOwner,
    error: named([messageStart({ input_tokens: 5, output_tokens: 1 }), block(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'Hel' }), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]]),
    cut: named([messageStart({ input_tokens: 5, output_tokens: 1 }), block(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'Hel' })]),
    message: 'Overloaded',
  },
  gemini: {
    owner: geminiOwner,
    error: `${sse([geminiChunk([{ text: 'Hel' }])]).replaceAll('\n\n', '\r\n\r\n')}{"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}\r\n`,
    cut: sse([geminiChunk([{ text: 'Hel' }])]).replaceAll('\n\n', '\r\n\r\n'),
    message: 'The model is overloaded. Please try again later.',
  },
};

describe('every owner failure through every client writer', () => {
  for (const [ownerName, failure] of Object.entries(FAILURES)) {
    for (const [clientName, { client, read }] of Object.entries(CLIENTS)) {
      it(`${ownerName} owner's in-stream error → ${clientName} client, word for word`, async () => {
        const seen = read(await run(failure.owner, client, failure.error));
        expect([seen.text, seen.error]).toStrictEqual(['Hel', failure.message]);
      });
      it(`${ownerName} owner cut short → ${clientName} client sees an error`, async () => {
        const seen = read(await run(failure.owner, client, failure.cut));
        expect([seen.text, seen.error]).toStrictEqual(['Hel', 'the upstream stream ended before the answer was complete']);
      });
    }
  }
});

describe('reasoning signatures never cross owners', () => {
  const anthropicSignature = 'EqQBCkgIARABGAIiQL3tD3jJLMeXFhRbHKhfT4bx3d5fxnW0zMe3qVOxRq8RiOTK0n2vf8Sf1Nq8h6Tf6VR5k0V3DpO4kq8lyCGyw8ESDKk=';
  const thinking = named([
    messageStart({ input_tokens: 10, output_tokens: 1 }),
    block(0, { type: 'thinking', thinking: '', signature: '' }),
    delta(0, { type: 'thinking_delta', thinking: 'Paris is in France.' }),
    delta(0, { type: 'signature_delta', signature: anthropicSignature }),
    blockStop(0),
    block(1, { type: 'text', text: '' }),
    delta(1, { type: 'text_delta', text: 'Sunny.' }),
    blockStop(1),
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
  const thinkingRequest = (contents: unknown[]) => ({ contents, generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } } });
  const ownerContext = { upstreamModel: 'claude-sonnet-4-5' };

  it("a Gemini model's own thought signature in a Gemini client's history never reaches an Anthropic owner", () => {
    const read = geminiClient.readRequest(thinkingRequest([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ text: 'Considering the city.', thought: true, thoughtSignature: 'CikBcsjafFK168IbtVtoxVV0Tsn8O+eU45rzJahzwuKGmMbdMdfp' }, { text: 'Sunny.' }] },
      { role: 'user', parts: [{ text: 'And tomorrow?' }] },
    ]), { stream: false });
    if (!('messages' in read)) throw new Error(read.message);
    const written = messagesOwner.writeRequest(read, ownerContext);
    if (!('body' in written)) throw new Error(written.message);
    expect(JSON.stringify(written.body)).not.toContain('CikBcsjaf');
    expect(list(written.body.messages).flatMap((message) => list(record(message).content)).filter((b) => record(b).type === 'thinking')).toStrictEqual([]);
  });

  it("an Anthropic owner's signature given to a Gemini client goes back to Anthropic unchanged", async () => {
    const thinkingIr = { ...request, reasoning: { budgetTokens: 2048, includeText: true } };
    const context = { model: 'my-alias', request: thinkingIr, now: 1764650000, randomId: 'r4nd0m' };
    const text = await new Response(translateStream(new Response(thinking).body ?? new ReadableStream(), messagesOwner.streamReader(thinkingIr), geminiClient.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: () => {} })).text();
    const parser = sseParser();
    const parts = [...parser.feed(text), ...parser.flush()].map(parse).flatMap((event) => list(record(record(list(event.candidates)[0]).content).parts)).map(record);
    const thought = parts.filter((part) => part.thought === true);
    // As a Gemini SDK keeps it: one thought part (text and signature merged) back in the history.
    const signature = thought.map((part) => part.thoughtSignature).find((value) => typeof value === 'string');
    expect(typeof signature === 'string' && atob(signature).length > 0).toBe(true);
    const read = geminiClient.readRequest(thinkingRequest([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ text: thought.map((part) => part.text).join(''), thought: true, thoughtSignature: signature }, { text: 'Sunny.' }] },
      { role: 'user', parts: [{ text: 'And tomorrow?' }] },
    ]), { stream: false });
    if (!('messages' in read)) throw new Error(read.message);
    const written = messagesOwner.writeRequest(read, ownerContext);
    if (!('body' in written)) throw new Error(written.message);
    const blocks = list(written.body.messages).flatMap((message) => list(record(message).content)).filter((b) => record(b).type === 'thinking');
    expect(blocks).toStrictEqual([{ type: 'thinking', thinking: 'Paris is in France.', signature: anthropicSignature }]);
  });
});

describe("call ids in the form Anthropic takes (^[a-zA-Z0-9_-]+$)", () => {
  // Kimi's (Moonshot's) OpenAI-compatible API names its calls so.
  const kimi = sse([
    chunk({ role: 'assistant', content: '' }),
    chunk({ tool_calls: [{ index: 0, id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
    chunk({}, 'tool_calls'),
    '[DONE]',
  ]);

  it("another owner's call id reaches a Messages client (which may replay it to Anthropic) in Anthropic's form", async () => {
    const events = await run(chatOwner, messagesClient, kimi);
    const ids = events.filter((event) => event.type === 'content_block_start').map((event) => record(event.content_block).id);
    expect(ids).toStrictEqual(['functions_get_weather_0']);
  });

  it("a whole answer's call ids too", () => {
    const answer = chatOwner.readAnswer({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }, request);
    if ('kind' in answer) throw new Error(answer.message);
    const written = messagesClient.writeAnswer(answer, { model: 'm', request, now: 0, randomId: 'r' });
    expect(list(written.content).map((b) => record(b).id)).toStrictEqual(['functions_get_weather_0']);
  });

  it("a chat client's history with another owner's ids reaches an Anthropic owner with each call and its result still paired", () => {
    const read = chatClient.readRequest({ model: 'm', messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'functions.get_weather:0', content: 'Sunny' },
    ] }, {});
    if (!('messages' in read)) throw new Error(read.message);
    const written = messagesOwner.writeRequest(read, { upstreamModel: 'claude-sonnet-4-5' });
    if (!('body' in written)) throw new Error(written.message);
    const blocks = list(written.body.messages).flatMap((message) => list(record(message).content)).map(record);
    expect(blocks.filter((b) => b.type === 'tool_use').map((b) => b.id)).toStrictEqual(['functions_get_weather_0']);
    expect(blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id)).toStrictEqual(['functions_get_weather_0']);
  });
});

/** Whole answers: each owner's answer (text, a call with arguments, a call without any) through every client's writer. */
const noArgs = { name: 'list_files', args: {} };
const WHOLE: Record<string, { owner: OwnerDialect; body: unknown }> = {
  chat: {
    owner: chatOwner,
    body: { id: 'chatcmpl-w', object: 'chat.completion', created: 1, model: 'gpt-4.1', choices: [{ index: 0, message: { role: 'assistant', content: 'Let me check.', tool_calls: [
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(calls[0]?.args) } },
      // Some servers send a call without parameters with empty arguments.
      { id: 'call_b', type: 'function', function: { name: 'list_files', arguments: '' } },
    ] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, prompt_tokens_details: { cached_tokens: 40 } } },
  },
  messages: {
    owner: messagesOwner,
    body: { id: 'msg_w', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: calls[0]?.args },
      { type: 'tool_use', id: 'toolu_b', name: 'list_files', input: {} },
    ], stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 60, cache_read_input_tokens: 40, cache_creation_input_tokens: 0, output_tokens: 50 } },
  },
  gemini: {
    owner: geminiOwner,
    body: { candidates: [{ content: { role: 'model', parts: [{ text: 'Let me check.' }, { functionCall: { name: 'get_weather', args: calls[0]?.args } }, { functionCall: { name: 'list_files', args: {} } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 50, totalTokenCount: 150 }, modelVersion: 'gemini-2.5-flash', responseId: 'w' },
  },
};

/** A whole answer read back as its client sees it. */
function seeWhole(clientName: string, body: Json): Seen {
  const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
  if (clientName === 'chat') {
    const choice = record(list(body.choices)[0]);
    const message = record(choice.message);
    const usage = record(body.usage);
    return { model: String(body.model), text: String(message.content), calls: list(message.tool_calls).map((call) => record(record(call).function)).map((fn) => ({ name: String(fn.name), args: JSON.parse(String(fn.arguments)) })), stop: choice.finish_reason === 'tool_calls' ? 'tool_use' : String(choice.finish_reason), usage: { prompt: Number(usage.prompt_tokens), cached: Number(record(usage.prompt_tokens_details).cached_tokens), output: Number(usage.completion_tokens) } };
  }
  if (clientName === 'messages') {
    const usage = record(body.usage);
    const blocks = list(body.content).map(record);
    const cached = Number(usage.cache_read_input_tokens);
    return { model: String(body.model), text: blocks.filter((b) => b.type === 'text').map((b) => b.text).join(''), calls: blocks.filter((b) => b.type === 'tool_use').map((b) => ({ name: String(b.name), args: b.input })), stop: String(body.stop_reason), usage: { prompt: Number(usage.input_tokens) + cached + Number(usage.cache_creation_input_tokens), cached, output: Number(usage.output_tokens) } };
  }
  if (clientName === 'gemini') {
    const candidate = record(list(body.candidates)[0]);
    const parts = list(record(candidate.content).parts).map(record);
    const usage = record(body.usageMetadata);
    seen.calls = parts.filter((p) => p.functionCall !== undefined).map((p) => ({ name: String(record(p.functionCall).name), args: record(p.functionCall).args }));
    return { model: String(body.modelVersion), text: parts.filter((p) => typeof p.text === 'string').map((p) => p.text).join(''), calls: seen.calls, stop: candidate.finishReason === 'STOP' && seen.calls.length > 0 ? 'tool_use' : String(candidate.finishReason), usage: { prompt: Number(usage.promptTokenCount), cached: Number(usage.cachedContentTokenCount ?? 0), output: Number(usage.candidatesTokenCount) + Number(usage.thoughtsTokenCount ?? 0) } };
  }
  const output = list(body.output).map(record);
  const usage = record(body.usage);
  seen.calls = output.filter((i) => i.type === 'function_call').map((i) => ({ name: String(i.name), args: JSON.parse(String(i.arguments)) }));
  return { model: String(body.model), text: output.filter((i) => i.type === 'message').flatMap((i) => list(i.content).map((c) => record(c).text)).join(''), calls: seen.calls, stop: seen.calls.length > 0 ? 'tool_use' : 'end', usage: { prompt: Number(usage.input_tokens), cached: Number(record(usage.input_tokens_details).cached_tokens), output: Number(usage.output_tokens) } };
}

describe('every owner answer through every client writer', () => {
  for (const [ownerName, { owner, body }] of Object.entries(WHOLE)) {
    for (const clientName of Object.keys(CLIENTS)) {
      it(`${ownerName} owner → ${clientName} client`, () => {
        const wholeRequest = { ...request, stream: false };
        const answer = owner.readAnswer(body, wholeRequest);
        if ('kind' in answer) throw new Error(answer.message);
        const client = CLIENTS[clientName]?.client ?? chatClient;
        const written = client.writeAnswer(answer, { model: 'my-alias', request: wholeRequest, now: 1764650000, randomId: 'r4nd0m' });
        expect(seeWhole(clientName, JSON.parse(JSON.stringify(written)) as Json)).toStrictEqual({ model: 'my-alias', text: 'Let me check.', calls: [calls[0], noArgs], stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } });
      });
    }
  }
});

describe('a developer message to an OpenAI-compatible owner', () => {
  it("a Responses client's mid-conversation developer item reaches a chat owner as a system message (compatible servers refuse the role)", () => {
    const read = responsesClient.readRequest({ model: 'm', input: [
      { role: 'developer', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'developer', content: 'Approval mode is now full auto.' },
      { role: 'user', content: 'Go' },
    ] }, {});
    if (!('messages' in read)) throw new Error(read.message);
    const written = chatOwner.writeRequest(read, { upstreamModel: 'qwen3', maxTokensField: 'max_tokens' });
    if (!('body' in written)) throw new Error(written.message);
    expect(list(written.body.messages).map((message) => record(message).role)).toStrictEqual(['system', 'user', 'assistant', 'system', 'user']);
  });
});

/** The reasoning text a client's events carry, in its dialect's place for it. */
function reasoningSeen(clientName: string, events: Json[]): string {
  let text = '';
  for (const event of events) {
    if (clientName === 'chat') for (const choice of list(event.choices)) text += String(record(record(choice).delta).reasoning_content ?? '');
    if (clientName === 'messages' && event.type === 'content_block_delta' && record(event.delta).type === 'thinking_delta') text += String(record(event.delta).thinking);
    if (clientName === 'gemini') for (const part of list(record(record(list(event.candidates)[0]).content).parts)) if (record(part).thought === true) text += String(record(part).text);
    if (clientName === 'responses' && event.type === 'response.reasoning_summary_text.delta') text += String(event.delta);
  }
  return text;
}

describe("every owner's reasoning text reaches every client that asked for it", () => {
  const owners: Record<string, { owner: OwnerDialect; body: string }> = {
    chat: { owner: chatOwner, body: sse([chunk({ role: 'assistant', content: '' }), chunk({ reasoning_content: 'Paris is ' }), chunk({ reasoning_content: 'in France.' }), chunk({ content: 'Sunny.' }), chunk({}, 'stop'), '[DONE]']) },
    messages: { owner: messagesOwner, body: named([
      messageStart({ input_tokens: 10, output_tokens: 1 }),
      block(0, { type: 'thinking', thinking: '', signature: '' }),
      delta(0, { type: 'thinking_delta', thinking: 'Paris is ' }),
      delta(0, { type: 'thinking_delta', thinking: 'in France.' }),
      delta(0, { type: 'signature_delta', signature: 'EqQBCkgIARAB' }),
      blockStop(0),
      block(1, { type: 'text', text: '' }),
      delta(1, { type: 'text_delta', text: 'Sunny.' }),
      blockStop(1),
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }],
      ['message_stop', { type: 'message_stop' }],
    ]) },
    gemini: { owner: geminiOwner, body: sse([
      geminiChunk([{ text: 'Paris is ', thought: true }]),
      geminiChunk([{ text: 'in France.', thought: true }]),
      geminiChunk([{ text: 'Sunny.', thoughtSignature: 'CikBcsjaf' }], { finishReason: 'STOP' }, { promptTokenCount: 10, candidatesTokenCount: 2, thoughtsTokenCount: 7, totalTokenCount: 19 }),
    ]).replaceAll('\n\n', '\r\n\r\n') },
  };
  const thinkingRequest: Request = { ...request, reasoning: { budgetTokens: 2048, includeText: true } };
  for (const [ownerName, { owner, body }] of Object.entries(owners)) {
    for (const [clientName, { client, read }] of Object.entries(CLIENTS)) {
      it(`${ownerName} owner → ${clientName} client`, async () => {
        const bytes = new TextEncoder().encode(body);
        const context = { model: 'my-alias', request: thinkingRequest, now: 1764650000, randomId: 'r4nd0m' };
        const out = translateStream(new Response(bytes).body ?? new ReadableStream(), owner.streamReader(thinkingRequest), client.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: () => {} });
        const parser = sseParser();
        const text = await new Response(out).text();
        const events = [...parser.feed(text), ...parser.flush()].filter((data) => data !== '[DONE]').map(parse);
        expect([reasoningSeen(clientName, events), read(events).text]).toStrictEqual(['Paris is in France.', 'Sunny.']);
      });
    }
  }
});

describe("every client's tool history reaches every other owner paired", () => {
  const histories: Record<string, unknown> = {
    chat: { model: 'm', messages: [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      { role: 'system', content: 'Answer in French.' },
    ] },
    messages: { model: 'm', max_tokens: 100, system: 'Be terse.', messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' }] },
      { role: 'system', content: 'Answer in French.' },
    ] },
    gemini: { systemInstruction: { parts: [{ text: 'Be terse.' }] }, contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'call_1', name: 'get_weather', response: { output: 'Sunny' } } }] },
      { role: 'system', parts: [{ text: 'Answer in French.' }] },
    ] },
    responses: { model: 'm', instructions: 'Be terse.', input: [
      { role: 'user', content: 'Weather in Paris?' },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'Sunny' },
      { role: 'developer', content: 'Answer in French.' },
    ] },
  };
  /** What each owner's body says: the system prompt, the call, the result (with the name where the owner needs it), the later instruction. */
  const owners: Record<string, { owner: OwnerDialect; check(body: Json): void }> = {
    chat: {
      owner: chatOwner,
      check(body) {
        const messages = list(body.messages).map(record);
        expect(messages[0]).toStrictEqual({ role: 'system', content: 'Be terse.' });
        expect(messages.find((m) => m.role === 'assistant')?.tool_calls).toStrictEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
        expect(messages.find((m) => m.role === 'tool')).toStrictEqual({ role: 'tool', tool_call_id: 'call_1', content: 'Sunny' });
        expect(messages.at(-1)).toStrictEqual({ role: 'system', content: 'Answer in French.' });
      },
    },
    messages: {
      owner: messagesOwner,
      check(body) {
        expect(body.system).toStrictEqual([{ type: 'text', text: 'Be terse.' }]);
        const blocks = list(body.messages).flatMap((m) => list(record(m).content)).map(record);
        expect(blocks.find((b) => b.type === 'tool_use')).toStrictEqual({ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } });
        expect(blocks.find((b) => b.type === 'tool_result')).toStrictEqual({ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'Sunny' }] });
        expect(record(list(body.messages).at(-1))).toStrictEqual({ role: 'system', content: [{ type: 'text', text: 'Answer in French.' }] });
      },
    },
    gemini: {
      owner: geminiOwner,
      check(body) {
        expect(body.systemInstruction).toStrictEqual({ parts: [{ text: 'Be terse.' }] });
        const parts = list(body.contents).flatMap((c) => list(record(c).parts)).map(record);
        expect(record(parts.find((p) => p.functionCall !== undefined)?.functionCall)).toStrictEqual({ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } });
        expect(parts.find((p) => p.functionResponse !== undefined)?.functionResponse).toStrictEqual({ id: 'call_1', name: 'get_weather', response: { output: 'Sunny' } });
        expect(parts.at(-1)).toStrictEqual({ text: '<system>\nAnswer in French.\n</system>' });
      },
    },
  };
  for (const [clientName, body] of Object.entries(histories)) {
    for (const [ownerName, { owner, check }] of Object.entries(owners)) {
      it(`${clientName} client → ${ownerName} owner`, () => {
        const read = (CLIENTS[clientName]?.client ?? chatClient).readRequest(body, { stream: false });
        if (!('messages' in read)) throw new Error(read.message);
        const written = owner.writeRequest(read, { upstreamModel: 'some-model', maxTokensField: 'max_tokens' });
        if (!('body' in written)) throw new Error(written.message);
        check(written.body);
      });
    }
  }
});

describe('a body that breaks after the owner finished', () => {
  it('a Gemini owner (whose stream ends only by closing) that broke after its finishReason: the client still gets the whole answer', async () => {
    const bytes = new TextEncoder().encode(geminiLength);
    let sent = false;
    const upstream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('Network connection lost.'));
        sent = true;
        controller.enqueue(bytes);
      },
    });
    const failures: string[] = [];
    const context = { model: 'my-alias', request, now: 1764650000, randomId: 'r4nd0m' };
    const out = translateStream(upstream, geminiOwner.streamReader(request), messagesClient.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: (kind) => failures.push(kind) });
    const parser = sseParser();
    const seen = CLIENTS.messages?.read([...parser.feed(await new Response(out).text()), ...parser.flush()].map(parse));
    expect([seen?.text, seen?.stop, seen?.error, failures]).toStrictEqual(['A long story', 'max_tokens', undefined, []]);
  });
});

describe('ids made up for calls the owner gave none are unique across answers', () => {
  // A local server's bare calls (neither index nor id), as in fixtures/translate/chat/bare-calls.json.
  const bare = (answer: string) => sse([
    { id: answer, object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] },
    { id: answer, object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta: { tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] }, finish_reason: null }] },
    { id: answer, object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta: { tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: '{"path":"b"}' } }] }, finish_reason: 'tool_calls' }] },
    '[DONE]',
  ]);
  const idsOf = (events: Json[]) => events.filter((event) => event.type === 'content_block_start').map((event) => record(event.content_block).id);

  it('two streamed answers: four distinct ids (Anthropic refuses a history whose tool_use ids repeat)', async () => {
    const ids = [...idsOf(await run(chatOwner, messagesClient, bare('chatcmpl-1111'))), ...idsOf(await run(chatOwner, messagesClient, bare('chatcmpl-2222')))];
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
  });

  it('two whole answers too', () => {
    const whole = (answer: string) => {
      const read = chatOwner.readAnswer({ id: answer, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }, request);
      if ('kind' in read) throw new Error(read.message);
      return read.parts.flatMap((part) => (part.type === 'tool_call' ? [part.id] : []));
    };
    const ids = [...whole('chatcmpl-1111'), ...whole('chatcmpl-2222')];
    expect(new Set(ids).size).toBe(2);
  });
});
