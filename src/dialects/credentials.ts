/** @module Reading a client key out of the headers and query a dialect's clients use for it. */
import { apiError } from '../errors.ts';

/** Every answer that refuses a key says how to send one (RFC 9110 §11.6.1). */
export const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer realm="models-edge"' };

/** A 401 for a missing, malformed, unknown, revoked or expired key; clients switch on `invalid_api_key`. */
export function invalidKey(message: string) {
  // OpenAI answers a bad key as an `invalid_request_error`; the other dialects use their own 401 type.
  return apiError(401, 'invalid_api_key', message, { type: 'invalid_request_error', headers: WWW_AUTHENTICATE });
}

/** The key in `Authorization: Bearer`; undefined when there is none (or `Bearer ` with nothing after it, as some clients send). */
export function bearerKey(request: Request): string | undefined {
  const header = request.headers.get('Authorization');
  if (header === null) return undefined;
  const match = /^Bearer +(\S*) *$/i.exec(header);
  if (match === null) throw invalidKey('The Authorization header holds no single Bearer key.');
  return match[1] === '' ? undefined : match[1];
}

/**
 * The one key among the places a dialect accepts. The same key twice is fine (some clients send both
 * headers); two different keys are refused rather than one of them picked.
 */
export function oneKey(found: readonly (string | undefined)[], where: string): string | undefined {
  let key: string | undefined;
  for (const candidate of found) {
    if (candidate === undefined || candidate === '') continue;
    if (key !== undefined && candidate !== key) throw invalidKey(`The request carries two different keys (${where}); send one.`);
    key = candidate;
  }
  return key;
}
