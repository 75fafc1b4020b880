import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIST_KEY } from '../../src/cache/kv.ts';
import type { Model } from '../../src/model.ts';
import { forgetList } from '../../src/serve/read.ts';
import { expectApiError } from './support/expect-error.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, runCron, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => vi.restoreAllMocks());

const providersOf = async (response: Response) => [...new Set(((await response.json()) as { data: Model[] }).data.map((m) => m.provider))].sort();

describe('a configuration mistake never takes the list offline', () => {
  async function storedThenBroken() {
    const upstreams = await fakeUpstreams();
    const good = workerEnv({ ...providersVar(upstreams.entries()), VIEWS: JSON.stringify({ team: { providers: ['openai'] } }) });
    const served = await (await call(good, '/v1/models')).text();
    // The same deployment after an edit with a typo.
    const broken = workerEnv({ ...providersVar([...upstreams.entries(), { id: 'groq', type: 'openai', baseURL: 'https://api.groq.com/openai/v1' }]) });
    return { good, broken, served };
  }

  it('keeps serving the stored list, marked X-Config-Error, and the status says why', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { broken, served } = await storedThenBroken();
    forgetList(); // a fresh isolate: from KV, not from memory
    const list = await call(broken, '/v1/models');
    expect(list.status).toBe(200);
    expect(list.headers.get('X-Config-Error')).toBe('true');
    expect(await list.text()).toBe(served);
    expect((await call(broken, '/v1/models/gpt-4o')).status).toBe(200);
    expect((await call(broken, '/v1/models?provider=anthropic')).status).toBe(200);

    const status = (await (await call(broken, '/admin/cache/status', { headers: bearer(await adminToken()) })).json()) as { state: string; configError: { field: string; message: string } };
    expect(status.state).toBe('fresh');
    expect(status.configError).toEqual({ field: 'PROVIDERS[4].baseURL', message: expect.stringMatching(/unknown field; did you mean baseUrl\?/) });
    expect(await broken.MODELS_KV.get(LIST_KEY)).toBe(served);
  });

  it('serves a key without a view, and refuses a key whose view cannot be read rather than show it more', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { good, broken } = await storedThenBroken();
    const create = async (body: object) =>
      ((await (await call(good, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify(body) })).json()) as { key: string }).key;
    const [all, team] = [await create({ name: 'all' }), await create({ name: 'team', view: 'team' })];
    expect((await call(broken, '/v1/models', { headers: bearer(all) })).status).toBe(200);
    const refused = await expectApiError(await call(broken, '/v1/models', { headers: bearer(team) }), 500, 'invalid_config');
    expect(refused).not.toContain('baseURL');
  });

  it('still refuses a bad key and still requires one when REQUIRE_CLIENT_KEY is set', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const { broken } = await storedThenBroken();
    await expectApiError(await call(broken, '/v1/models', { headers: bearer('sk-me-forged') }), 401, 'invalid_api_key');
    await expectApiError(await call({ ...broken, REQUIRE_CLIENT_KEY: 'true' }, '/v1/models'), 401, 'invalid_api_key');
  });

  it('ends a cron run with one config_error line, touching nothing stored', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { broken, served } = await storedThenBroken();
    log.mockClear();
    await runCron(broken);
    await runCron(broken);
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as { event: string; field?: string; trigger?: string });
    expect(lines).toEqual([
      expect.objectContaining({ event: 'config_error', trigger: 'cron', field: 'PROVIDERS[4].baseURL' }),
      expect.objectContaining({ event: 'config_error', trigger: 'cron', field: 'PROVIDERS[4].baseURL' }),
    ]);
    expect(await broken.MODELS_KV.get(LIST_KEY)).toBe(served);
  });
});

describe('a configuration change takes effect by itself', () => {
  it('drops a removed provider’s models at once, and refreshes behind the answer', async () => {
    const upstreams = await fakeUpstreams();
    const before = workerEnv(providersVar(upstreams.entries()));
    expect(await providersOf(await call(before, '/v1/models'))).toEqual(['anthropic', 'gemini', 'ollama', 'openai']);
    const after = workerEnv(providersVar(upstreams.entries().filter((entry) => entry.id !== 'gemini')));
    const first = await call(after, '/v1/models');
    expect(first.headers.get('X-Cache')).toBe('STALE');
    expect(await providersOf(first)).toEqual(['anthropic', 'ollama', 'openai']);
    await expectApiError(await call(after, '/v1/models/gemini-2.5-pro'), 404, 'model_not_found');
    // The refresh behind that answer stored a list under the new configuration.
    const next = await call(after, '/v1/models');
    expect(next.headers.get('X-Cache')).toBe('HIT');
    expect(await providersOf(next)).toEqual(['anthropic', 'ollama', 'openai']);
  });

  it('shows a new provider after the refresh behind the first answer, with no admin action', async () => {
    const upstreams = await fakeUpstreams();
    const before = workerEnv(providersVar(upstreams.entries().filter((entry) => entry.id !== 'ollama')));
    await call(before, '/v1/models');
    const after = workerEnv(providersVar(upstreams.entries()));
    expect(await providersOf(await call(after, '/v1/models'))).toEqual(['anthropic', 'gemini', 'openai']);
    expect(await providersOf(await call(after, '/v1/models'))).toEqual(['anthropic', 'gemini', 'ollama', 'openai']);
  });
});
