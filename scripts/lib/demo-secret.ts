/**
 * @module The admin secret of the zero-configuration demo (`npm start` without `.dev.vars`).
 * It is public, in this repository, on purpose: it can only ever sign tokens for a worker running
 * on the developer's own machine against fake upstreams. Never use it for a deployment.
 */
export const DEMO_ADMIN_JWT_SECRET = 'local-demo-secret-not-for-production-0000';
