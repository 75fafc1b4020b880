/** @module Mints admin JWTs the worker accepts: HS256, `role`, `sub`, `iat`, `exp`, and `iss`/`aud` when configured. */
import { SignJWT } from 'jose';

/** The worker's floor (src/auth/admin-jwt.ts MIN_SECRET_BYTES, RFC 7518 §3.2); minting below it is pointless. */
export const MIN_SECRET_BYTES = 32;
export const DEFAULT_TTL = '15m';

export interface AdminTokenOptions {
  secret: string;
  role?: string;
  sub?: string;
  /** A jose time span: `90s`, `15m`, `2h`, `1d`. */
  ttl?: string;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** A mistake in what the caller asked for; the message says how to fix it. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

export async function signAdminToken({ secret, role = 'admin', sub = 'admin', ttl = DEFAULT_TTL, issuer, audience }: AdminTokenOptions): Promise<string> {
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new TokenError(
      `ADMIN_JWT_SECRET is ${key.byteLength} bytes; it must be at least ${MIN_SECRET_BYTES} (the worker refuses shorter ones). ` +
        'Make one with: openssl rand -base64 48',
    );
  }
  const jwt = new SignJWT({ role }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt();
  try {
    jwt.setExpirationTime(ttl);
  } catch {
    throw new TokenError(`--ttl ${JSON.stringify(ttl)} is not a time span; use e.g. 90s, 15m, 2h or 1d`);
  }
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  return jwt.sign(key);
}
