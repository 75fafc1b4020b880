/**
 * @module The client-key admin API (docs/behaviour.md, "Client keys and views"): create, list, revoke. Mounted
 * under `/admin/keys` behind the admin JWT and the audit line; the key itself appears only in the
 * answer that created it. Every change is a transaction in the coordinator, which mirrors the keys to
 * KV; without it a change answers 503 rather than risk a lost update.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env.ts';
import { loadConfig } from '../config.ts';
import { isObject } from '../config/fields.ts';
import { NAME_PATTERN } from '../config/views.ts';
import { apiError } from '../errors.ts';
import { keyHash, mintKey } from '../keys/format.ts';
import { keySecrets } from '../keys/secret.ts';
import { coordinatorClient, noteUnreachable, type CoordinatorClient } from '../coordinator/client.ts';
import { keyUsage } from '../coordinator/feed-client.ts';
import { NO_USAGE } from '../usage/table.ts';
import type { KeyChange } from '../coordinator/protocol.ts';
import { currentKeys, holdKeys, MAX_KEYS, type KeyRecord } from '../keys/store.ts';

/** A create body is three short fields; anything near this is not one. */
const MAX_BODY_BYTES = 4096;
const FIELDS = ['name', 'view', 'expiresAt'];
/** ISO-8601 date-time with an offset or `Z` (what `Date.prototype.toISOString` and every client write). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const keys = new Hono<AppEnv>();

keys.post(
  '/',
  bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw apiError(413, 'request_too_large', `A key request body is at most ${MAX_BODY_BYTES} bytes.`); } }),
  async function createKey(c) {
    const config = loadConfig(c.env);
    const request = await jsonBody(c);
    const name = request.name;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw invalid('"name" must be 1–64 of A–Z a–z 0–9 . _ -');
    const view = request.view ?? null;
    if (view !== null && typeof view !== 'string') throw invalid('"view" must be the name of a view in VIEWS, or absent for the full list');
    if (view !== null && !config.views.has(view)) {
      throw apiError(400, 'view_not_found', `No view named '${view}' in VIEWS; configured: ${[...config.views.keys()].join(', ') || 'none'}.`);
    }
    const now = Date.now();
    const expiresAt = expiry(request.expiresAt, now);
    const [secret] = await keySecrets(c.env);
    if (secret === undefined) {
      throw apiError(503, 'client_keys_not_configured', 'Client keys are not configured: set CLIENT_KEY_SECRET (openssl rand -base64 48, then wrangler secret put CLIENT_KEY_SECRET).');
    }
    const { id, key } = await mintKey(secret);
    const record: KeyRecord = { id, hash: await keyHash(key), name, view, createdAt: now, createdBy: c.get('adminSub') ?? null, expiresAt };
    c.set('auditKey', { id, name });
    await keyChange(c, (coordinator) => coordinator.createKey(record, MAX_KEYS));
    return c.json({ id, key, name, view, createdAt: iso(now), expiresAt: expiresAt === null ? null : iso(expiresAt) }, 201);
  },
);

keys.get('/', async function listKeys(c) {
  const [records, usage] = await Promise.all([allKeys(c), keyUsage(c.env)]);
  // Usage from the coordinator; without it, null (unknown), not zero.
  const data = records
    .sort((a, b) => a.createdAt - b.createdAt)
    .map(({ id, name, view, createdAt, createdBy, expiresAt }) => ({
      id, name, view, createdAt: iso(createdAt), createdBy, expiresAt: expiresAt === null ? null : iso(expiresAt),
      ...(usage === undefined ? { usage: null, lastUsedAt: null } : (usage[id] ?? NO_USAGE)),
    }));
  return c.json({ object: 'list', data });
});

keys.delete('/:id', async function revokeKey(c) {
  const id = c.req.param('id');
  c.set('auditKey', await keyChange(c, (coordinator) => coordinator.revokeKey(id)));
  return c.json({ id, revoked: true });
});

async function jsonBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw invalid('The body must be JSON: {"name": "…", "view"?: "…", "expiresAt"?: "…"}.');
  }
  if (!isObject(body)) throw invalid('The body must be a JSON object: {"name": "…", "view"?: "…", "expiresAt"?: "…"}.');
  const unknown = Object.keys(body).find((field) => !FIELDS.includes(field));
  if (unknown !== undefined) throw invalid(`Unknown field "${unknown.slice(0, 64)}"; known fields: ${FIELDS.join(', ')}.`);
  return body;
}

function expiry(value: unknown, now: number): number | null {
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'string' && ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid('"expiresAt" must be an ISO-8601 date-time with a time zone, e.g. 2027-01-31T00:00:00Z.');
  if (ms <= now) throw invalid('"expiresAt" is in the past.');
  return ms;
}

/**
 * A key change made by the coordinator, its answer's keys held in this isolate at once (the changing
 * data centre sees a revocation immediately). Not bound: 503, nothing changed. Failing or not answering
 * within its budget (COORDINATOR_KEY_CHANGE_BUDGET_MS): 503; a change it makes after that is still
 * mirrored to KV, so the admin checks the list before trying again.
 */
async function keyChange<T>(c: Context<AppEnv>, change: (coordinator: CoordinatorClient) => Promise<KeyChange<T>>): Promise<T> {
  const namespace = c.env.COORDINATOR;
  if (namespace === undefined) throw coordinatorUnavailable('the COORDINATOR binding is missing from wrangler.toml; nothing was changed');
  let result: KeyChange<T>;
  try {
    result = await change(coordinatorClient(namespace));
  } catch (error) {
    const why = noteUnreachable(error, 'keys');
    throw coordinatorUnavailable(`it did not answer (${why}); check GET /admin/keys before trying again`);
  }
  if (!result.ok) throw apiError(result.status, result.code, result.message);
  await holdKeys(result.snapshot);
  return result.value;
}

/** Every key, from the coordinator; from KV's mirror when the coordinator cannot answer. */
async function allKeys(c: Context<AppEnv>): Promise<KeyRecord[]> {
  const namespace = c.env.COORDINATOR;
  if (namespace !== undefined) {
    try {
      return (await coordinatorClient(namespace).listKeys()).keys;
    } catch (error) {
      noteUnreachable(error, 'keys');
    }
  }
  return [...(await currentKeys(c.env.MODELS_KV)).byId.values()];
}

const coordinatorUnavailable = (why: string) =>
  apiError(503, 'coordinator_unavailable', `Client keys change only through the coordinator, and ${why}.`);
const invalid = (message: string) => apiError(400, 'invalid_request', message);
const iso = (ms: number) => new Date(ms).toISOString();
