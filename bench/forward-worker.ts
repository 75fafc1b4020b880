/**
 * @module The forwarding limit, for `npm run bench` only: a trivial worker that forwards every request,
 * whatever its path, to the same path and query on one origin with a single `fetch` and returns its
 * answer as it is. Whatever models-edge does beyond this on an inference call (the key check, the body's
 * parse and rewrite, the model lookup, the header hygiene, the pass-through stream, the log line) shows
 * as the distance between the two. With `FORWARD_LOG=1` it also passes the answer through a stream and
 * writes one line behind it as models-edge does: the control that prices that line alone. A request with
 * `x-forward-js: 1` has every chunk of its answer read and written on by a JavaScript loop, nothing else:
 * the least any answer that JavaScript must see chunk by chunk (a filter, a translation) can cost.
 */

interface ForwardEnv {
  /** The fake providers' origin, e.g. `http://127.0.0.1:8790`: `/openai/v1/chat/completions` goes there as it is. */
  FORWARD_TO: string;
  /** The provider key the upstream expects. */
  FORWARD_KEY: string;
  FORWARD_LOG?: string;
}

/** The request headers a native client's call needs upstream (the body's type, the API version and betas). */
const FORWARDED = ['content-type', 'accept', 'anthropic-version', 'anthropic-beta'];

/** Each chunk read, then written on once the client's side has taken the last: models-edge's loop without its work. */
async function chunkByChunk(body: ReadableStream<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    await writer.write(value);
  }
  await writer.close();
}

export default {
  async fetch(request: Request, env: ForwardEnv, ctx: ExecutionContext): Promise<Response> {
    const started = Date.now();
    const url = new URL(request.url);
    // What the dev-worker launcher asks before it hands the worker over.
    if (url.pathname === '/healthz') return new Response('ok');
    const headers = new Headers({ Authorization: `Bearer ${env.FORWARD_KEY}` });
    for (const name of FORWARDED) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const answer = await fetch(`${env.FORWARD_TO}${url.pathname}${url.search}`, { method: request.method, headers, body: request.body });
    if (request.headers.get('x-forward-js') === '1' && answer.body !== null) {
      const { readable, writable } = new IdentityTransformStream();
      ctx.waitUntil(chunkByChunk(answer.body, writable.getWriter()));
      return new Response(readable, answer);
    }
    if (env.FORWARD_LOG !== '1' || answer.body === null) return answer;
    const { readable, writable } = new IdentityTransformStream();
    const line = () => console.log(JSON.stringify({ event: 'forward', path: url.pathname, status: answer.status, durationMs: Date.now() - started }));
    ctx.waitUntil(answer.body.pipeTo(writable).then(() => new Promise((resolve) => setTimeout(resolve, 0))).then(line));
    return new Response(readable, answer);
  },
} satisfies ExportedHandler<ForwardEnv>;
