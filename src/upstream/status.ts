/**
 * @module A non-2xx answer in words: the status and a reason phrase we choose, not the upstream's
 * (RFC 9110 §15: a client should ignore the reason phrase; it is upstream text). Cloudflare's own
 * 52x/530 answers, which a Worker gets instead of a connection error in production, say what failed.
 */
import { sanitise } from './sanitise.ts';

/** HTTP/2 upstreams send no reason phrase at all; these are the ones a listing meets. */
const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  // Cloudflare's edge, between the Worker (or the provider's own Cloudflare zone) and an origin:
  // https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/
  520: 'Unknown Error (Cloudflare: the origin answered with something it could not read)',
  521: 'Web Server Is Down (Cloudflare: connection refused by the origin)',
  522: 'Connection Timed Out (Cloudflare: the origin did not accept the connection in time)',
  523: 'Origin Is Unreachable (Cloudflare: no route to the origin)',
  524: 'A Timeout Occurred (Cloudflare: connected, but the origin sent no answer in time)',
  525: 'SSL Handshake Failed (Cloudflare: TLS failure with the origin)',
  526: 'Invalid SSL Certificate (Cloudflare: TLS failure, the origin certificate is not valid)',
};

/** Cloudflare's 1xxx codes that come with a `530`: https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-1xxx-errors/ */
const EDGE_CODES: Record<string, string> = {
  '1016': 'Origin DNS Error (Cloudflare error 1016: name not resolved; check the host name in the URL)',
  '1033': 'Tunnel Error (Cloudflare error 1033: the Cloudflare Tunnel to this origin is not running)',
};

/** How much of a `530` body is read to find its error code: Cloudflare's text answer is `error code: 1016`. */
const EDGE_BODY_BYTES = 1024;

/** `401 Unauthorized`, `530 Origin DNS Error (…)`, or the status with the upstream's phrase sanitised. Consumes the body. */
export async function describeStatus(response: Response, secrets: readonly string[]): Promise<string> {
  const { status } = response;
  if (status === 530) {
    const edge = await edgeCode(response);
    return `530 ${edge === undefined ? 'Cloudflare could not reach the origin' : (EDGE_CODES[edge] ?? `Cloudflare error ${edge}`)}`;
  }
  await response.body?.cancel();
  const phrase = REASON_PHRASES[status] ?? sanitise(response.statusText, secrets);
  return `${status} ${phrase}`.trim();
}

async function edgeCode(response: Response): Promise<string | undefined> {
  if (response.body === null) return undefined;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let bytes = 0; bytes < EDGE_BODY_BYTES; ) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value.subarray(0, EDGE_BODY_BYTES - bytes), { stream: true });
    bytes += value.byteLength;
  }
  await reader.cancel();
  // Only the digits leave this function: the rest of the body is upstream text.
  return /error code:?\s*(1\d{3})\b/i.exec(text)?.[1];
}
