/**
 * `ALIASES` (contract §15): an alias is listed in every list shape with its target's metadata and
 * `alias_of`, retrievable, callable, in a view exactly when its target is; it never shadows a listed
 * id; and a list with aliases is still serialised once per list version.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

const KEYS = { openai: 'sk-openai-alias-1', anthropic: 'sk-ant-alias-1', gemini: 'AIza-alias-1' };
const SECRETS = { OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini };
const SECRET_OF = { openai: 'OPENAI_KEY', anthropic: 'ANTHROPIC_KEY', gemini: 'GEMINI_KEY' } as const;
const ALIASES = { 'claude-gpt': 'gpt-4o', 'claude-gemini': 'gemini-2.5-flash', 'claude-nowhere': 'no-such-model' };
const VIEWS = { 'openai-only': { providers: ['openai'] }, 'no-gpt-4o': { exclude: ['gpt-4o'] }, 'claude-only': { include: ['claude-*'] } };

beforeEach(coldCache);
afterEach(() => vi.restoreAllMocks());

async function setup(vars: Partial<Env> = {}) {
  const upstreams = await fakeUpstreams({ keys: KEYS });
  const providers = (['openai', 'anthropic', 'gemini'] as const).map((kind) => upstreams.entry(kind, { apiKeySecret: SECRET_OF[kind] }));
  const env = workerEnv({ ...providersVar(providers), ...SECRETS, ALIASES: JSON.stringify(ALIASES), VIEWS: JSON.stringify(VIEWS), ...vars });
  return { env, upstreams, key: await clientKey(env) };
}

async function clientKey(env: Env, view?: string): Promise<string> {
  const body = JSON.stringify({ name: `k${Math.random().toString(36).slice(2, 8)}`, ...(view === undefined ? {} : { view }) });
  const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body });
  expect(response.status).toBe(201);
  return ((await response.json()) as { key: string }).key;
}

const anthropicHeaders = (key: string) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' });
const geminiHeaders = (key: string) => ({ 'x-goog-api-key': key });

async function json<T>(env: Env, path: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await call(env, path, { headers });
  expect(response.status, `${path}: ${response.status}`).toBe(200);
  return (await response.json()) as T;
}

type OpenAIList = { data: { id: string; alias_of?: string; provider: string }[] };
type AnthropicList = { data: { id: string }[]; has_more: boolean; first_id: string | null; last_id: string | null };
type GeminiList = { models: { name: string }[] };

const openaiIds = async (env: Env, key?: string) => (await json<OpenAIList>(env, '/v1/models', key === undefined ? {} : bearer(key))).data.map((m) => m.id);
const anthropicIds = async (env: Env, key: string) => (await json<AnthropicList>(env, '/v1/models?limit=1000', anthropicHeaders(key))).data.map((m) => m.id);
const geminiNames = async (env: Env, key: string) => (await json<GeminiList>(env, '/v1beta/models?pageSize=1000', geminiHeaders(key))).models.map((m) => m.name);

describe('aliases in every list shape', () => {
  it('lists an alias in the OpenAI list with its target’s metadata and alias_of, in id order, and retrieves it', async () => {
    const { env } = await setup();
    const list = await json<OpenAIList>(env, '/v1/models');
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const target = list.data.find((m) => m.id === 'gpt-4o');
    const alias = list.data.find((m) => m.id === 'claude-gpt');
    expect(alias).toEqual({ ...target, id: 'claude-gpt', alias_of: 'gpt-4o' });
    expect(list.data.find((m) => m.id === 'claude-gemini')).toMatchObject({ provider: 'gemini', upstream_id: 'gemini-2.5-flash', alias_of: 'gemini-2.5-flash' });
    // An alias whose target is not listed is neither listed nor retrievable.
    expect(ids).not.toContain('claude-nowhere');
    expect((await call(env, '/v1/models/claude-nowhere')).status).toBe(404);
    expect(await json(env, '/v1/models/claude-gpt')).toEqual(alias);
    // ?provider= lists the aliases of that provider's models too.
    expect((await json<OpenAIList>(env, '/v1/models?provider=openai')).data.map((m) => m.id)).toContain('claude-gpt');
  });

  it('lists an alias in the Anthropic shape with display_name, the target’s token limits and alias_of', async () => {
    const { env, key } = await setup();
    const list = await json<AnthropicList>(env, '/v1/models?limit=1000', anthropicHeaders(key));
    const gemini = list.data.find((m) => m.id === 'claude-gemini');
    expect(gemini).toEqual({
      type: 'model',
      id: 'claude-gemini',
      display_name: 'Gemini 2.5 Flash',
      created_at: '1970-01-01T00:00:00Z',
      max_input_tokens: 1048576,
      max_tokens: 65536,
      alias_of: 'gemini-2.5-flash',
    });
    // Claude Code's picker keeps ids matching /(claude|anthropic)/i: the alias is one of them.
    expect(list.data.filter((m) => /(claude|anthropic)/i.test(m.id)).map((m) => m.id)).toEqual(expect.arrayContaining(['claude-gpt', 'claude-gemini']));
    expect(await json(env, '/v1/models/claude-gemini', anthropicHeaders(key))).toEqual(gemini);
    expect((await call(env, '/v1/models/claude-nowhere', { headers: anthropicHeaders(key) })).status).toBe(404);
  });

  it('lists an alias of a Gemini model in the Gemini shape, and retrieves it there', async () => {
    const { env, key } = await setup();
    const list = await json<GeminiList>(env, '/v1beta/models?pageSize=1000', geminiHeaders(key));
    const alias = list.models.find((m) => m.name === 'models/claude-gemini');
    expect(alias).toMatchObject({ baseModelId: 'claude-gemini', displayName: 'Gemini 2.5 Flash', inputTokenLimit: 1048576, outputTokenLimit: 65536, alias_of: 'gemini-2.5-flash' });
    expect(await json(env, '/v1beta/models/claude-gemini', geminiHeaders(key))).toEqual(alias);
  });

  it('leaves the OpenAI list’s stored bytes and ETag alone when no alias is configured', async () => {
    const { env } = await setup({ ALIASES: undefined });
    const first = await call(env, '/v1/models');
    const ids = ((await first.json()) as OpenAIList).data.map((m) => m.id);
    expect(ids).not.toContain('claude-gpt');
    const status = (await json<{ etag: string }>(env, '/admin/cache/status', bearer(await adminToken())));
    expect(first.headers.get('ETag')).toBe(status.etag);
  });
});

describe('aliases in views', () => {
  it('puts an alias in a view exactly when its target is, in every shape and for retrieval', async () => {
    const { env } = await setup();
    const openaiOnly = await clientKey(env, 'openai-only');
    const noGpt4o = await clientKey(env, 'no-gpt-4o');
    const claudeOnly = await clientKey(env, 'claude-only');
    // Provider view: the OpenAI model's alias is in, the Gemini model's is not.
    for (const ids of [await openaiIds(env, openaiOnly), await anthropicIds(env, openaiOnly)]) {
      expect(ids).toContain('claude-gpt');
      expect(ids).not.toContain('claude-gemini');
    }
    // A view that excludes the target excludes its alias, whatever the alias is called.
    for (const ids of [await openaiIds(env, noGpt4o), await anthropicIds(env, noGpt4o)]) {
      expect(ids).not.toContain('gpt-4o');
      expect(ids).not.toContain('claude-gpt');
      expect(ids).toContain('claude-gemini');
    }
    expect(await geminiNames(env, noGpt4o)).toContain('models/claude-gemini');
    expect((await call(env, '/v1/models/claude-gpt', { headers: bearer(noGpt4o) })).status).toBe(404);
    // A view whose globs match the alias's name but not its target's id does not keep the alias.
    const claudeIds = await anthropicIds(env, claudeOnly);
    expect(claudeIds.length).toBeGreaterThan(0);
    expect(claudeIds.every((id) => id.startsWith('claude-'))).toBe(true);
    expect(claudeIds).not.toContain('claude-gpt');
    // Every model is callable through Gemini's routes now (translated), so its list is the same set.
    expect(await geminiNames(env, claudeOnly)).toEqual(claudeIds.map((id) => `models/${id}`));
  });

  it('serialises a list with aliases once per list version, not once per request', async () => {
    const { env } = await setup();
    const viewKey = await clientKey(env, 'openai-only');
    const lists = [
      ['/v1/models', {}],
      ['/v1/models', bearer(viewKey)],
      ['/v1/models', anthropicHeaders(viewKey)],
    ] as const;
    const etags: (string | null)[] = [];
    for (const [path, headers] of lists) etags.push((await call(env, path, { headers })).headers.get('ETag'));
    const stringify = vi.spyOn(JSON, 'stringify');
    for (const [index, [path, headers]] of lists.entries()) {
      const response = await call(env, path, { headers });
      expect(response.headers.get('ETag')).toBe(etags[index]);
      expect(((await response.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toContain('claude-gpt');
    }
    const listsSerialised = stringify.mock.calls.filter(([value]) => typeof value === 'object' && value !== null && 'data' in value);
    expect(listsSerialised).toEqual([]);
  });
});

describe('calls through an alias', () => {
  it('forwards an OpenAI chat call for an alias to its target’s owner, with the target’s upstream id', async () => {
    const { env, key, upstreams } = await setup();
    const body = JSON.stringify({ model: 'claude-gpt', messages: [{ role: 'user', content: 'Hello' }] });
    const { response, done } = await send(env, '/v1/chat/completions', { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json' }, body });
    expect(response.status).toBe(200);
    // The answer names the model as the client asked for it.
    expect(((await response.json()) as { model: string }).model).toBe('claude-gpt');
    await done();
    const [received] = await upstreams.received();
    expect(received?.path).toBe('/openai/v1/chat/completions');
    expect(JSON.parse(received?.body ?? '{}')).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] });
  });

  it('refuses a call through an alias whose target is outside the key’s view, as an unknown model', async () => {
    const { env, upstreams } = await setup();
    const noGpt4o = await clientKey(env, 'no-gpt-4o');
    const body = JSON.stringify({ model: 'claude-gpt', messages: [{ role: 'user', content: 'Hello' }] });
    const response = await call(env, '/v1/chat/completions', { method: 'POST', headers: { ...bearer(noGpt4o), 'Content-Type': 'application/json' }, body });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    expect(await upstreams.received()).toEqual([]);
  });
});

describe('ALIASES configuration', () => {
  const base = { PROVIDERS: JSON.stringify([{ id: 'fixed', type: 'openai', baseUrl: 'https://fixed.example/v1', models: ['m1', 'm2'], prefix: 'f/' }]) };
  const configError = (aliases: unknown): ConfigError => {
    try {
      parseConfig({ ...base, ALIASES: aliases } as unknown as Env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('no configuration error');
  };

  it.each([
    ['not an object', '["a"]', 'ALIASES', 'must be an object'],
    ['not JSON', '{', 'ALIASES', 'not valid JSON'],
    ['a target that is not a string', '{"a": 1}', 'ALIASES.a', 'must be the id of a listed model'],
    ['a name with a space', '{"a b": "f/m1"}', 'ALIASES.a b', 'printable characters without spaces'],
    ['an alias naming itself', '{"a": "a"}', 'ALIASES.a', 'names itself'],
    ['an alias naming an alias', '{"a": "b", "b": "f/m1"}', 'ALIASES.a', '"b", which is itself an alias'],
    ['an alias shadowing a fixed listed id', '{"f/m2": "f/m1"}', 'ALIASES.f/m2', 'shadows the listed id "f/m2" (provider "fixed")'],
  ])('refuses %s, naming the field', (_, aliases, field, message) => {
    const error = configError(aliases);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('accepts a TOML table and a JSON string alike', () => {
    const fromTable = parseConfig({ ...base, ALIASES: { 'claude-m1': 'f/m1' } } as unknown as Env).aliases;
    const fromString = parseConfig({ ...base, ALIASES: '{"claude-m1": "f/m1"}' } as unknown as Env).aliases;
    expect([...fromTable.targets]).toEqual([['claude-m1', 'f/m1']]);
    expect(fromString).toEqual(fromTable);
    expect(parseConfig(base as unknown as Env).aliases.tag).toBe('');
  });

  it('never lets an alias shadow an id a provider lists, and reports the clash in the status naming both', async () => {
    const { env, key, upstreams } = await setup({ ALIASES: JSON.stringify({ 'gpt-4o-mini': 'gpt-4o', 'claude-gpt': 'gpt-4o', 'claude-nowhere': 'no-such-model' }) });
    const list = await json<OpenAIList>(env, '/v1/models');
    const mini = list.data.filter((m) => m.id === 'gpt-4o-mini');
    expect(mini).toEqual([expect.objectContaining({ upstream_id: 'gpt-4o-mini' })]);
    expect(mini[0]).not.toHaveProperty('alias_of');
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const { response, done } = await send(env, '/v1/chat/completions', { method: 'POST', headers: { ...bearer(key), 'Content-Type': 'application/json' }, body });
    await response.text();
    await done();
    expect(JSON.parse((await upstreams.received())[0]?.body ?? '{}')).toMatchObject({ model: 'gpt-4o-mini' });
    const status = await json<{ aliases: { alias: string; target: string; error: string | null }[] }>(env, '/admin/cache/status', bearer(await adminToken()));
    expect(status.aliases).toEqual([
      { alias: 'gpt-4o-mini', target: 'gpt-4o', error: expect.stringMatching(/shadows the listed id "gpt-4o-mini" \(provider "openai"\).*"gpt-4o"/) },
      { alias: 'claude-gpt', target: 'gpt-4o', error: null },
      { alias: 'claude-nowhere', target: 'no-such-model', error: expect.stringContaining('"no-such-model" is not in the list') },
    ]);
  });
});
