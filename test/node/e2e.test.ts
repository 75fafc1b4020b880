/**
 * End to end: the worker under `wrangler dev` (workerd, local KV) over loopback fakes of all four
 * provider formats, each of which refuses a request without its key, driven by the official
 * `openai` client, the admin API with a real HS256 token, and the local cron trigger.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEntries } from '../../fake-providers/demo-data.ts';
import { startDevWorker, type DevWorker } from '../../scripts/lib/dev-worker.ts';
import { KINDS, providerEntries, startUpstreams, type Kind, type RunningUpstreams } from '../../fake-providers/upstreams.ts';
import { adminToken } from './support/admin-token.ts';

/** One key per provider: a model list only arrives if the worker sends each the provider's way. */
const KEYS: Record<Kind, string> = {
  openai: 'sk-e2e-openai-0123456789',
  anthropic: 'sk-ant-e2e-0123456789',
  gemini: 'AIza-e2e-gemini-0123456789',
  ollama: 'e2e-ollama-proxy-0123456789',
};
const SECRET_NAMES: Record<Kind, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
  ollama: 'OLLAMA_API_KEY',
};
const ADMIN_SECRET = 'e2e-admin-secret-that-is-at-least-32-bytes-long';

/** The final ids of the demo set: the Anthropic ones prefixed, Gemini's without `models/`. */
const EXPECTED_IDS = [
  ...field(demoEntries('openai'), 'id'),
  ...field(demoEntries('anthropic'), 'id').map((id) => `anthropic/${id}`),
  ...field(demoEntries('gemini'), 'name').map((name) => name.replace(/^models\//, '')),
  ...field(demoEntries('ollama'), 'model'),
].sort();

let upstreams: RunningUpstreams;
let worker: DevWorker;
let client: OpenAI;
/** Every body the worker answered, checked for keys by the last test. */
const bodies: string[] = [];

beforeAll(async () => {
  upstreams = await startUpstreams({ keys: KEYS });
  const providers = providerEntries(upstreams.origin).map((entry) => ({
    ...entry,
    apiKeySecret: SECRET_NAMES[entry.type],
    ...(entry.type === 'anthropic' ? { prefix: 'anthropic/' } : {}),
  }));
  worker = await startDevWorker({
    vars: {
      PROVIDERS: JSON.stringify(providers),
      ADMIN_JWT_SECRET: ADMIN_SECRET,
      ...Object.fromEntries(KINDS.map((kind) => [SECRET_NAMES[kind], KEYS[kind]])),
    },
  });
  // An anonymous reader of the public list: the client insists on an apiKey, but any key sent is
  // checked (docs/behaviour.md, "Client keys and views"), so the Authorization header is left out.
  client = new OpenAI({ baseURL: `${worker.url}/v1`, apiKey: 'unused', defaultHeaders: { Authorization: null }, maxRetries: 0 });
});

afterAll(async () => {
  await worker?.stop();
  await upstreams?.close();
});

describe('the worker under wrangler dev, end to end', () => {
  it('lists every model of all four providers through the openai client, every page followed', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);

    expect(ids).toEqual(EXPECTED_IDS);
    // One fan-out: Anthropic and Gemini serve 2 models a page, so 5 models take 3 pages each.
    expect(upstreams.state.hits).toEqual({ openai: 1, anthropic: 3, gemini: 3, ollama: 1 });
  });

  it('retrieves a model whose id contains a slash, as the client encodes it and raw', async () => {
    const model = await client.models.retrieve('anthropic/claude-sonnet-4-5-20250929');
    expect(model).toMatchObject({ id: 'anthropic/claude-sonnet-4-5-20250929', object: 'model', owned_by: 'anthropic' });

    const raw = await fetch(`${worker.url}/v1/models/anthropic/claude-sonnet-4-5-20250929`);
    const body = await raw.text();
    bodies.push(body);
    expect(JSON.parse(body)).toMatchObject({ provider: 'anthropic', upstream_id: 'claude-sonnet-4-5-20250929', name: 'Claude Sonnet 4.5' });

    await expect(client.models.retrieve('anthropic/no-such-model')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('purges with an admin token, and the cron trigger fills the cache again', async () => {
    const auth = { Authorization: `Bearer ${await adminToken(ADMIN_SECRET)}` };
    const purge = await fetch(`${worker.url}/admin/cache/purge`, { method: 'POST', headers: auth });
    expect(purge.status).toBe(200);
    expect(await purge.json()).toEqual({ purged: true });
    expect(await status(auth)).toMatchObject({ state: 'empty', modelCount: 0 });

    const before = upstreams.state.hits.openai;
    const cron = await scheduled();
    expect(cron.status).toBe(200);

    const after = await status(auth);
    expect(after).toMatchObject({ state: 'fresh', modelCount: EXPECTED_IDS.length });
    expect(after.providers.map((p) => [p.id, p.ok])).toEqual(KINDS.map((kind) => [kind, true]));
    expect(upstreams.state.hits.openai).toBe(before + 1);
    const list = await fetch(`${worker.url}/v1/models`);
    bodies.push(await list.text());
    expect(list.headers.get('X-Cache')).toBe('HIT');
  });

  it('never shows a provider key or the admin secret in an answer or a log line', async () => {
    const auth = { Authorization: `Bearer ${await adminToken(ADMIN_SECRET)}` };
    for (const path of ['/v1/models', '/v1/models/anthropic/no-such-model']) bodies.push(await (await fetch(`${worker.url}${path}`)).text());
    await status(auth);
    const secrets = [...Object.values(KEYS), ADMIN_SECRET];
    for (const text of [...bodies, worker.output()]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    // The log does hold the refreshes, so the check above looked at real output.
    expect(worker.output()).toContain('"event":"refresh"');
  });
});

interface StatusView {
  state: string;
  modelCount: number;
  providers: { id: string; ok: boolean }[];
}

async function status(auth: Record<string, string>): Promise<StatusView> {
  const response = await fetch(`${worker.url}/admin/cache/status`, { headers: auth });
  const body = await response.text();
  bodies.push(body);
  expect(response.status).toBe(200);
  return JSON.parse(body) as StatusView;
}

/** wrangler dev's local cron trigger; its path moved between wrangler versions. */
async function scheduled(): Promise<Response> {
  const response = await fetch(`${worker.url}/cdn-cgi/handler/scheduled`);
  return response.status === 404 ? fetch(`${worker.url}/cdn-cgi/local/scheduled`) : response;
}

function field(entries: object[], name: string): string[] {
  return entries.map((entry) => {
    const value: unknown = (entry as Record<string, unknown>)[name];
    if (typeof value !== 'string') throw new Error(`demo entry without a string ${name}`);
    return value;
  });
}
