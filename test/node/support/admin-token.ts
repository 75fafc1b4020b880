/** @module A real admin JWT for the node tests: HS256 with the worker's secret, `role: admin`, short `exp`. */
import { SignJWT } from 'jose';

export function adminToken(secret: string, sub = 'node-tests'): Promise<string> {
  return new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}
