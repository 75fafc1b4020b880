/**
 * @module Admin authentication: a JWT in `Authorization: Bearer`, HS256 with `ADMIN_JWT_SECRET` (or
 * `ADMIN_JWT_SECRET_PREVIOUS` during a rotation), or RS256/ES256 from `ADMIN_JWKS_URL` (Cloudflare
 * Access, which also sends `Cf-Access-Jwt-Assertion`: that header is checked against the key set only).
 * The answer never says which check failed: 401 for any bad token, 403 for a good one without the role.
 */
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { AdminVariables } from '../app-env.ts';
import type { Env } from '../env.ts';
import { apiError } from '../errors.ts';
import { adminSettings, type AdminSettings } from './admin-settings.ts';

/** Far above any real admin token; a larger header is refused before any parsing. */
const MAX_TOKEN_CHARS = 8192;
/** Asymmetric algorithms accepted from the JWKS (Access signs with RS256). */
const JWKS_ALGORITHMS = ['RS256', 'ES256'];
/**
 * Clock skew allowed between the minting machine and the edge: an `iat` up to this far in the future
 * passes, and `exp`/`nbf` get the same leeway (RFC 7519 §4.1.4).
 */
const CLOCK_SKEW_SECONDS = 60;

/** One remote key set per URL for the isolate's life, so jose's cache and cooldown hold across requests. */
const remoteKeySets = new Map<string, JWTVerifyGetKey>();

export const adminAuth = () =>
  createMiddleware<{ Bindings: Env; Variables: AdminVariables }>(async function adminAuth(c, next) {
    c.set('adminSub', null);
    const settings = configured(c.env);
    const bearer = bearerToken(c.req.header('Authorization'));
    const access = settings.jwksUrl === undefined ? undefined : c.req.header('Cf-Access-Jwt-Assertion');
    const token = bearer ?? access;
    if (token === undefined) throw unauthorized('no bearer token');
    if (token.length > MAX_TOKEN_CHARS) throw unauthorized('token too long');
    let payload: JWTPayload;
    let viaJwks: boolean;
    try {
      // Access's header is never checked with the shared secret: only Access's keys sign it.
      const result = await verify(token, settings, { hmac: bearer !== undefined });
      payload = result.payload;
      viaJwks = result.protectedHeader.alg !== 'HS256';
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) throw unauthorized(error);
      throw error;
    }
    const lifetime = Number(payload.exp) - Number(payload.iat);
    if (lifetime > settings.maxAgeSeconds) throw unauthorized(`exp - iat is ${lifetime} s, above ADMIN_JWT_MAX_AGE (${settings.maxAgeSeconds} s)`);
    c.set('adminSub', typeof payload.sub === 'string' ? payload.sub : null);
    // An Access token carries no role: the Access policy decided who may hold one.
    const isAdmin = payload.role === 'admin' || (viaJwks && payload.role === undefined);
    if (!isAdmin) throw apiError(403, 'forbidden', 'This token does not carry the admin role.', { cause: 'no admin role' });
    await next();
  });

function configured(env: Env): AdminSettings {
  if (!env.ADMIN_JWT_SECRET && !env.ADMIN_JWKS_URL) {
    throw apiError(503, 'admin_auth_not_configured', 'admin auth not configured: set ADMIN_JWT_SECRET (or ADMIN_JWKS_URL).');
  }
  return adminSettings(env);
}

/**
 * Checks the signature and the claims: `exp` and `iat` required, `iat` at most `maxAgeSeconds` ago
 * and not in the future, `iss`/`aud` when configured. HS256 tries each configured secret in turn.
 */
async function verify(token: string, settings: AdminSettings, { hmac }: { hmac: boolean }) {
  const jwks = settings.jwksUrl === undefined ? undefined : remoteKeySet(settings.jwksUrl);
  const secrets = hmac ? settings.secrets : [];
  const options: JWTVerifyOptions = {
    algorithms: [...(secrets.length > 0 ? ['HS256'] : []), ...(jwks ? JWKS_ALGORITHMS : [])],
    requiredClaims: ['exp', 'iat'],
    maxTokenAge: settings.maxAgeSeconds,
    clockTolerance: CLOCK_SKEW_SECONDS,
    issuer: settings.issuer,
    audience: settings.audience,
  };
  const getKey = (secret: Uint8Array | undefined): JWTVerifyGetKey => (header, token) => {
    if (header.alg === 'HS256' && secret !== undefined) return secret;
    if (jwks !== undefined) return jwks(header, token);
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  };
  const [current, previous] = secrets;
  try {
    return await jwtVerify(token, getKey(current), options);
  } catch (error) {
    const maybeOlderSecret = error instanceof errors.JWSSignatureVerificationFailed && decodeProtectedHeader(token).alg === 'HS256';
    if (previous === undefined || !maybeOlderSecret) throw error;
  }
  return jwtVerify(token, getKey(previous), options);
}

function remoteKeySet(url: URL): JWTVerifyGetKey {
  let keySet = remoteKeySets.get(url.href);
  if (keySet === undefined) {
    keySet = createRemoteJWKSet(url);
    remoteKeySets.set(url.href, keySet);
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
