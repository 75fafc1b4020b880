/** @module The worker: HTTP routes, and the cron that keeps the list warm. */
import { app } from './app.ts';
import { loadConfig } from './config.ts';
import type { Env } from './env.ts';
import { logEvent } from './log.ts';
import { refreshShared } from './refresh/shared.ts';

export default {
  fetch: app.fetch,
  async scheduled(_controller, env) {
    // Same path as the admin refresh; a second run while one is going joins it, and a second
    // run later only writes the same list again. KV failing is logged by cache/kv.ts and survived
    // there; anything else that escapes is one log line, not an uncaught exception.
    try {
      await refreshShared({ kv: env.MODELS_KV, config: loadConfig(env) }, 'cron');
    } catch (error) {
      logEvent('cron_failed', { message: error instanceof Error ? error.message : String(error) });
    }
  },
} satisfies ExportedHandler<Env>;
