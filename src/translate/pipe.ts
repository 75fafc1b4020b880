/**
 * @module The translation's only I/O: an owner's SSE body in, the client's dialect out, event by event.
 * Each SSE event's `data` goes to the owner's stream reader, its events to the client's stream writer,
 * the writer's text to the client at once. Pull-driven: one upstream read per client pull, so
 * backpressure and a client's hang-up reach the owner. Failure messages pass the one gate for upstream
 * text (sanitise) before any writer sees them; usage is taken from the events for the key's count.
 */
import { sanitise } from '../upstream/sanitise.ts';
import type { StreamReader, StreamWriter } from './codec.ts';
import type { Event, Usage } from './ir.ts';
import { sseParser } from './sse.ts';

/**
 * An Anthropic-dialect stream sends `event: ping` when the owner has been silent this long (contract §15):
 * proxies and clients that time out idle connections keep a slow owner's stream open.
 */
export const PING_AFTER_MS = 10_000;

/** Why a translated stream ended in an error event: the kind its log line names (never upstream text). */
export type StreamFailure = 'upstream_stream_broke' | 'upstream_stream_cut_short' | 'upstream_event_not_json' | 'upstream_error_event';

export interface PipeHooks {
  /** Configured secret values, redacted from every failure message. */
  secrets: readonly string[];
  /** The owner's latest usage report (the last one counts). */
  onUsage(usage: Usage): void;
  /** Hears once why the stream ended in an error, if it did. */
  onFailure(kind: StreamFailure): void;
  /** For tests: how long the owner may be silent before a ping. */
  pingAfterMs?: number;
}

const encoder = new TextEncoder();

export function translateStream(body: ReadableStream<Uint8Array>, reader: StreamReader, writer: StreamWriter, hooks: PipeHooks): ReadableStream<Uint8Array> {
  const upstream = body.getReader();
  const decoder = new TextDecoder();
  const parser = sseParser();
  const pingAfterMs = hooks.pingAfterMs ?? PING_AFTER_MS;
  let finished = false;
  /** When the owner last sent anything (or a ping went out): the keep-alive counts silence from here. */
  let heardAt = Date.now();
  let keepAlive: ReturnType<typeof setTimeout> | undefined;

  /**
   * One timer per stream, never one per read: it wakes when the owner could have been silent for the
   * whole interval, sends the writer's ping if it was, and sleeps again.
   */
  function armKeepAlive(controller: ReadableStreamDefaultController<Uint8Array>): void {
    const ping = writer.ping;
    if (ping === undefined || finished) return;
    keepAlive = setTimeout(() => {
      if (finished) return;
      if (Date.now() - heardAt >= pingAfterMs) {
        const text = ping.call(writer);
        if (text !== '') controller.enqueue(encoder.encode(text));
        heardAt = Date.now();
      }
      armKeepAlive(controller);
    }, Math.max(1, pingAfterMs - (Date.now() - heardAt)));
  }

  function stop(): void {
    finished = true;
    if (keepAlive !== undefined) clearTimeout(keepAlive);
  }

  /** Looks at what passes (usage, the end, a failure), sanitises failures, and writes. */
  function write(events: Event[], kind: StreamFailure = 'upstream_error_event'): string {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event === undefined) continue;
      if (event.type === 'usage' || (event.type === 'start' && event.usage !== undefined)) hooks.onUsage(event.type === 'usage' ? event.usage : (event.usage as Usage));
      else if (event.type === 'done') finished = true;
      else if (event.type === 'error') {
        finished = true;
        hooks.onFailure(kind);
        events[i] = { type: 'error', failure: { ...event.failure, message: sanitise(event.failure.message, hooks.secrets) || 'the upstream reported an error' } };
      }
    }
    return events.length === 0 ? '' : writer.write(events);
  }

  function feed(datas: string[]): string {
    let out = '';
    for (const data of datas) {
      if (finished) break;
      const events = reader.push(data);
      // An error the reader made of an event it could not read is the owner's broken stream, not its word.
      const failed = events.some((event) => event.type === 'error');
      out += write(events, failed && !isJson(data) ? 'upstream_event_not_json' : 'upstream_error_event');
    }
    return out;
  }

  return new ReadableStream<Uint8Array>({
    start(controller) {
      armKeepAlive(controller);
    },
    async pull(controller) {
      let out = '';
      // Reads until there is something to send, so a pull never resolves empty-handed mid-stream.
      while (out === '' && !finished) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await upstream.read();
        } catch (error) {
          // An owner that had said it finished (Gemini ends its stream only by closing it) lost nothing.
          const ending = reader.end();
          if (ending.some((event) => event.type === 'done')) {
            out = write(ending);
            break;
          }
          const message = `the upstream stream broke: ${error instanceof Error ? error.message : String(error)}`;
          out = write([{ type: 'error', failure: { status: 502, kind: 'api_error', message } }], 'upstream_stream_broke');
          break;
        }
        heardAt = Date.now();
        if (result.done) {
          out = feed([...parser.feed(decoder.decode()), ...parser.flush()]);
          if (!finished) out += write(reader.end(), 'upstream_stream_cut_short');
          finished = true;
          break;
        }
        out = feed(parser.feed(decoder.decode(result.value, { stream: true })));
      }
      if (out !== '') controller.enqueue(encoder.encode(out));
      if (finished) {
        stop();
        controller.close();
        // The answer is complete (or failed): whatever the owner still sends is not needed.
        upstream.cancel().catch(() => {});
      }
    },
    cancel(reason) {
      stop();
      return upstream.cancel(reason);
    },
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
