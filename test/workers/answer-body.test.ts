import { describe, expect, it } from 'vitest';
import { answerBody, DRAIN_BYTES } from '../../src/inference/answer-body.ts';
import { usageChunkFilter } from '../../src/usage/hidden-usage.ts';
import { TAIL_BYTES, usageTail } from '../../src/usage/tap.ts';
import { fakeUpstreams } from './support/upstreams.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An OpenAI chat stream as the provider sends it when usage was asked for: `"usage":null` on every chunk, then the usage chunk. */
function openAiStream(contentChunks: number, usage = { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 }): string {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o' };
  const events = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null },
    ...Array.from({ length: contentChunks }, (_, i) => ({ ...base, choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }], usage: null })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null },
    { ...base, choices: [], usage },
  ];
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}

const USAGE_EVENT = /data: [^\n]*"choices":\[\][^\n]*\n\n/;

/** A runtime byte stream fed `text` in `size`-byte chunks, a macrotask apart. */
function runtimeStream(text: string, size: number, breakOff = false): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  const bytes = encoder.encode(text);
  void (async () => {
    const writer = writable.getWriter();
    for (let at = 0; at < bytes.length; at += size) {
      await writer.write(bytes.slice(at, at + size));
      if (breakOff && at + size >= bytes.length / 2) return writer.abort(new Error('the provider broke off'));
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await writer.close();
  })().catch(() => undefined);
  return readable;
}

/** A stream made in JavaScript (as a translation's output is), `size`-byte chunks. */
function scriptStream(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<{ text: string; reads: number }> {
  const reader = body.getReader();
  let text = '';
  let reads = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { text: text + decoder.decode(), reads };
    reads++;
    text += decoder.decode(value, { stream: true });
  }
}

describe('an answer on its way to the client', () => {
  for (const [name, make] of [['a runtime stream', runtimeStream], ['a stream made in JavaScript', scriptStream]] as const) {
    for (const size of [7, 100, 4096]) {
      it(`${name}, ${size}-byte chunks: the client gets the provider's bytes unchanged, and the tokens are counted`, async () => {
        const text = openAiStream(5);
        const tail = usageTail('openai');
        const { body, ended } = answerBody(make(text, size), { tail });
        expect((await readAll(body)).text).toBe(text);
        expect(await ended).toEqual({ interrupted: false });
        expect(tail.tokens()).toEqual({ input: 19, output: 10 });
      });

      it(`${name}, ${size}-byte chunks: the usage chunk the client did not ask for is taken out, every other byte kept, and still counted`, async () => {
        const text = openAiStream(5);
        const tail = usageTail('openai');
        const { body, ended } = answerBody(make(text, size), { tail, filter: usageChunkFilter() });
        const seen = (await readAll(body)).text;
        expect(seen).toBe(text.replace(USAGE_EVENT, ''));
        expect(seen).not.toContain('"choices":[]');
        expect(await ended).toEqual({ interrupted: false });
        expect(tail.tokens()).toEqual({ input: 19, output: 10 });
      });
    }
  }

  it('a whole answer (one JSON body) passes unchanged and is counted; an uncounted one passes unchanged too', async () => {
    const text = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' } }], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } });
    const tail = usageTail('openai');
    const counted = answerBody(new Response(text).body ?? runtimeStream(text, 10), { tail });
    expect((await readAll(counted.body)).text).toBe(text);
    await counted.ended;
    expect(tail.tokens()).toEqual({ input: 12, output: 3 });
    const plain = answerBody(runtimeStream(text, 10));
    expect((await readAll(plain.body)).text).toBe(text);
    expect(await plain.ended).toEqual({ interrupted: false });
  });

  it('a stream many times longer than the drained block and the kept tail: bytes unchanged, the last usage counted', async () => {
    const text = openAiStream(4000, { prompt_tokens: 1234, completion_tokens: 4000, total_tokens: 5234 });
    expect(text.length).toBeGreaterThan(4 * DRAIN_BYTES + TAIL_BYTES);
    for (const filter of [undefined, usageChunkFilter()]) {
      const tail = usageTail('openai');
      const { body, ended } = answerBody(runtimeStream(text, 1500), { tail, ...(filter === undefined ? {} : { filter }) });
      expect((await readAll(body)).text).toBe(filter === undefined ? text : text.replace(USAGE_EVENT, ''));
      await ended;
      expect(tail.tokens()).toEqual({ input: 1234, output: 4000 });
    }
  });

  it('a provider that breaks off: the client’s stream errors, the call ends interrupted, and no usage is made up', async () => {
    for (const filter of [undefined, usageChunkFilter()]) {
      const tail = usageTail('openai');
      const { body, ended } = answerBody(runtimeStream(openAiStream(50), 200, true), { tail, ...(filter === undefined ? {} : { filter }) });
      await expect(readAll(body)).rejects.toThrow();
      expect(await ended).toEqual({ interrupted: true });
      expect(tail.tokens()).toBeNull();
    }
  });

  it('a JavaScript body of declared length keeps it', async () => {
    const text = 'x'.repeat(1000);
    const { body } = answerBody(scriptStream(text, 100), { length: 1000 });
    const response = new Response(body);
    expect((await response.text()).length).toBe(1000);
  });

  it('a provider’s own stream: the client gets each event as it comes, not after the last, and the very bytes sent; counted right', async () => {
    const upstreams = await fakeUpstreams({ chunks: 3, dripMs: 150 });
    const call = () =>
      fetch(`${upstreams.origin}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] }),
      });
    const sent = await (await call()).text();
    expect(sent).toContain('"choices":[]');
    for (const options of [{}, { tail: usageTail('openai') }, { tail: usageTail('openai'), filter: usageChunkFilter() }]) {
      const answer = await call();
      const started = Date.now();
      const { body, ended } = answerBody(answer.body ?? new ReadableStream(), { ...options, fromProvider: true });
      const reader = body.getReader();
      const first = await reader.read();
      const firstMs = Date.now() - started;
      let received = decoder.decode(first.value);
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += decoder.decode(chunk.value);
      const allMs = Date.now() - started;
      // Six events 150 ms apart: the first must not wait for the rest.
      expect(allMs).toBeGreaterThan(600);
      expect(firstMs).toBeLessThan(allMs / 2);
      expect(await ended).toEqual({ interrupted: false });
      // The fake's `created` is the second it answered: compared without it.
      const same = (a: string) => a.replace(/"created":\d+/g, '');
      expect(same(received)).toBe(same('filter' in options ? sent.replace(USAGE_EVENT, '') : sent));
      if (options.tail !== undefined) expect(options.tail.tokens()).toEqual({ input: 19, output: 10 });
    }
  });
});
