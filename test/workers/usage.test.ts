import { describe, expect, it } from 'vitest';
import { isObject } from '../../src/providers/narrow.ts';
import { tokensFrom, type UsageFormat } from '../../src/usage/extract.ts';
import { askForUsage, withoutUsageChunk } from '../../src/usage/hidden-usage.ts';
import { TAIL_BYTES, usageTap } from '../../src/usage/tap.ts';
import { fakeUpstreams } from './support/upstreams.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `bytes` as a stream of chunks of `size` bytes (the last one shorter). */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.slice(at, at + size));
      controller.close();
    },
  });
}

async function through(stream: ReadableStream<Uint8Array>, transform: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  await stream.pipeThrough(transform).pipeTo(new WritableStream({ write: (chunk) => void chunks.push(chunk) }));
  return chunks;
}

const joined = (chunks: Uint8Array[]) => decoder.decode(concatAll(chunks));
function concatAll(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.length));
  return out;
}

/** The oracle: every JSON `data:` of a stream (or the whole body) parsed in full, the last usage object in it. */
function lastUsageParsedInFull(text: string, format: UsageFormat): Record<string, unknown>[] {
  const documents = text.trimStart().startsWith('{') ? [text] : text.split('\n').filter((l) => l.startsWith('data: {')).map((l) => l.slice(6));
  const found: Record<string, unknown>[] = [];
  for (const document of documents) {
    const value: unknown = JSON.parse(document);
    const holder = isObject(value) && isObject(value.response) ? value.response : value;
    const usage = isObject(holder) ? (format === 'gemini' ? holder.usageMetadata : (holder.usage ?? (isObject(holder.message) ? holder.message.usage : undefined))) : undefined;
    if (isObject(usage)) found.push(usage);
  }
  return found;
}

/** Every dialect's calls against the project's fake providers (real answer shapes), streamed and not. */
const CALLS: { name: string; format: UsageFormat; path: string; body: Record<string, unknown>; expected: (usages: Record<string, unknown>[]) => { input: number; output: number } }[] = [];
const openaiExpected = (usages: Record<string, unknown>[]) => {
  const u = usages.at(-1) ?? {};
  return { input: Number(u.prompt_tokens ?? u.input_tokens), output: Number(u.completion_tokens ?? u.output_tokens ?? 0) };
};
for (const stream of [false, true]) {
  const streamed = stream ? { stream: true, stream_options: { include_usage: true } } : {};
  CALLS.push(
    { name: `OpenAI chat${stream ? ', streamed' : ''}`, format: 'openai', path: '/openai/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...streamed }, expected: openaiExpected },
    { name: `OpenAI completions${stream ? ', streamed' : ''}`, format: 'openai', path: '/openai/v1/completions', body: { model: 'gpt-3.5-turbo-instruct', prompt: 'hi', ...streamed }, expected: openaiExpected },
    { name: `OpenAI Responses${stream ? ', streamed' : ''}`, format: 'openai', path: '/openai/v1/responses', body: { model: 'gpt-4o', input: 'hi', ...(stream ? { stream: true } : {}) }, expected: openaiExpected },
    {
      name: `Anthropic messages${stream ? ', streamed' : ''}`,
      format: 'anthropic',
      path: '/anthropic/v1/messages',
      body: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi there, how are you' }], ...(stream ? { stream: true } : {}) },
      expected: (usages) => ({ input: Number(usages[0]?.input_tokens), output: Number(usages.at(-1)?.output_tokens) }),
    },
    {
      name: `Gemini generateContent${stream ? ', streamed' : ''}`,
      format: 'gemini',
      path: stream ? '/gemini/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse' : '/gemini/v1beta/models/gemini-2.5-pro:generateContent',
      body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
      // Thinking tokens are billed as output (https://ai.google.dev/gemini-api/docs/tokens): Gemini 2.5's thoughtsTokenCount counts.
      expected: (usages) => ({ input: Number(usages.at(-1)?.promptTokenCount), output: Number(usages.at(-1)?.candidatesTokenCount) + Number(usages.at(-1)?.thoughtsTokenCount ?? 0) }),
    },
  );
}
CALLS.push({ name: 'OpenAI embeddings', format: 'openai', path: '/openai/v1/embeddings', body: { model: 'text-embedding-3-small', input: ['a', 'b'] }, expected: openaiExpected });

describe('usage tap', () => {
  it.each(CALLS)('reads the tokens of $name from its answer, passing every chunk through unchanged', async ({ format, path, body, expected }) => {
    const upstreams = await fakeUpstreams({ chunks: 40 });
    const headers = { 'content-type': 'application/json', ...(format === 'anthropic' ? { 'anthropic-version': '2023-06-01' } : {}) };
    const response = await fetch(`${upstreams.origin}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(response.status, await response.clone().text()).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = decoder.decode(bytes);
    const want = expected(lastUsageParsedInFull(text, format));
    expect(want.input).toBeGreaterThan(0);
    expect(Number.isInteger(want.output)).toBe(true);
    for (const size of [1, 7, 64, bytes.length]) {
      const tap = usageTap(format);
      const chunks = await through(chunked(bytes, size), tap.stream);
      expect(joined(chunks)).toBe(text);
      expect(tap.tokens()).toStrictEqual(want);
    }
  });

  it('keeps only the head and the last 16 KiB of a long stream, and still finds Anthropic’s input in message_start', async () => {
    // An older message_delta carries only the output count; the input is in message_start, long before.
    const events = [
      { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, cache_creation_input_tokens: 100, cache_read_input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ...Array.from({ length: 3000 }, (_, i) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word ${i} "usage": {"input_tokens": 99999} ` } })),
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3001 } },
      { type: 'message_stop' },
    ];
    const text = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
    expect(text.length).toBeGreaterThan(20 * TAIL_BYTES);
    const tap = usageTap('anthropic');
    await through(chunked(encoder.encode(text), 333), tap.stream);
    expect(tap.tokens()).toStrictEqual({ input: 130, output: 3001 });
  });

  it('finds no usage in a stream cut short, or one that never had any', async () => {
    const cut = 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n';
    expect(tokensFrom('openai', cut, cut)).toBeNull();
    expect(tokensFrom('openai', '', 'data: {"choices":[],"usage":{"prompt_tokens":3,"compl')).toBeNull();
  });
});

