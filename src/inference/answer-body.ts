/**
 * @module How an answer's body reaches the client while the call learns when it ended and, when
 * counted, what its first and last bytes were (src/usage/tap.ts). Three ways, cheapest first:
 *
 * - **Tee'd** (the upstream's own body, nothing taken out): the runtime's `tee` gives the client one
 *   branch, pumped by the runtime with no JavaScript per chunk, the very bytes the provider sent; the
 *   other branch is read here in blocks of `DRAIN_BYTES` (`readAtLeast`), so JavaScript runs once
 *   per 64 KiB of answer (or once for the whole of a short one), off the client's path, and its end
 *   times the call.
 * - **Filtered** (OpenAI's usage chunk, asked for by us, must not reach a client that did not ask:
 *   src/usage/hidden-usage.ts): one loop reads each chunk as it comes, hands on what may pass and sees
 *   it for the usage. JavaScript per read, on the client's path: that is what taking bytes out costs.
 * - **Pumped** (a body made in JavaScript, e.g. a translated answer): the same loop without the filter,
 *   one stage where a tap and a pipe were two.
 *
 * Memory: a tee holds for each branch what that branch has not read yet. The drained branch is read as
 * fast as the provider sends (at most one block held for it); a client that reads slower than the
 * provider sends has the difference held for it, up to the whole answer, where a pipe would have
 * slowed the provider down instead. Answers are a model's output (kilobytes to a few megabytes), well
 * inside an isolate's 128 MB.
 */
import type { UsageTail } from '../usage/tap.ts';
import type { UsageChunkFilter } from '../usage/hidden-usage.ts';

/** The drained branch's read size: one JavaScript turn per this many bytes of answer. */
export const DRAIN_BYTES = 64 * 1024;

/** The most a read on the client's path takes at once. */
const PUMP_BYTES = 64 * 1024;

export interface AnswerBody {
  /** What the client gets. */
  body: ReadableStream<Uint8Array>;
  /** Settles once the answer has ended: `interrupted` when it broke off (the provider, or the client hanging up). */
  ended: Promise<{ interrupted: boolean }>;
}

/**
 * The client's body for `body`. `tail` (a counted call) sees every byte; `filter` takes OpenAI's usage
 * chunk out of what the client gets; `length`, when the answer declares one (and nothing is taken out),
 * keeps its `Content-Length` on a pumped body.
 */
export function answerBody(body: ReadableStream<Uint8Array>, { tail, filter, length }: { tail?: UsageTail; filter?: UsageChunkFilter; length?: number } = {}): AnswerBody {
  if (isByteStream(body)) {
    const [client, drained] = body.tee();
    const seen = drain(drained, tail);
    if (filter === undefined) return { body: client, ended: settle(seen) };
    // The drained branch pulls the provider's bytes as they come; the client's branch, read here, then
    // gets whatever has arrived since its last read in one piece: one JavaScript turn per burst, not per chunk.
    const { readable, writable } = new IdentityTransformStream();
    return { body: readable, ended: settle(Promise.all([seen, pump(client, writable.getWriter(), undefined, filter)])) };
  }
  const { readable, writable } = length !== undefined && filter === undefined ? new FixedLengthStream(length) : new IdentityTransformStream();
  return { body: readable, ended: settle(pump(body, writable.getWriter(), tail, filter)) };
}

/**
 * A copy of a provider's answer for a rewrite (a translation) to read: the same bytes, and a stream
 * that, when the provider sends faster than the rewrite reads, hands over everything that has arrived
 * in one read (a second branch drained in blocks pulls the bytes in), where the provider's own body
 * gives one chunk per read. Each read is a JavaScript turn of the rewrite's.
 */
export function coalesced(answer: Response): Response {
  if (answer.body === null || !isByteStream(answer.body)) return answer;
  const [read, drained] = answer.body.tee();
  void drain(drained, undefined).catch(() => undefined); // the rewrite's own read reports a break
  return new Response(read, answer);
}

/** Whether the runtime itself makes `body` (a fetch's body: a byte stream, readable into our own buffer). */
function isByteStream(body: ReadableStream<Uint8Array>): boolean {
  try {
    body.getReader({ mode: 'byob' }).releaseLock();
    return true;
  } catch {
    return false;
  }
}

async function drain(body: ReadableStream<Uint8Array>, tail: UsageTail | undefined): Promise<void> {
  const reader = body.getReader({ mode: 'byob' });
  let buffer = new ArrayBuffer(DRAIN_BYTES);
  for (;;) {
    // Resolves once DRAIN_BYTES have come, or at the end with what is left.
    const { value, done } = await reader.readAtLeast(DRAIN_BYTES, new Uint8Array(buffer));
    if (value !== undefined) {
      tail?.see(value);
      buffer = value.buffer;
    }
    if (done) return;
  }
}

async function pump(body: ReadableStream<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>, tail: UsageTail | undefined, filter: UsageChunkFilter | undefined): Promise<void> {
  const reader = isByteStream(body) ? byobReader(body) : body.getReader();
  let written: Promise<void> = Promise.resolve();
  const pass = (bytes: Uint8Array) => {
    written.catch(() => undefined); // the last write's failure is the one awaited
    written = writer.write(bytes);
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (value !== undefined && value.length > 0) {
        tail?.see(value);
        if (filter === undefined) pass(value);
        else filter.push(value, pass);
      }
      if (done) break;
      // The client's side has taken it: the provider is read at the client's pace, nothing piles up here.
      await written;
    }
    filter?.end(pass);
    await written;
    await writer.close();
  } catch (error) {
    // The provider broke off (the client is told by the stream's error), or the client left (the provider's read is cancelled).
    await Promise.allSettled([writer.abort(error), reader.cancel(error)]);
    throw error;
  }
}

/** A default-reader lookalike over a byte stream: each read takes whatever has arrived, up to PUMP_BYTES, in one piece. */
function byobReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader({ mode: 'byob' });
  return {
    read: () => reader.readAtLeast(1, new Uint8Array(PUMP_BYTES)),
    cancel: (reason: unknown) => reader.cancel(reason),
  };
}

function settle(work: Promise<unknown>): Promise<{ interrupted: boolean }> {
  return work.then(
    () => ({ interrupted: false }),
    () => ({ interrupted: true }),
  );
}
