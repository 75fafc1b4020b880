/**
 * @module Mints admin JWTs the worker accepts: HS256, `role`, `sub`, `iat`, `exp`, and `iss`/`aud` when
 * configured; never a lifetime above `ADMIN_JWT_MAX_AGE`, never with a short or published secret.
 */
import { decodeJwt, SignJWT } from 'jose';
import { DEFAULT_MAX_AGE_SECONDS, SECRET_FIX, secretProblem } from '../../src/auth/admin-rules.ts';

export const DEFAULT_TTL = '15m';

export interface AdminTokenOptions {
  secret: string;
  role?: string;
  sub?: string;
  /** A jose time span: `90s`, `15m`, `2h`, `1d`. */
  ttl?: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** The worker's `ADMIN_JWT_MAX_AGE`: the longest `exp − iat` it accepts. */
  maxAgeSeconds?: number;
}

/** A mistake in what the caller asked for; the message says how to fix it. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

export async function signAdminToken(options: AdminTokenOptions): Promise<string> {
  const { secret, role = 'admin', sub = 'admin', ttl = DEFAULT_TTL, issuer, audience, maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS } = options;
  const problem = secretProblem(secret);
  if (problem !== undefined) {
    throw new TokenError(`ADMIN_JWT_SECRET ${problem} (the worker refuses it); ${SECRET_FIX} (locally: put it in .dev.vars)`);
  }
  const jwt = new SignJWT({ role }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt();
  try {
    jwt.setExpirationTime(ttl);
  } catch {
    throw new TokenError(`--ttl ${JSON.stringify(ttl)} is not a time span; use e.g. 90s, 15m, 2h or 1d`);
  }
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  const token = await jwt.sign(new TextEncoder().encode(secret));
  const { iat = 0, exp = 0 } = decodeJwt(token);
  if (exp - iat > maxAgeSeconds) {
    throw new TokenError(
      `--ttl ${ttl} is ${exp - iat} s, above ADMIN_JWT_MAX_AGE (${maxAgeSeconds} s): the worker would refuse the token. ` +
        'Ask for a shorter --ttl, or raise ADMIN_JWT_MAX_AGE for the worker (and here).',
    );
  }
  return token;
}
