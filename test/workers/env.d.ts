// The bindings wrangler.toml gives the test runner, as `env` of `cloudflare:test` / `cloudflare:workers`.
declare namespace Cloudflare {
  interface Env {
    MODELS_KV: KVNamespace;
    COORDINATOR: DurableObjectNamespace<import('../../src/coordinator/api.ts').CoordinatorApi>;
    TEST_RATE_LIMITER: RateLimit;
  }
}

// Vite's `?raw` imports: a file's text, e.g. `.dev.vars.example` in the admin secret tests.
declare module '*?raw' {
  const text: string;
  export default text;
}
