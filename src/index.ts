/** @module The worker: HTTP routes, and the cron that keeps the list warm. */
import { app } from './app.ts';
import { ConfigError, parseConfig, type Config } from './config.ts';
import type { Env } from './env.ts';
import { logEvent } from './log.ts';
import { refreshShared } from './refresh/shared.ts';

export default {
  fetch: app.fetch,
  async scheduled(_controller, env) {
    // Same path as the admin refresh; a second run while one is going joins it, and a second
    // run later only writes the same list again. KV failing is logged by cache/kv.ts and survived
    // there; anything else that escapes is one log line, not an uncaught exception.
    let config: Config;
    try {
      // Parsed afresh (cheap, every 15 min): exactly one line per run under a configuration error.
      config = parseConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Nothing to refresh with; the stored list keeps being served.
      logEvent('config_error', { trigger: 'cron', field: error.field, message: error.message });
      return;
    }
    try {
      await refreshShared({ kv: env.MODELS_KV, config, coordinator: env.COORDINATOR }, 'cron');
    } catch (error) {
      logEvent('cron_failed', { message: error instanceof Error ? error.message : String(error) });
    }
  },
} satisfies ExportedHandler<Env>;

export { Coordinator } from './coordinator/coordinator.ts';
