// The bindings wrangler.toml gives the test runner, as `env` of `cloudflare:test` / `cloudflare:workers`.
declare namespace Cloudflare {
  interface Env {
    MODELS_KV: KVNamespace;
  }
}
