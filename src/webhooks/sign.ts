/**
 * @module The signature on every webhook delivery: `X-Models-Edge-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, t + "." + body)>`. The time is inside the MAC so a receiver can refuse replays
 * (docs/api.md, "Webhooks", has the receiver's side).
 */

export const SIGNATURE_HEADER = 'X-Models-Edge-Signature';

const encoder = new TextEncoder();

/** The header value for `body` sent at `unixSeconds`. */
export async function signatureHeader(secret: string, body: string, unixSeconds: number): Promise<string> {
  const t = Math.floor(unixSeconds);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
