/** @module Admin tokens for tests: signed with jose like `npm run token`, or broken on purpose. */
import { SignJWT, type JWTPayload } from 'jose';
import { ADMIN_SECRET } from './worker.ts';

const MINUTE_SECONDS = 60;
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT with exactly `claims`, signed with `secret` under `alg` (HS256 and the test secret by default). */
export function signToken(claims: JWTPayload, { secret = ADMIN_SECRET, alg = 'HS256' } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** What an admin would paste: role admin, a subject, issued now, five minutes to live. */
export function adminToken(extra: JWTPayload = {}): Promise<string> {
  return signToken(adminClaims(extra));
}

/** The claims of `adminToken`, for tests that sign them another way. */
export function adminClaims(extra: JWTPayload = {}): JWTPayload {
  const iat = nowSeconds();
  return { role: 'admin', sub: 'test-admin', iat, exp: iat + 5 * MINUTE_SECONDS, ...extra };
}

/** An unsecured JWT (RFC 7519 §6): header `alg: none`, empty signature. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
