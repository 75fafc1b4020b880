/**
 * @module Admin authentication: a JWT in `Authorization: Bearer`, HS256 with `ADMIN_JWT_SECRET`,
 * or RS256/ES256 from `ADMIN_JWKS_URL` (Cloudflare Access, also via `Cf-Access-Jwt-Assertion`).
 * The answer never says which check failed: 401 for any bad token, 403 for a good one without the role.
 */
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../config.ts';
import type { Env } from '../env.ts';
import { apiError } from '../errors.ts';

/** HS256 needs a key at least as long as its output (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
/** Far above any real admin token; a larger header is refused before any parsing. */
const MAX_TOKEN_CHARS = 8192;
/** Asymmetric algorithms accepted from the JWKS (Access signs with RS256). */
const JWKS_ALGORITHMS = ['RS256', 'ES256'];

export type AdminVariables = { adminSub: string | null };

/** One remote key set per URL for the isolate's life, so jose's cache and cooldown hold across requests. */
const remoteKeySets = new Map<string, JWTVerifyGetKey>();

export const adminAuth = () =>
  createMiddleware<{ Bindings: Env; Variables: AdminVariables }>(async function adminAuth(c, next) {
    c.set('adminSub', null);
    const verifier = verifierFor(c.env);
    const token = bearerToken(c.req.header('Authorization')) ?? (verifier.jwks ? c.req.header('Cf-Access-Jwt-Assertion') : undefined);
    if (token === undefined) throw unauthorized('no bearer token');
    if (token.length > MAX_TOKEN_CHARS) throw unauthorized('token too long');
    let payload: JWTPayload;
    let viaJwks: boolean;
    try {
      const result = await jwtVerify(token, verifier.getKey, verifier.options);
      payload = result.payload;
      viaJwks = result.protectedHeader.alg !== 'HS256';
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) throw unauthorized(error);
      throw error;
    }
    c.set('adminSub', typeof payload.sub === 'string' ? payload.sub : null);
    // An Access token carries no role: the Access policy decided who may hold one.
    const isAdmin = payload.role === 'admin' || (viaJwks && payload.role === undefined);
    if (!isAdmin) throw apiError(403, 'forbidden', 'This token does not carry the admin role.', { cause: 'no admin role' });
    await next();
  });

interface Verifier {
  getKey: JWTVerifyGetKey;
  options: Parameters<typeof jwtVerify>[2];
  jwks: boolean;
}

function verifierFor(env: Env): Verifier {
  const secret = env.ADMIN_JWT_SECRET ? new TextEncoder().encode(env.ADMIN_JWT_SECRET) : undefined;
  const jwksUrl = env.ADMIN_JWKS_URL || undefined;
  if (secret === undefined && jwksUrl === undefined) {
    throw apiError(503, 'admin_auth_not_configured', 'admin auth not configured: set ADMIN_JWT_SECRET (or ADMIN_JWKS_URL).');
  }
  if (secret !== undefined && secret.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError('ADMIN_JWT_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (jwksUrl !== undefined && !env.ADMIN_JWT_AUDIENCE) {
    // Without an audience any token the team's keys ever signed, for any application, would pass.
    throw new ConfigError('ADMIN_JWT_AUDIENCE', 'is required when ADMIN_JWKS_URL is set');
  }
  const jwks = jwksUrl === undefined ? undefined : remoteKeySet(jwksUrl);
  const getKey: JWTVerifyGetKey = (header, token) => {
    if (header.alg === 'HS256' && secret !== undefined) return secret;
    if (jwks !== undefined) return jwks(header, token);
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  };
  return {
    getKey,
    options: {
      algorithms: [...(secret ? ['HS256'] : []), ...(jwks ? JWKS_ALGORITHMS : [])],
      requiredClaims: ['exp'],
      issuer: env.ADMIN_JWT_ISSUER || undefined,
      audience: env.ADMIN_JWT_AUDIENCE || undefined,
    },
    jwks: jwks !== undefined,
  };
}

function remoteKeySet(url: string): JWTVerifyGetKey {
  let keySet = remoteKeySets.get(url);
  if (keySet === undefined) {
    if (!URL.canParse(url)) throw new ConfigError('ADMIN_JWKS_URL', 'must be a URL');
    keySet = createRemoteJWKSet(new URL(url));
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i);
  return match?.[1];
}

/** `cause` stays server-side: the audit line logs it, the answer never says which check failed. */
function unauthorized(cause: unknown) {
  return apiError(401, 'invalid_token', 'A valid admin token is required.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="models-edge"' },
    cause,
  });
}
