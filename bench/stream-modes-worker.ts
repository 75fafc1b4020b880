/**
 * @module For bench/stream-modes.ts only: the one-fetch forwarder (bench/forward-worker.ts) with
 * the answer passed to the client in the way the request's `x-mode` header names, each reading every
 * byte as a usage count must (a 16 KiB ring), and timing the end behind the answer as models-edge does:
 *
 *   plain       the upstream's answer returned as it is (the floor)
 *   identity    piped through an IdentityTransformStream (the runtime pumps it)
 *   transform   through a JavaScript TransformStream tap, then as `identity` (models-edge before issue 31)
 *   tee         tee'd: the client's branch returned, the other read chunk by chunk
 *   tee-blocks  tee'd: the other branch read in 64 KiB blocks (`readAtLeast`) meanwhile (fast, but a read
 *               pending on one branch holds the other's bytes back: the client's first byte waits)
 *   tee-after   tee'd: the client's branch piped as `identity`, the other read in blocks once that has ended
 *               (models-edge's counted calls)
 *   pump        one JavaScript loop: read what has come, write it to an IdentityTransformStream (models-edge's
 *               filtered and rewritten answers)
 *   pump-hwm    the same, into an IdentityTransformStream with a 64 KiB highWaterMark, a write awaited only when
 *               it is full (tried: no cheaper; each chunk still costs its JavaScript turns)
 *   read-only   every chunk read by JavaScript, nothing written until the end: what the reads alone cost
 *   buffer      the whole answer read at once, then sent (models-edge's whole answers of declared length)
 */

interface ForwardEnv {
  FORWARD_TO: string;
  FORWARD_KEY: string;
}

const TAIL_BYTES = 16 * 1024;
const BLOCK_BYTES = 64 * 1024;

/** Keeps the last TAIL_BYTES seen, as the usage tail does. */
function ring(): (chunk: Uint8Array) => void {
  const kept = new Uint8Array(TAIL_BYTES);
  let total = 0;
  return (chunk) => {
    const last = chunk.length > TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : chunk;
    const at = total % TAIL_BYTES;
    const first = Math.min(last.length, TAIL_BYTES - at);
    kept.set(last.subarray(0, first), at);
    if (first < last.length) kept.set(last.subarray(first), 0);
    total += last.length;
  };
}

async function drain(body: ReadableStream<Uint8Array>, see: (chunk: Uint8Array) => void, atLeast: number): Promise<void> {
  const reader = body.getReader({ mode: 'byob' });
  for (;;) {
    const { value, done } = await reader.readAtLeast(atLeast, new Uint8Array(BLOCK_BYTES));
    if (value !== undefined) see(value);
    if (done) return;
  }
}

async function pump(body: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>, see: (chunk: Uint8Array) => void): Promise<void> {
  const reader = body.getReader({ mode: 'byob' });
  const writer = writable.getWriter();
  for (;;) {
    const { value, done } = await reader.readAtLeast(1, new Uint8Array(BLOCK_BYTES));
    if (value !== undefined && value.length > 0) {
      see(value);
      await writer.write(value);
    }
    if (done) break;
  }
  await writer.close();
}

async function pumpQueued(body: ReadableStream<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>, see: (chunk: Uint8Array) => void): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (value !== undefined && value.length > 0) {
      see(value);
      void writer.write(value);
      if ((writer.desiredSize ?? 0) <= 0) await writer.ready;
    }
    if (done) break;
  }
  await writer.close();
}

export default {
  async fetch(request: Request, env: ForwardEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/healthz') return new Response('ok');
    const mode = request.headers.get('x-mode') ?? 'plain';
    const headers = new Headers({ Authorization: `Bearer ${env.FORWARD_KEY}` });
    for (const name of ['content-type', 'accept']) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const answer = await fetch(`${env.FORWARD_TO}${url.pathname}${url.search}`, { method: 'POST', headers, body: request.body });
    const body = answer.body;
    if (mode === 'plain' || body === null) return answer;
    const see = ring();
    // The end, a timer turn later, as models-edge makes its log line and count.
    const behind = (work: Promise<unknown>) => ctx.waitUntil(work.then(() => new Promise((resolve) => setTimeout(resolve, 0))));
    const piped = (work: (writable: WritableStream<Uint8Array>) => Promise<unknown>) => {
      const { readable, writable } = new IdentityTransformStream();
      behind(work(writable));
      return new Response(readable, answer);
    };
    switch (mode) {
      case 'identity':
        return piped((writable) => body.pipeTo(writable));
      case 'transform': {
        const tap = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            controller.enqueue(chunk);
            see(chunk);
          },
        });
        return piped((writable) => body.pipeThrough(tap).pipeTo(writable));
      }
      case 'tee':
      case 'tee-blocks': {
        const [client, drained] = body.tee();
        behind(drain(drained, see, mode === 'tee' ? 1 : BLOCK_BYTES));
        return new Response(client, answer);
      }
      case 'pump':
        return piped((writable) => pump(body, writable, see));
      case 'pump-hwm': {
        const { readable, writable } = new IdentityTransformStream({ highWaterMark: BLOCK_BYTES });
        behind(pumpQueued(body, writable.getWriter(), see));
        return new Response(readable, answer);
      }
      case 'read-only':
        return piped(async (writable) => {
          const reader = body.getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (value !== undefined) see(value);
            if (done) break;
          }
          const writer = writable.getWriter();
          await writer.write(new TextEncoder().encode('data: [DONE]\n\n'));
          await writer.close();
        });
      case 'buffer': {
        const bytes = new Uint8Array(await answer.arrayBuffer());
        see(bytes);
        behind(Promise.resolve());
        return new Response(bytes, answer);
      }
      case 'tee-after': {
        const [client, copy] = body.tee();
        return piped((writable) => client.pipeTo(writable).then(() => drain(copy, see, BLOCK_BYTES)));
      }
      default:
        return new Response(`unknown mode ${mode}`, { status: 400 });
    }
  },
} satisfies ExportedHandler<ForwardEnv>;