describe('the usage OpenAI streams only when asked for', () => {
  it('is asked for when a streaming client set no stream_options, keeping its bytes otherwise', () => {
    const text = ' {"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"{hi}"}]}';
    const { body, hide } = askForUsage(JSON.parse(text), text);
    expect(hide).toBe(true);
    expect(body).toBe(' {"stream_options":{"include_usage":true},"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"{hi}"}]}');
    expect(JSON.parse(body)).toStrictEqual({ ...JSON.parse(text), stream_options: { include_usage: true } });
  });

  it('is asked for when the client’s stream_options do not ask, its other options kept', () => {
    for (const [options, sent] of [
      [{}, { include_usage: true }],
      [{ include_usage: false }, { include_usage: true }],
      [{ include_obfuscation: false }, { include_obfuscation: false, include_usage: true }],
    ] as const) {
      const text = JSON.stringify({ model: 'm', stream: true, stream_options: options, messages: [{ role: 'user', content: 'hi' }] });
      const { body, hide } = askForUsage(JSON.parse(text), text);
      expect(hide).toBe(true);
      expect(JSON.parse(body)).toStrictEqual({ ...JSON.parse(text), stream_options: sent });
    }
  });

  it('is left as the client set it when it asked itself or sent no object, and not asked for without a stream', () => {
    for (const text of ['{"model":"m","stream":true,"stream_options":{"include_usage":true}}', '{"model":"m","stream":true,"stream_options":"yes"}', '{"model":"m"}', '{"model":"m","stream":false}']) {
      expect(askForUsage(JSON.parse(text), text)).toStrictEqual({ body: text, hide: false });
    }
  });

  it('is taken out of the stream the client sees, wherever the chunks break, every other byte unchanged', async () => {
    const upstreams = await fakeUpstreams({ chunks: 5 });
    for (const path of ['/openai/v1/chat/completions', '/openai/v1/completions', '/ollama/v1/chat/completions']) {
      const { body } = askForUsage({ stream: true }, JSON.stringify({ model: 'm', stream: true, prompt: 'hi', messages: [{ role: 'user', content: 'hi' }] }));
      const response = await fetch(`${upstreams.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await response.text();
      const events = text.split(/(?<=\n\n)/);
      const usageEvents = events.filter((e) => e.includes('"choices":[]'));
      expect(usageEvents).toHaveLength(1);
      const wanted = events.filter((e) => !usageEvents.includes(e)).join('');
      expect(wanted).toMatch(/data: \[DONE\]\n\n$/);
      const bytes = encoder.encode(text);
      // Every split into two chunks, and one byte at a time.
      for (let at = 0; at <= bytes.length; at += path.includes('ollama') ? 1 : 13) {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.slice(0, at));
            controller.enqueue(bytes.slice(at));
            controller.close();
          },
        });
        expect(joined(await through(stream, withoutUsageChunk()))).toBe(wanted);
      }
      expect(joined(await through(chunked(bytes, 1), withoutUsageChunk()))).toBe(wanted);
      // The tap before the filter still reads the usage the client does not see.
      const tap = usageTap('openai');
      await through(chunked(bytes, 50).pipeThrough(tap.stream), withoutUsageChunk());
      expect(tap.tokens()?.input).toBeGreaterThan(0);
    }
  });

  it('passes a whole event on at once, as the same chunk, and keeps an Azure-style first chunk with empty choices but no usage', async () => {
    const azure = encoder.encode('data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}\n\n');
    const content = encoder.encode('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}\n\n');
    const chunks = await through(
      new ReadableStream({
        start(c) {
          c.enqueue(azure);
          c.enqueue(content);
          c.close();
        },
      }),
      withoutUsageChunk(),
    );
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toBe(azure);
    expect(chunks[1]).toBe(content);
  });

  it('handles CRLF line ends', async () => {
    const text = 'data: {"choices":[{"delta":{}}]}\r\n\r\ndata: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\r\n\r\ndata: [DONE]\r\n\r\n';
    for (const size of [1, 5, text.length]) {
      expect(joined(await through(chunked(encoder.encode(text), size), withoutUsageChunk()))).toBe('data: {"choices":[{"delta":{}}]}\r\n\r\ndata: [DONE]\r\n\r\n');
    }
  });
});
