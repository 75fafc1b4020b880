import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { fakeUpstreams } from './test/workers/support/outbound-service.ts';

export default defineConfig({
  test: {
    // The worker's one-line JSON logs (refresh, admin, …) are asserted where they matter; elsewhere
    // they would bury the test report.
    onConsoleLog: (log) => !log.startsWith('{"event":'),
    projects: [
      {
        // Inside workerd: the worker's own code, its KV and its scheduled handler.
        extends: false,
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                PROVIDERS: JSON.stringify([{ id: 'static', type: 'openai', models: ['a'] }]),
                ADMIN_JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long',
              },
              outboundService: fakeUpstreams,
              // The runtime's own rate limiter, for the per-key limit tests (src/routes/inference.ts);
              // a test hands it to the worker as CLIENT_RATE_LIMITER.
              ratelimits: { TEST_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 2, period: 60 } } },
            },
          }),
        ],
        test: { name: 'workers', include: ['test/workers/**/*.test.ts'] },
      },
      {
        // In Node: real loopback upstreams, `wrangler dev`, the openai client, a browser.
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 120_000 },
      },
    ],
  },
});
