import { describe, expect, it } from 'vitest';
import type { StreamReader, StreamWriter } from '../../../src/translate/codec.ts';
import type { Event, Usage } from '../../../src/translate/ir.ts';
import { translateStream, type StreamFailure } from '../../../src/translate/pipe.ts';

const encode = (value: string) => new TextEncoder().encode(value);

/** A body that hands out `text` in pieces of `size` bytes (pieces end mid-line and mid-character), then waits `holdMs` before ending. */
function body(text: string, size: number, options: { holdMs?: number; breakAfter?: number } = {}): ReadableStream<Uint8Array> {
  const bytes = encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.breakAfter !== undefined && at >= options.breakAfter) return controller.error(new Error('connection reset'));
      if (at >= bytes.length) {
        if (options.holdMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.holdMs));
        return controller.close();
      }
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/**
 * A reader for the test's own owner: each `data` is `{"t": text}`, `{"u": output tokens}`, `{"stop": true}`
 * or `{"e": message}`; the stream has finished once it stopped.
 */
function reader(): StreamReader {
  let stopped = false;
  return {
    push(data) {
      let chunk: { t?: string; u?: number; stop?: boolean; e?: string };
      try {
        chunk = JSON.parse(data) as typeof chunk;
      } catch {
        return [{ type: 'error', failure: { status: 502, kind: 'api_error', message: 'not JSON' } }];
      }
      const out: Event[] = [];
      if (chunk.t !== undefined) out.push({ type: 'text', text: chunk.t });
      if (chunk.u !== undefined) out.push({ type: 'usage', usage: { input: 1, output: chunk.u } });
      if (chunk.e !== undefined) out.push({ type: 'error', failure: { status: 500, kind: 'api_error', message: chunk.e } });
      if (chunk.stop === true) {
        stopped = true;
        out.push({ type: 'stop', reason: 'end' }, { type: 'done' });
      }
      return out;
    },
    end: () => (stopped ? [] : [{ type: 'error', failure: { status: 502, kind: 'api_error', message: 'cut short' } }]),
  };
}

/** A writer that names each event on a line, so the test sees exactly what reached it. */
function writer(withPing: boolean): StreamWriter {
  const line = (event: Event) => (event.type === 'text' ? `text ${event.text}` : event.type === 'error' ? `error ${event.failure.message}` : event.type);
  return { write: (events) => events.map((event) => `${line(event)}\n`).join(''), ...(withPing ? { ping: () => 'ping\n' } : {}) };
}

async function run(text: string, size: number, options: { holdMs?: number; breakAfter?: number; ping?: boolean; secrets?: string[] } = {}) {
  const usages: Usage[] = [];
  const failures: StreamFailure[] = [];
  const hooks = { secrets: options.secrets ?? [], onUsage: (usage: Usage) => usages.push(usage), onFailure: (kind: StreamFailure) => failures.push(kind), pingAfterMs: 40 };
  const out = await new Response(translateStream(body(text, size, options), reader(), writer(options.ping ?? false), hooks)).text();
  return { out, usages, failures };
}

const STREAM = 'data: {"t":"héllo ☀️"}\n\n: keep-alive\n\ndata: {"t":" world"}\n\ndata: {"u":7}\n\ndata: {"stop":true}\n\n';

describe('translateStream: an owner SSE body through a reader and a writer', () => {
  it.each([1, 2, 3, 7, 64, 100_000])('gives the same events whatever the piece size (%i bytes; mid-line, mid-UTF-8 character)', async (size) => {
    const { out, usages, failures } = await run(STREAM, size);
    expect(out).toBe('text héllo ☀️\ntext  world\nusage\nstop\ndone\n');
    expect(usages).toStrictEqual([{ input: 1, output: 7 }]);
    expect(failures).toStrictEqual([]);
  });

  it('reads CRLF and CR line endings', async () => {
    for (const variant of [STREAM.replace(/\n/g, '\r\n'), STREAM.replace(/\n/g, '\r')]) {
      expect((await run(variant, 3)).out).toBe('text héllo ☀️\ntext  world\nusage\nstop\ndone\n');
    }
  });

  it('joins multi-line data, and keeps a last event that has no blank line after it', async () => {
    const { out } = await run('data: {"t":\ndata: "two lines"}\n\ndata: {"stop":true}', 3);
    expect(out).toBe('text two lines\nstop\ndone\n');
  });

  it('takes a bare JSON line as an event of its own (Google\'s error inside an alt=sse stream)', async () => {
    const { out, failures } = await run('data: {"t":"a"}\n\n{"e":"Quota exceeded"}\n', 5);
    expect(out).toBe('text a\nerror Quota exceeded\n');
    expect(failures).toStrictEqual(['upstream_error_event']);
  });

  it('stops at the reader\'s done: nothing the owner sends after it reaches the writer', async () => {
    const { out } = await run(`${STREAM}data: {"t":"late"}\n\n`, 5);
    expect(out).not.toContain('late');
  });

  it('names an event that is not JSON as such, apart from an error the owner sent', async () => {
    const { out, failures } = await run('data: {"t":"a"}\n\ndata: {not json\n\n', 4);
    expect(out).toMatch(/^text a\nerror /);
    expect(failures).toStrictEqual(['upstream_event_not_json']);
  });

  it('ends a stream cut short with the reader\'s error, and says it was cut short', async () => {
    const { out, failures } = await run('data: {"t":"half"}\n\n', 4);
    expect(out).toBe('text half\nerror cut short\n');
    expect(failures).toStrictEqual(['upstream_stream_cut_short']);
  });

  it('ends a broken body with an error event that names the break, once', async () => {
    const { out, failures } = await run(STREAM, 10, { breakAfter: 20 });
    expect(out).toMatch(/error the upstream stream broke: connection reset\n$/);
    expect(failures).toStrictEqual(['upstream_stream_broke']);
  });

  it('redacts configured secrets and control characters from an owner\'s error message before the writer sees it', async () => {
    const { out, failures } = await run('data: {"e":"bad key sk-secret-value\\u001b[31m here"}\n\n', 8, { secrets: ['sk-secret-value'] });
    expect(out).toBe('error bad key [redacted][31m here\n');
    expect(failures).toStrictEqual(['upstream_error_event']);
  });

  it('sends the writer\'s ping while the owner is silent, and only for a writer that has one', async () => {
    const silent = 'data: {"t":"a"}\n\n';
    const pinged = await run(silent, 100, { holdMs: 130, ping: true });
    expect(pinged.out).toMatch(/^text a\n(ping\n){2,}error cut short\n$/);
    const quiet = await run(silent, 100, { holdMs: 130, ping: false });
    expect(quiet.out).toBe('text a\nerror cut short\n');
  });

  it('cancels the owner\'s body when the client hangs up', async () => {
    let cancelled: unknown;
    const owner = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(encode('data: {"t":"x"}\n\n')),
      cancel: (reason) => {
        cancelled = reason ?? 'cancelled';
      },
    });
    const hooks = { secrets: [], onUsage: () => {}, onFailure: () => {} };
    const client = translateStream(owner, reader(), writer(false), hooks).getReader();
    await client.read();
    await client.cancel('gone');
    expect(cancelled).toBe('gone');
  });
});
