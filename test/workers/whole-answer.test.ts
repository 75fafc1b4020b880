/**
 * A whole answer of declared length (src/inference/answer-body.ts, `readWhole`; docs/api.md, "Inference"):
 * read at once and sent with its length, counted from its bytes; one that breaks off before its declared
 * length is a 502 the client can read, logged and counted as a failure; one over WHOLE_ANSWER_BYTES
 * passes as it comes, unchanged; a stream that declares a length still goes out event by event. The
 * provider is a fetch held by this test.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import { WHOLE_ANSWER_BYTES } from '../../src/inference/answer-body.ts';
import { expectApiError } from './support/expect-error.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => vi.restoreAllMocks());

const ORIGIN = 'http://whole-answer.test';
const MODEL = 'whole-model';
const encoder = new TextEncoder();

/** A chat completion as OpenAI answers it, `padding` characters of content long. */
function completion(padding: number): string {
  return JSON.stringify({
    id: 'chatcmpl-whole1',
    object: 'chat.completion',
    created: 1765100000,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(padding), refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
  });
}

/** Every fetch to ORIGIN answered by `answer()`; the rest pass through. */
function provider(answer: () => Response): void {
  const real = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return url.startsWith(ORIGIN) ? Promise.resolve(answer()) : real(input, init);
  });
}

/** A body that declares `text`'s length and breaks off after its first `sent` bytes. */
function brokenOff(text: string, sent: number): Response {
  const bytes = encoder.encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, sent));
      controller.error(new Error('connection reset by the provider'));
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) } });
}

async function setup(): Promise<{ env: Env; key: string }> {
  const providers = [{ id: 'whole', type: 'openai', baseUrl: `${ORIGIN}/v1`, apiKeySecret: 'WHOLE_KEY', models: [MODEL] }];
  const env = workerEnv({ ...providersVar(providers), WHOLE_KEY: 'sk-whole-provider-key-0123456789' });
  const made = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: 'whole' }) });
  expect(made.status).toBe(201);
  return { env, key: ((await made.json()) as { key: string }).key };
}

async function usage(env: Env): Promise<{ requests: number; errors: number; inputTokens: number; outputTokens: number }> {
  const listed = (await (await call(env, '/admin/keys', { headers: bearer(await adminToken()) })).json()) as {
    data: { name: string; usage: { '24h': { requests: number; errors: number; inputTokens: number; outputTokens: number } } }[];
  };
  const found = listed.data.find((k) => k.name === 'whole');
  if (found === undefined) throw new Error('no key named whole');
  return found.usage['24h'];
}

async function chat(env: Env, key: string) {
  const { response, done } = await send(env, '/v1/chat/completions', {
    method: 'POST',
    headers: { ...bearer(key), 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const text = await response.text();
  await done();
  return { response, text };
}

describe('a stream that declares its length', () => {
  it('still reaches the client event by event: the first before the provider sends the last', async () => {
    const first = 'data: {"id":"chatcmpl-len1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n';
    const last = 'data: [DONE]\n\n';
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    provider(() => {
      let sent = 0;
      const body = new ReadableStream({
        type: 'bytes',
        async pull(controller) {
          if (sent === 1) await released;
          if (sent === 2) return controller.close();
          controller.enqueue(encoder.encode(sent++ === 0 ? first : last));
        },
      });
      const length = encoder.encode(first + last).length;
      return new Response(body, { headers: { 'content-type': 'text/event-stream', 'content-length': String(length) } });
    });
    const { env, key } = await setup();
    const { response, done } = await send(env, '/v1/chat/completions', {
      method: 'POST',
      headers: { ...bearer(key), 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('\n\n')) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      seen += decoder.decode(value, { stream: true });
    }
    expect(seen).toBe(first);
    release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += decoder.decode(chunk.value, { stream: true });
    expect(seen).toBe(first + last);
    await done();
  });
});

describe('a whole answer of declared length', () => {
  it('reaches the client as the provider sent it, with its length, and is counted from its usage', async () => {
    const sent = completion(300);
    provider(() => new Response(sent, { headers: { 'content-type': 'application/json', 'content-length': String(encoder.encode(sent).length) } }));
    const { env, key } = await setup();
    const { response, text } = await chat(env, key);
    expect(response.status).toBe(200);
    expect(text).toBe(sent);
    expect(response.headers.get('content-length')).toBe(String(encoder.encode(sent).length));
    expect(await usage(env)).toMatchObject({ requests: 1, errors: 0, inputTokens: 11, outputTokens: 7 });
  });

  it('that breaks off before its length is a 502 the client can read, logged and counted as a failure', async () => {
    provider(() => brokenOff(completion(300), 100));
    const { env, key } = await setup();
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const { response, text } = await chat(env, key);
    await expectApiError(new Response(text, { status: response.status, headers: response.headers }), 502, 'upstream_error');
    expect(text).toContain('the answer broke off before it could be read');
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'inference');
    expect(line).toMatchObject({ status: 502, error: 'answer_unreadable', model: MODEL });
    expect(await usage(env)).toMatchObject({ requests: 1, errors: 1, inputTokens: 0, outputTokens: 0 });
  });

  it(`over ${WHOLE_ANSWER_BYTES / 1024} KiB passes as it comes, unchanged, and is counted`, async () => {
    const sent = completion(WHOLE_ANSWER_BYTES + 1000);
    // A byte stream in 16 KiB chunks, as a connection delivers it (a body the runtime made of one string cannot be piped here).
    const bytes = encoder.encode(sent);
    provider(() => {
      let at = 0;
      const body = new ReadableStream({
        type: 'bytes',
        pull(controller) {
          if (at >= bytes.length) return controller.close();
          controller.enqueue(bytes.slice(at, (at += 16 * 1024)));
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) } });
    });
    const { env, key } = await setup();
    const { response, text } = await chat(env, key);
    expect(response.status).toBe(200);
    expect(text).toBe(sent);
    expect(await usage(env)).toMatchObject({ requests: 1, errors: 0, inputTokens: 11, outputTokens: 7 });
  });
});
