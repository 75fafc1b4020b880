/**
 * @module The byte glue: an upstream's OpenAI SSE body in, Anthropic SSE bytes out, chunk by chunk. Reads
 * `data:` lines however the bytes are split (mid-line, mid-UTF-8 character, CR, LF or CRLF endings), skips
 * comments and other fields, stops at `data: [DONE]`. An unreadable event, a broken body or an early end
 * becomes Anthropic's `event: error` (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 */
import { chatStreamToMessages, type AnthropicEvent, type StreamFacts } from './stream.ts';
import { streamErrorEvent } from './errors.ts';

/** Anthropic's wire form of one event. */
export function formatEvent(event: AnthropicEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Splits text into SSE events' `data` (multi-line data joined by `\n`), keeping the unfinished line for later. */
export function sseParser(): { feed(text: string): string[]; flush(): string[] } {
  let buffer = '';
  let data: string[] = [];
  /** A CR ended the last piece: an LF first in the next one belongs to it. */
  let pendingCR = false;
  function line(text: string, out: string[]): void {
    if (text === '') {
      if (data.length > 0) out.push(data.join('\n'));
      data = [];
    } else if (text.startsWith('data:')) {
      data.push(text.charCodeAt(5) === 0x20 ? text.slice(6) : text.slice(5));
    }
    // Comments (`:`), `event:`, `id:` and `retry:` carry nothing an OpenAI stream uses.
  }
  return {
    feed(text: string): string[] {
      const out: string[] = [];
      let from = 0;
      if (pendingCR && text.charCodeAt(0) === 0x0a) from = 1;
      pendingCR = false;
      for (let i = from; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 0x0a && c !== 0x0d) continue;
        line(buffer + text.slice(from, i), out);
        buffer = '';
        if (c === 0x0d) {
          if (i + 1 === text.length) pendingCR = true;
          else if (text.charCodeAt(i + 1) === 0x0a) i++;
        }
        from = i + 1;
      }
      buffer += text.slice(from);
      return out;
    },
    flush(): string[] {
      const out: string[] = [];
      if (buffer !== '') line(buffer, out);
      buffer = '';
      line('', out);
      return out;
    },
  };
}

/** Why a translated stream ended in `event: error`: the kind its caller logs (never upstream text). */
export type StreamFailure = 'upstream_stream_broke' | 'upstream_stream_cut_short' | 'upstream_event_not_json' | 'upstream_error_event';

/**
 * An OpenAI chat completions SSE body as an Anthropic Messages SSE body for the client's `model`.
 * Pull-driven: one upstream read per downstream pull, so backpressure and a client's hang-up (cancel)
 * reach the upstream. `onFailure` hears once why the stream ended in `event: error`, if it did.
 */
export function translateChatStream(
  body: ReadableStream<Uint8Array>,
  model: string,
  request: StreamFacts = {},
  onFailure: (kind: StreamFailure) => void = () => {},
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const parser = sseParser();
  const translator = chatStreamToMessages(model, request);
  let finished = false;

  /** The translator's last events: an error among them means the upstream stopped before it finished. */
  function ending(): AnthropicEvent[] {
    const out = translator.end();
    if (out.some((event) => event.event === 'error')) onFailure('upstream_stream_cut_short');
    return out;
  }

  function events(datas: string[]): AnthropicEvent[] {
    const out: AnthropicEvent[] = [];
    for (const data of datas) {
      if (finished) break;
      if (data === '[DONE]') {
        finished = true;
        out.push(...ending());
        break;
      }
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        finished = true;
        onFailure('upstream_event_not_json');
        out.push(streamErrorEvent({ message: 'the upstream sent a stream event that is not JSON' }));
        break;
      }
      const translated = translator.push(chunk);
      out.push(...translated);
      if (translated.some((event) => event.event === 'error')) onFailure('upstream_error_event');
      if (translated.some((event) => event.event === 'error' || event.event === 'message_stop')) finished = true;
    }
    return out;
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let out: AnthropicEvent[] = [];
      // Reads until there is something to send, so a pull never resolves empty-handed mid-stream.
      while (out.length === 0 && !finished) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          finished = true;
          onFailure('upstream_stream_broke');
          out = [streamErrorEvent({ message: `the upstream stream broke: ${error instanceof Error ? error.message : String(error)}` }, request.secrets)];
          break;
        }
        if (result.done) {
          out = events([...parser.feed(decoder.decode()), ...parser.flush()]);
          if (!finished) {
            finished = true;
            out.push(...ending());
          }
          break;
        }
        out = events(parser.feed(decoder.decode(result.value, { stream: true })));
      }
      if (out.length > 0) controller.enqueue(encoder.encode(out.map(formatEvent).join('')));
      if (finished) {
        controller.close();
        // The answer is complete (or failed): whatever the upstream still sends is not needed.
        reader.cancel().catch(() => {});
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
