/**
 * @module How an answer's body reaches the client while the call learns when it ended and, when
 * counted, what its first and last bytes were (src/usage/tap.ts). Four ways, cheapest first:
 *
 * - **Read whole** (`readWhole`: a whole answer, not a stream, of declared length up to
 *   `WHOLE_ANSWER_BYTES`): one read, then the bytes are sent; forward.ts decides.
 * - **Piped** (the upstream's own body, nothing taken out): the runtime pumps it to the client, no
 *   JavaScript per chunk, the very bytes the provider sent. A counted call `tee`s it first; the copy is
 *   read once the client's branch has ended, in blocks of `DRAIN_BYTES` (`readAtLeast`): a few
 *   JavaScript turns per call, whatever the number of chunks, none on the client's path.
 * - **Filtered** (OpenAI's usage chunk, asked for by us, must not reach a client that did not ask:
 *   src/usage/hidden-usage.ts): one loop reads each chunk as it comes, sees it for the usage and hands
 *   on what may pass. JavaScript per read, on the client's path: that is what taking bytes out costs.
 * - **Pumped** (a body made in JavaScript, e.g. a translated answer): the same loop without the filter,
 *   one stage where a tap and a pipe were two. The loop's writes queue (`PUMP_QUEUE_BYTES`) rather
 *   than each waiting for the client's side.
 *
 * Why the copy waits: a tee pulls from the provider what its most demanding branch asks for, so a
 * 64 KiB read pending on the copy would hold the client's first bytes back until 64 KiB had come; read
 * a chunk at a time instead, it would cost a JavaScript turn per chunk again. Its memory: the copy holds
 * the answer until the end (a model's output: kilobytes to a few megabytes, inside an isolate's 128 MB);
 * the client's branch is read at the client's pace, as a pipe always was.
 */
import type { UsageTail } from '../usage/tap.ts';
import type { UsageChunkFilter } from '../usage/hidden-usage.ts';

/**
 * What the pump may write ahead of the client's side: a write then returns at once instead of waiting
 * for the client's side to take the last one (measured: bench/stream-modes.ts, `pump` against `pump-hwm`).
 */
const PUMP_QUEUE_BYTES = 64 * 1024;
/** The drained branch's read size: one JavaScript turn per this many bytes of answer. */
export const DRAIN_BYTES = 64 * 1024;
/**
 * A provider's whole answer (not a stream) that declares a length up to this is read whole, then sent:
 * one JavaScript turn, no stream stages. A chat answer is a few kilobytes; a longer one (a large batch
 * of embeddings) is piped as it comes, so no call holds more than this in the isolate.
 */
export const WHOLE_ANSWER_BYTES = 256 * 1024;

export interface AnswerBody {
  /** What the client gets. */
  body: ReadableStream<Uint8Array>;
  /** Settles once the answer has ended: `interrupted` when it broke off (the provider, or the client hanging up). */
  ended: Promise<{ interrupted: boolean }>;
}

/**
 * The client's body for `body`. `tail` (a counted call) sees every byte; `filter` takes OpenAI's usage
 * chunk out of what the client gets; `length`, when the answer declares one (and nothing is taken out),
 * keeps its `Content-Length`; `fromProvider`: `body` is a fetch's own (the provider's answer, not rewritten).
 */
export function answerBody(
  body: ReadableStream<Uint8Array>,
  { tail, filter, length, fromProvider = false }: { tail?: UsageTail; filter?: UsageChunkFilter; length?: number; fromProvider?: boolean } = {},
): AnswerBody {
  // Only a fetch's own body is piped: the runtime cannot pipe one of its transform streams into another.
  if (filter === undefined && fromProvider) {
    const { readable, writable } = length !== undefined ? new FixedLengthStream(length) : new IdentityTransformStream();
    if (tail === undefined) return { body: readable, ended: settle(body.pipeTo(writable)) };
    // The copy is read once the client's branch has ended: a read pending on it meanwhile would hold
    // the client's bytes back (a tee pulls what its most demanding branch asks for).
    const [client, copy] = body.tee();
    const read = client.pipeTo(writable).then(
      () => drain(copy, tail),
      async (error: unknown) => {
        await copy.cancel(error).catch(() => undefined);
        throw error;
      },
    );
    return { body: readable, ended: settle(read) };
  }
  // The pump's writes queue up to PUMP_QUEUE_BYTES instead of each waiting for the client's side.
  const queue = { highWaterMark: PUMP_QUEUE_BYTES };
  const { readable, writable } = length !== undefined && filter === undefined ? new FixedLengthStream(length, queue) : new IdentityTransformStream(queue);
  return { body: readable, ended: settle(pump(body, writable.getWriter(), tail, filter)) };
}

/**
 * A whole answer of declared length, read at once: its bytes (seen by `tail`), or null when the provider
 * broke off before the length it declared. Reading it whole costs one JavaScript turn where a tee, a pipe
 * and a drained copy cost several; the client needs its last byte before it can use a JSON answer anyway.
 */
export async function readWhole(answer: Response, tail: UsageTail | undefined): Promise<Uint8Array | null> {
  try {
    const bytes = new Uint8Array(await answer.arrayBuffer());
    tail?.see(bytes);
    return bytes;
  } catch {
    return null;
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
  const reader = body.getReader();
  let written: Promise<void> = Promise.resolve();
  /** Set once a write failed: the client left. Writes are not awaited one by one, so the loop looks here. */
  let left: { error: unknown } | undefined;
  const pass = (bytes: Uint8Array) => {
    written = writer.write(bytes);
    written.catch((error: unknown) => {
      left ??= { error };
    });
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
      // A client that left stops the provider's stream at its next chunk.
      if (left !== undefined) throw left.error;
      // Past the queue's bound the provider is read at the client's pace: nothing piles up here.
      if ((writer.desiredSize ?? 0) <= 0) await writer.ready;
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

function settle(work: Promise<unknown>): Promise<{ interrupted: boolean }> {
  return work.then(
    () => ({ interrupted: false }),
    () => ({ interrupted: true }),
  );
}
