import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../../scripts/lib/admin-token.ts';
import { startDevWorker, type DevWorker } from '../../scripts/lib/dev-worker.ts';

/** What a Cloudflare Access application gives: a team domain and the application's AUD tag. */
const TEAM = 'https://example-team.cloudflareaccess.com';
const AUD = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const KID = 'access-key-1';

describe('admin auth with a JWKS (Cloudflare Access)', () => {
  let certs: Server;
  let worker: DevWorker;
  let accessKey: CryptoKey;
  let otherKey: CryptoKey;
  let certRequests = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    accessKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256', { extractable: true })).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    // Access serves its keys at /cdn-cgi/access/certs of the team domain.
    certs = createServer((req, res) => {
      certRequests++;
      if (req.url !== '/cdn-cgi/access/certs') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => certs.listen(0, '127.0.0.1', resolve));
    const certsUrl = `http://127.0.0.1:${(certs.address() as AddressInfo).port}/cdn-cgi/access/certs`;
    // No ADMIN_JWT_SECRET: the key set is the only way in.
    worker = await startDevWorker({
      vars: {
        PROVIDERS: JSON.stringify([{ id: 'static', type: 'openai', models: ['a'] }]),
        ADMIN_JWKS_URL: certsUrl,
        ADMIN_JWT_AUDIENCE: AUD,
        ADMIN_JWT_ISSUER: TEAM,
      },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await new Promise((resolve) => certs?.close(resolve));
  });

  /** A token shaped like an Access one: RS256, kid, aud, iss, email as sub, no role. */
  function accessToken(key: CryptoKey, claims: JWTPayload = {}) {
    return new SignJWT({ iss: TEAM, aud: AUD, sub: 'ops@example.com', email: 'ops@example.com', type: 'app', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  }

  const purge = (headers: Record<string, string>) => fetch(`${worker.url}/admin/cache/purge`, { method: 'POST', headers });

  it('accepts a token from the key set, with the right aud and no role, in Authorization: Bearer', async () => {
    const res = await purge({ Authorization: `Bearer ${await accessToken(accessKey)}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ purged: true });
    expect(certRequests).toBeGreaterThan(0);
  });

  it('accepts the same token in Cf-Access-Jwt-Assertion, as Access forwards it', async () => {
    const res = await purge({ 'Cf-Access-Jwt-Assertion': await accessToken(accessKey) });
    expect(res.status).toBe(200);
  });

  it('answers 401 to a token signed by another key pair under the same kid', async () => {
    const res = await purge({ Authorization: `Bearer ${await accessToken(otherKey)}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });

  it('answers 401 to a token for another application (wrong aud)', async () => {
    const res = await purge({ 'Cf-Access-Jwt-Assertion': await accessToken(accessKey, { aud: 'another-application' }) });
    expect(res.status).toBe(401);
  });

  it('answers 401 to a token from another team (wrong iss)', async () => {
    const res = await purge({ Authorization: `Bearer ${await accessToken(accessKey, { iss: 'https://other-team.cloudflareaccess.com' })}` });
    expect(res.status).toBe(401);
  });

  it('answers 403 to a key-set token that names a role other than admin', async () => {
    const res = await purge({ Authorization: `Bearer ${await accessToken(accessKey, { role: 'viewer' })}` });
    expect(res.status).toBe(403);
  });

  it('answers 401 to an HS256 token when no ADMIN_JWT_SECRET is configured', async () => {
    const hs256 = await signAdminToken({ secret: 'any-secret-of-at-least-thirty-two-bytes', issuer: TEAM, audience: AUD });
    expect((await purge({ Authorization: `Bearer ${hs256}` })).status).toBe(401);
  });
});
