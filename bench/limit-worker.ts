/**
 * @module The runtime's limit, for `npm run bench` only: a trivial worker that answers every request
 * with the bytes and headers of models-edge's cached list, held in a constant. Whatever models-edge
 * does beyond this (routing, the memory tier, KV, the ETag check) shows as the distance between the two.
 */

interface LimitEnv {
  /** The real worker's `/v1/models` body, byte for byte. */
  LIMIT_BODY: string;
  /** JSON object of the real worker's response headers (ETag, Content-Type, Cache-Control, X-Cache). */
  LIMIT_HEADERS: string;
}

interface Constant {
  body: string;
  headers: Record<string, string>;
  etag: string;
}

// Read from the vars once per isolate; from then on every answer comes from this constant.
let constant: Constant | undefined;

export default {
  fetch(request: Request, env: LimitEnv): Response {
    constant ??= fromEnv(env);
    // The same revalidation the real worker offers, so the two can be compared on 304s as well.
    if (request.headers.get('If-None-Match') === constant.etag) {
      return new Response(null, { status: 304, headers: { ETag: constant.etag, 'Cache-Control': constant.headers['cache-control'] ?? '' } });
    }
    return new Response(constant.body, { headers: constant.headers });
  },
} satisfies ExportedHandler<LimitEnv>;

function fromEnv(env: LimitEnv): Constant {
  const headers = JSON.parse(env.LIMIT_HEADERS) as Record<string, string>;
  return { body: env.LIMIT_BODY, headers, etag: headers.etag ?? '' };
}
