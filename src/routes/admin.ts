/** @module The admin JSON API: purge, refresh and status of the cached list, and client keys, behind an admin JWT. */
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { errors } from 'jose';
import type { AppEnv } from '../app-env.ts';
import { adminAuth } from '../auth/admin-jwt.ts';
import { crossSiteGuard } from '../auth/cross-site.ts';
import { edgeDelete, LIST_COPY } from '../cache/edge.ts';
import { deleteAll, storeHealth, tryReadList, tryReadStatus, type StoredList } from '../cache/kv.ts';
import { adoptGeneration, lastKnown } from '../cache/memory.ts';
import { failureReasons, type CacheStatus } from '../cache/status.ts';
import { ConfigError, configOrError, loadConfig, type Config } from '../config.ts';
import { coordinatorOf, coordinatorStatus, noteUnreachable } from '../coordinator/client.ts';
import { feedState } from '../coordinator/feed-client.ts';
import { apiError } from '../errors.ts';
import { logEvent } from '../log.ts';
import { refreshShared } from '../refresh/shared.ts';
import { keys } from './keys.ts';
import { aliasesOf } from '../serve/answers.ts';
import { forgetList } from '../serve/read.ts';

export const admin = new Hono<AppEnv>();

/** One audit line per admin call, denied ones included: action, the token's `sub`, outcome. */
const audit = createMiddleware<AppEnv>(async function audit(c, next) {
  const started = Date.now();
  await next();
  const status = c.res.status;
  logEvent('admin', {
    action: `${c.req.method} ${c.req.path}`,
    sub: c.get('adminSub') ?? null,
    outcome: status < 400 ? 'ok' : status === 401 || status === 403 ? 'denied' : 'failed',
    status,
    ...(status === 401 || status === 403 ? { reason: denialReason(c.error) } : {}),
    ...(c.get('auditKey') === undefined ? {} : { key: c.get('auditKey') }),
    durationMs: Date.now() - started,
  });
});

/** Why a token was refused, for the operator: jose's error code (`ERR_JWT_EXPIRED`, …) or a phrase. */
function denialReason(error: Error | undefined): string | undefined {
  const cause = error instanceof HTTPException ? error.cause : undefined;
  if (cause instanceof errors.JOSEError) return cause.code;
  return typeof cause === 'string' ? cause : cause instanceof Error ? cause.name : undefined;
}

admin.use('*', crossSiteGuard());
admin.use('/cache/*', audit, adminAuth());
admin.use('/keys/*', audit, adminAuth());
admin.route('/keys', keys);

admin.post('/cache/purge', async function purge(c) {
  // First, so a refresh under way here (its writes may run behind a miss's answer) stores nothing after it.
  forgetList();
  // Through the coordinator, a refresh under way anywhere stores nothing after it either (its generation is gone).
  // Not bound, held off, or no answer within a decision's budget: this isolate deletes KV's copy itself.
  const coordinator = coordinatorOf(c.env.COORDINATOR);
  let kvError: string | null | undefined;
  if (coordinator !== undefined) {
    try {
      const purged = await coordinator.purge();
      adoptGeneration(purged.generation);
      kvError = purged.error;
    } catch (error) {
      noteUnreachable(error, 'purge');
    }
  }
  if (kvError === undefined) {
    try {
      await deleteAll(c.env.MODELS_KV);
      kvError = null;
    } catch {
      kvError = storeHealth().error ?? 'KV delete failed';
    }
  }
  if (kvError !== null) throw apiError(503, 'store_unavailable', `Workers KV failed; nothing was purged. ${kvError}`.trim());
  await edgeDelete(LIST_COPY);
  return c.json({ purged: true });
});

admin.post('/cache/refresh', async function refreshNow(c) {
  const config = loadConfig(c.env);
  const outcome = await refreshShared({ kv: c.env.MODELS_KV, config, coordinator: c.env.COORDINATOR }, 'admin');
  if (!outcome.status.providers.some((p) => p.ok)) {
    const reasons = failureReasons(outcome.status);
    const kept = outcome.list === null ? 'nothing was cached, so nothing is served' : 'the cached list was kept and is still served';
    throw apiError(502, 'upstreams_unavailable', `No provider returned a model list; ${kept}. ${reasons}`);
  }
  return c.json(statusView(outcome.list, outcome.status, config, Date.now()));
});

admin.get('/cache/status', async function status(c) {
  // Under a configuration error the status still answers (the stored list is still served): it says why.
  const config = configOrError(c.env);
  const [list, stored, coordinator, feed] = await Promise.all([tryReadList(c.env.MODELS_KV), tryReadStatus(c.env.MODELS_KV), coordinatorStatus(c.env), feedState(c.env)]);
  const now = Date.now();
  // While KV fails, the list this isolate serves stands in for the stored one.
  return c.json({
    ...statusView(list.ok ? list.value : (lastKnown(now) ?? null), stored.ok ? stored.value : null, config, now),
    views: config instanceof ConfigError ? [] : [...config.views.keys()],
    configError: config instanceof ConfigError ? { field: config.field, message: config.message } : null,
    coordinator,
    // From the coordinator (null without it): 24 h of refreshes per provider, recent changes, webhook states.
    history: feed?.history ?? null,
    recentChanges: feed?.recentChanges ?? null,
    webhooks: feed?.webhooks ?? null,
  });
});

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/**
 * The status document (docs/admin.md, "Admin"); holds no secret, so no key can reach it. `aliases`: each
 * `ALIASES` entry and, checked against this list, why it is not served (a listed id it would shadow,
 * a target not listed), since only a list can show that.
 */
function statusView(list: StoredList | null, status: CacheStatus | null, config: Config | ConfigError, now: number) {
  const meta = list?.meta;
  const store = storeHealth();
  return {
    state: meta === undefined ? (store.ok ? 'empty' : 'unavailable') : now < meta.freshUntil ? 'fresh' : now < meta.expiresAt ? 'stale' : 'expired',
    fetchedAt: iso(meta?.fetchedAt),
    freshUntil: iso(meta?.freshUntil),
    expiresAt: iso(meta?.expiresAt),
    ageSeconds: meta === undefined ? null : Math.max(0, Math.floor((now - meta.fetchedAt) / 1000)),
    modelCount: meta?.modelCount ?? 0,
    etag: meta?.etag ?? null,
    refreshedAt: iso(status?.refreshedAt),
    error: status?.error ?? null,
    providers: (status?.providers ?? []).map((p) => ({ ...p, fetchedAt: iso(p.fetchedAt), checkedAt: iso(p.checkedAt) })),
    clashes: status?.clashes ?? [],
    aliases: config instanceof ConfigError ? [] : list === null ? [...config.aliases.targets].map(([alias, target]) => ({ alias, target, error: null })) : aliasesOf(list, config.aliases),
    /** Workers KV in this isolate: `since` is the first failure of the current streak. */
    store: { ok: store.ok, error: store.error, since: iso(store.since) },
  };
}
