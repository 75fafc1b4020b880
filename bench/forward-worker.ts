/**
 * @module The forwarding limit, for `npm run bench` only: a trivial worker that forwards every request
 * to one OpenAI-compatible upstream with a single `fetch` and returns its answer as it is. Whatever
 * models-edge does beyond this on an inference call (the key check, the body's parse and rewrite, the
 * model lookup, the header hygiene, the pass-through stream) shows as the distance between the two.
 */

interface ForwardEnv {
  /** The upstream's OpenAI-compatible root, e.g. `http://127.0.0.1:8790/openai/v1`. */
  FORWARD_TO: string;
  /** The provider key the upstream expects. */
  FORWARD_KEY: string;
}

export default {
  fetch(request: Request, env: ForwardEnv): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/^\/v1/, '');
    // What the dev-worker launcher asks before it hands the worker over.
    if (path === '/healthz') return Promise.resolve(new Response('ok'));
    return fetch(`${env.FORWARD_TO}${path}`, {
      method: request.method,
      headers: { Authorization: `Bearer ${env.FORWARD_KEY}`, 'Content-Type': 'application/json' },
      body: request.body,
    });
  },
} satisfies ExportedHandler<ForwardEnv>;
