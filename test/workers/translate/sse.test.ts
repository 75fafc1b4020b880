import { describe, expect, it } from 'vitest';
import { sseParser, translateChatStream } from '../../../src/translate/sse.ts';
import { chatStreamToMessages, CUT_SHORT, type AnthropicEvent } from '../../../src/translate/stream.ts';
import cutShort from '../../fixtures/translate/openai-cut-short.json';
import interleaved from '../../fixtures/translate/openai-parallel-interleaved.json';
import text from '../../fixtures/translate/openai-text.json';
import toolSplit from '../../fixtures/translate/openai-tool-split.json';
import { accumulate, chunksOf, sseText, type SseFixture } from './support.ts';

/** A body that hands out `bytes` in pieces of `size` bytes (so pieces end mid-line and mid-character). */
function body(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** Anthropic SSE text as events, checking the wire form `event: X\ndata: {json}\n\n`. */
function parseAnthropic(output: string): AnthropicEvent[] {
  expect(output.endsWith('\n\n')).toBe(true);
  return output.slice(0, -2).split('\n\n').map((frame) => {
    const match = /^event: ([a-z_]+)\ndata: (\{.*\})$/.exec(frame);
    if (match === null) throw new Error(`not an Anthropic SSE frame: ${JSON.stringify(frame)}`);
    return { event: match[1] ?? '', data: JSON.parse(match[2] ?? '') as Record<string, unknown> };
  });
}

async function translate(bytes: Uint8Array, size: number): Promise<AnthropicEvent[]> {
  return parseAnthropic(await new Response(translateChatStream(body(bytes, size), 'claude-x')).text());
}

/** What the pure translator says for the fixture's chunks: the reference the byte glue must match. */
function expected(fixture: SseFixture): AnthropicEvent[] {
  const translator = chatStreamToMessages('claude-x');
  return [...chunksOf(fixture).flatMap((chunk) => translator.push(chunk)), ...translator.end()];
}

const encode = (value: string) => new TextEncoder().encode(value);

describe('translateChatStream: OpenAI SSE bytes → Anthropic SSE bytes', () => {
  it.each([1, 2, 3, 7, 64, 100_000])('gives the same events whatever the piece size (%i bytes; mid-line, mid-UTF-8 character)', async (size) => {
    for (const fixture of [text, toolSplit, interleaved]) {
      expect(await translate(encode(sseText(fixture)), size)).toStrictEqual(expected(fixture));
    }
  });

  it('reads CRLF and CR line endings, comment lines and other fields', async () => {
    const lf = sseText(text);
    const noisy = `: keep-alive\n\nretry: 1000\n${lf.replace(/\n\n/g, '\n\n: ping\nevent: chunk\n\n')}`;
    for (const variant of [noisy.replace(/\n/g, '\r\n'), noisy.replace(/\n/g, '\r')]) {
      for (const size of [1, 5]) expect(await translate(encode(variant), size)).toStrictEqual(expected(text));
    }
    expect(accumulate(await translate(encode(noisy.replace(/\n/g, '\r\n')), 3)).content).toStrictEqual([{ type: 'text', text: 'Hello! How can I help you today? ☀️' }]);
  });

  it('joins multi-line data and keeps a last event that has no blank line after it', () => {
    const parser = sseParser();
    expect(parser.feed('data: {"a":\ndata: 1}\n\ndata: [DO')).toStrictEqual(['{"a":\n1}']);
    expect(parser.feed('NE]')).toStrictEqual([]);
    expect(parser.flush()).toStrictEqual(['[DONE]']);
    // A CRLF split between pieces is one line end, not two (two would end the event early).
    const crlf = sseParser();
    expect(crlf.feed('data: {"a":\r')).toStrictEqual([]);
    expect(crlf.feed('\ndata: 1}\r\n\r\n')).toStrictEqual(['{"a":\n1}']);
  });

  it('ends at data: [DONE] and ignores what follows', async () => {
    const events = await translate(encode(`${sseText(toolSplit)}data: {"not":"read"}\n\n`), 11);
    expect(events).toStrictEqual(expected(toolSplit));
  });

  it('answers an upstream that ends without finish_reason with event: error', async () => {
    const events = await translate(encode(sseText(cutShort)), 9);
    expect(events[events.length - 1]).toStrictEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: CUT_SHORT } } });
  });

  it('answers a data line that is not JSON with event: error', async () => {
    const events = await translate(encode('data: {"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: {oops\n\n'), 4);
    expect(events.map((event) => event.event)).toStrictEqual(['message_start', 'content_block_start', 'content_block_delta', 'error']);
  });

  it('answers a body that breaks mid-stream with event: error naming the failure', async () => {
    const bytes = encode('data: {"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n');
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('connection reset'));
        sent = true;
        controller.enqueue(bytes);
      },
    });
    const failures: string[] = [];
    const events = parseAnthropic(await new Response(translateChatStream(broken, 'm', {}, (kind) => failures.push(kind))).text());
    expect(events[events.length - 1]?.data).toStrictEqual({ type: 'error', error: { type: 'api_error', message: 'the upstream stream broke: connection reset' } });
    expect(failures).toStrictEqual(['upstream_stream_broke']);
  });

  it('tells its caller once why it ended in event: error, and nothing when it ended well', async () => {
    const failures: string[] = [];
    const onFailure = (kind: string) => failures.push(kind);
    const ok = 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
    await new Response(translateChatStream(new Response(ok).body ?? new ReadableStream(), 'm', {}, onFailure)).text();
    expect(failures).toStrictEqual([]);
    await new Response(translateChatStream(new Response('data: {oops\n\ndata: {again\n\n').body ?? new ReadableStream(), 'm', {}, onFailure)).text();
    expect(failures).toStrictEqual(['upstream_event_not_json']);
    // Ended (by [DONE], or by the body's end) before a finish_reason: cut short.
    for (const cut of ['data: {"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n', 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n']) {
      failures.length = 0;
      await new Response(translateChatStream(new Response(cut).body ?? new ReadableStream(), 'm', {}, onFailure)).text();
      expect(failures).toStrictEqual(['upstream_stream_cut_short']);
    }
  });

  it('sends each event as soon as its bytes arrive, and passes a client hang-up to the upstream', async () => {
    let cancelled: unknown;
    let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) { controllerRef = controller; },
      cancel(reason) { cancelled = reason; },
    });
    const reader = translateChatStream(upstream, 'm').getReader();
    controllerRef?.enqueue(encode('data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hel'));
    const pending = reader.read();
    controllerRef?.enqueue(encode('lo"}}]}\n\n'));
    const first = await pending;
    expect(parseAnthropic(new TextDecoder().decode(first.value)).map((event) => event.event)).toStrictEqual(['message_start', 'content_block_start', 'content_block_delta']);
    await reader.cancel('client went away');
    expect(cancelled).toBe('client went away');
  });
});
