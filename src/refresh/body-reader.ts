/**
 * @module A provider's answer read as text, fast: one buffer filled in place through a BYOB reader
 * and decoded once, buffers reused across reads in this isolate. Its invariants live here alone: a
 * buffer goes back to the pool only once its bytes are decoded (`readBodyText` is the only way in),
 * the pool holds at most MAX_SPARES buffers of at most SPARE_BYTES, and a detached buffer is never kept.
 */

/**
 * The whole body as text and its size in bytes; undefined, the rest cancelled, once it passes
 * `limit` bytes. `expected` (a declared length) sizes the buffer from the start.
 */
export async function readBodyText(stream: ReadableStream<Uint8Array>, limit: number, expected?: number): Promise<{ text: string; bytes: number } | undefined> {
  const body = await readAll(stream, limit, expected);
  if (body === undefined) return undefined;
  const text = UTF8.decode(body);
  spare(body.buffer);
  return { text, bytes: body.byteLength };
}

/** One decoder for every body: making one costs workerd more than decoding a short page. */
const UTF8 = new TextDecoder();

/**
 * The first buffer for a body of unknown length, doubled as it fills. The runtime hands a body over
 * in 4 KiB chunks, and each read is a round through the event loop that costs far more than its
 * bytes: workerd's `readAtLeast` fills the whole free space per read (a 1 MB list takes a few reads
 * instead of 256).
 */
const READ_BYTES = 256 * 1024;

/**
 * The whole body in one buffer, read into it in place and decoded once by the caller (decoding chunk
 * by chunk into a growing string costs more than parsing the body); undefined, the rest cancelled,
 * once it passes `limit` bytes. With the `expected` length the buffer is that size from the start
 * (one byte more, to see the end), so nothing is copied to grow it.
 */
async function readAll(stream: ReadableStream<Uint8Array>, limit: number, expected?: number): Promise<Uint8Array | undefined> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: 'byob' });
  } catch {
    // A stream built in JavaScript (a test double) has no byte source: chunk by chunk.
    return readChunks(stream.getReader(), limit);
  }
  let buffer = reused(expected === undefined ? READ_BYTES : Math.min(expected + 1, limit + 1));
  let filled = 0;
  for (;;) {
    if (filled === buffer.byteLength) {
      if (filled > limit) {
        await reader.cancel();
        return undefined;
      }
      const larger = reused(Math.min(buffer.byteLength * 2, limit + 1));
      larger.set(buffer);
      spare(buffer.buffer);
      buffer = larger;
    }
    // The read transfers the buffer; the view it answers is the buffer from now on.
    const { done, value } = await reader.readAtLeast(buffer.byteLength - filled, buffer.subarray(filled));
    if (value !== undefined) {
      buffer = new Uint8Array(value.buffer, 0, value.buffer.byteLength);
      filled += value.byteLength;
    }
    if (filled > limit) {
      await reader.cancel();
      return undefined;
    }
    if (done) return buffer.subarray(0, filled);
  }
}

/**
 * Isolate cache: read buffers given back once their body is decoded, for the next read in this isolate: a refresh
 * then allocates (and zeroes) no new megabytes per page, which would also count towards V8's next
 * garbage collection. Only buffers up to SPARE_BYTES are kept, at most MAX_SPARES of them, so an
 * isolate holds a few MiB at most; a read takes the smallest that fits.
 */
const spares: ArrayBuffer[] = [];
const MAX_SPARES = 4;
const SPARE_BYTES = 2 * 1024 * 1024;

/** A buffer of at least `size` bytes (its contents are overwritten by the read). */
function reused(size: number): Uint8Array {
  let best = -1;
  for (let i = 0; i < spares.length; i++) {
    const length = (spares[i] as ArrayBuffer).byteLength;
    if (length >= size && (best < 0 || length < (spares[best] as ArrayBuffer).byteLength)) best = i;
  }
  if (best < 0) return new Uint8Array(size);
  const [spare] = spares.splice(best, 1);
  return new Uint8Array(spare as ArrayBuffer);
}

function spare(buffer: ArrayBufferLike): void {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || buffer.byteLength > SPARE_BYTES || buffer.detached) return;
  if (spares.length === MAX_SPARES) spares.sort((a, b) => a.byteLength - b.byteLength).shift();
  spares.push(buffer);
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    bytes += read.value.byteLength;
    if (bytes > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  const body = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/** What a new isolate knows: no buffer to reuse. */
export function forgetSpareBuffers(): void {
  spares.length = 0;
}
