import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkConfig, ConfigError, loadConfig, parseConfig } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';

/** Vars and secrets as wrangler hands them over; the config never reads the KV binding. */
const envOf = (vars: Record<string, unknown>) => vars as Env;

const OPENAI = { id: 'openai', type: 'openai', apiKeySecret: 'OPENAI_API_KEY' };
const ANTHROPIC = { id: 'anthropic', type: 'anthropic', apiKeySecret: 'ANTHROPIC_API_KEY' };
const SECRETS = { OPENAI_API_KEY: 'sk-proj-1', ANTHROPIC_API_KEY: 'sk-ant-1' };

/** The ConfigError `parseConfig` throws for these vars. */
function configError(vars: Record<string, unknown>): ConfigError {
  try {
    parseConfig(envOf(vars));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('takes PROVIDERS as an array (TOML [vars]) and as a JSON string (.dev.vars, --var) alike', () => {
    const fromArray = parseConfig(envOf({ PROVIDERS: [OPENAI, ANTHROPIC], ...SECRETS }));
    const fromString = parseConfig(envOf({ PROVIDERS: JSON.stringify([OPENAI, ANTHROPIC]), ...SECRETS }));
    expect(fromString).toStrictEqual(fromArray);
    expect(fromArray.providers.map((p) => p.id)).toStrictEqual(['openai', 'anthropic']);
  });

  it('reads WEBHOOKS, and redacts their signing secrets like provider keys', () => {
    const secret = 'a-webhook-signing-secret-of-32-bytes-or-more';
    const config = parseConfig(envOf({ PROVIDERS: [{ id: 'openai', type: 'openai' }], WEBHOOKS: '[{"url":"https://hooks.example/in","secretName":"HOOK"}]', HOOK: secret }));
    expect(config.webhooks).toStrictEqual([{ url: 'https://hooks.example/in', view: null, secretName: 'HOOK', secret }]);
    expect(config.secretValues).toContain(secret);
  });

  it('fills in the documented defaults', () => {
    const config = parseConfig(envOf({ PROVIDERS: [{ id: 'openai', type: 'openai' }] }));
    expect(config).toStrictEqual({
      cacheTtlSeconds: 3600,
      staleTtlSeconds: 86400,
      views: new Map(),
      requireClientKey: false,
      corsOrigins: '*',
      maxRequestBytes: 8 * 1024 * 1024,
      webhooks: [],
      aliases: { targets: new Map(), tag: '' },
      fingerprint: expect.stringMatching(/^[0-9a-z]+$/),
      secretValues: [],
      providers: [
        {
          id: 'openai',
          type: 'openai',
          baseUrl: 'https://api.openai.com/v1',
          apiKey: undefined,
          prefix: '',
          include: [],
          exclude: [],
          timeoutMs: 5000,
          headers: {},
          models: undefined,
          apiKeyHeader: undefined,
          maxModels: 10_000,
          inferenceBase: 'https://api.openai.com/v1',
          responses: true,
          chat: 'messages',
        },
      ],
    });
  });

  it('takes "chat" on an anthropic entry only, as "messages" (the default) or "compat"', () => {
    const providers = [{ id: 'a', type: 'anthropic' }, { id: 'b', type: 'anthropic', chat: 'compat' }];
    expect(parseConfig(envOf({ PROVIDERS: providers })).providers.map((p) => p.chat)).toStrictEqual(['messages', 'compat']);
    expect(() => parseConfig(envOf({ PROVIDERS: [{ id: 'x', type: 'openai', chat: 'compat' }] }))).toThrow(/PROVIDERS\[0\]\.chat: is only for type anthropic/);
    expect(() => parseConfig(envOf({ PROVIDERS: [{ id: 'x', type: 'anthropic', chat: 'openai' }] }))).toThrow(/PROVIDERS\[0\]\.chat: must be one of: "messages", "compat"/);
  });

  it('turns OpenAI Responses on for type openai only, unless an entry says otherwise', () => {
    const providers = [
      { id: 'openai', type: 'openai' },
      { id: 'groq', type: 'openai', baseUrl: 'https://api.groq.com/openai/v1', responses: false },
      { id: 'ollama', type: 'ollama', responses: true },
      { id: 'gemini', type: 'gemini' },
    ];
    expect(parseConfig(envOf({ PROVIDERS: providers })).providers.map((p) => p.responses)).toStrictEqual([true, false, true, false]);
    expect(() => parseConfig(envOf({ PROVIDERS: [{ id: 'x', type: 'openai', responses: 'yes' }] }))).toThrow(/PROVIDERS\[0\]\.responses/);
  });

  it('defaults baseUrl per type', () => {
    const providers = ['openai', 'anthropic', 'gemini', 'ollama'].map((type) => ({ id: type, type }));
    const config = parseConfig(envOf({ PROVIDERS: providers }));
    expect(config.providers.map((p) => p.baseUrl)).toStrictEqual([
      'https://api.openai.com/v1',
      'https://api.anthropic.com/v1',
      'https://generativelanguage.googleapis.com/v1beta',
      'http://localhost:11434',
    ]);
  });

  it('reads every field of an entry, the key from the secret it names', () => {
    const entry = {
      ...OPENAI,
      baseUrl: 'https://api.groq.com/openai/v1/',
      prefix: 'groq/',
      include: ['llama-*'],
      exclude: ['*-guard-*'],
      timeoutMs: 2500,
      headers: { 'X-Title': 'models-edge' },
      models: ['llama-3.3-70b-versatile'],
    };
    const [provider] = parseConfig(envOf({ PROVIDERS: [entry], ...SECRETS })).providers;
    expect(provider).toMatchObject({
      baseUrl: 'https://api.groq.com/openai/v1',
      apiKey: 'sk-proj-1',
      prefix: 'groq/',
      timeoutMs: 2500,
      headers: { 'X-Title': 'models-edge' },
      models: ['llama-3.3-70b-versatile'],
    });
    expect(provider?.include.map((re) => re.test('llama-3.1-8b-instant'))).toStrictEqual([true]);
    expect(provider?.exclude.map((re) => re.test('llama-3.3-70b-versatile'))).toStrictEqual([false]);
    expect(provider?.exclude.map((re) => re.test('meta-llama/llama-guard-4-12b'))).toStrictEqual([true]);
  });

  it('reads the TTLs from strings as .dev.vars gives them', () => {
    const config = parseConfig(envOf({ PROVIDERS: [OPENAI], ...SECRETS, CACHE_TTL_SECONDS: '600', STALE_TTL_SECONDS: '0' }));
    expect([config.cacheTtlSeconds, config.staleTtlSeconds]).toStrictEqual([600, 0]);
  });

  describe('rejects bad configuration with a ConfigError naming the field', () => {
    it.each([
      ['unparsable JSON', { PROVIDERS: '[{"id":"openai",}]' }, 'PROVIDERS', /not valid JSON/],
      ['PROVIDERS not an array', { PROVIDERS: JSON.stringify(OPENAI) }, 'PROVIDERS', /must be a JSON array/],
      ['an empty PROVIDERS', { PROVIDERS: [] }, 'PROVIDERS', /is empty/],
      ['no PROVIDERS at all', {}, 'PROVIDERS', /is empty/],
      ['an entry that is not an object', { PROVIDERS: ['openai'] }, 'PROVIDERS[0]', /must be an object/],
      ['an unknown type', { PROVIDERS: [OPENAI, { id: 'azure', type: 'azure' }], ...SECRETS }, 'PROVIDERS[1].type', /unknown type "azure"; one of: openai, anthropic, gemini, ollama/],
      ['a missing id', { PROVIDERS: [{ type: 'openai' }] }, 'PROVIDERS[0].id', /\[a-z0-9\]\[a-z0-9-\]\*/],
      ['an id with capitals', { PROVIDERS: [{ id: 'OpenAI', type: 'openai' }] }, 'PROVIDERS[0].id', /must match/],
      ['an id with a slash', { PROVIDERS: [{ id: 'open/ai', type: 'openai' }] }, 'PROVIDERS[0].id', /must match/],
      ['a duplicate id', { PROVIDERS: [OPENAI, ANTHROPIC, { ...OPENAI, baseUrl: 'https://proxy.example/v1' }], ...SECRETS }, 'PROVIDERS[2].id', /duplicate id "openai"/],
      ['a missing secret', { PROVIDERS: [OPENAI] }, 'PROVIDERS[0].apiKeySecret', /secret OPENAI_API_KEY is not set/],
      ['an empty secret', { PROVIDERS: [OPENAI], OPENAI_API_KEY: '' }, 'PROVIDERS[0].apiKeySecret', /secret OPENAI_API_KEY is not set/],
      ['a baseUrl that is not http(s)', { PROVIDERS: [{ id: 'x', type: 'openai', baseUrl: 'ftp://models.example' }] }, 'PROVIDERS[0].baseUrl', /http\(s\) URL/],
      ['a zero timeoutMs', { PROVIDERS: [{ id: 'x', type: 'openai', timeoutMs: 0 }] }, 'PROVIDERS[0].timeoutMs', /positive whole number/],
      ['a fractional timeoutMs', { PROVIDERS: [{ id: 'x', type: 'openai', timeoutMs: 2.5 }] }, 'PROVIDERS[0].timeoutMs', /positive whole number/],
      ['a string timeoutMs', { PROVIDERS: [{ id: 'x', type: 'openai', timeoutMs: '5000' }] }, 'PROVIDERS[0].timeoutMs', /positive whole number/],
      ['include not a string array', { PROVIDERS: [{ id: 'x', type: 'openai', include: 'gpt-*' }] }, 'PROVIDERS[0].include', /array of strings/],
      ['a header that is not a string', { PROVIDERS: [{ id: 'x', type: 'openai', headers: { 'X-Retry': 3 } }] }, 'PROVIDERS[0].headers', /string values/],
      ['a TTL that is not a number', { PROVIDERS: [OPENAI], ...SECRETS, CACHE_TTL_SECONDS: 'an hour' }, 'CACHE_TTL_SECONDS', /whole number of seconds/],
      ['a negative stale TTL', { PROVIDERS: [OPENAI], ...SECRETS, STALE_TTL_SECONDS: -1 }, 'STALE_TTL_SECONDS', /whole number of seconds/],
      ['a misspelt field, with the nearest known one', { PROVIDERS: [{ id: 'x', type: 'openai', baseURL: 'https://x.example/v1' }] }, 'PROVIDERS[0].baseURL', /unknown field; did you mean baseUrl\?/],
      ['an unknown field far from any', { PROVIDERS: [{ id: 'x', type: 'openai', colour: 'red' }] }, 'PROVIDERS[0].colour', /unknown field; known fields: id, type/],
      ['a placeholder key from .dev.vars.example', { PROVIDERS: [OPENAI], OPENAI_API_KEY: 'sk-...' }, 'PROVIDERS[0].apiKeySecret', /example placeholder/],
      ['a bad apiKeyHeader', { PROVIDERS: [{ id: 'x', type: 'openai', apiKeyHeader: 'api key' }] }, 'PROVIDERS[0].apiKeyHeader', /HTTP header name/],
      ['a zero maxModels', { PROVIDERS: [{ id: 'x', type: 'openai', maxModels: 0 }] }, 'PROVIDERS[0].maxModels', /positive whole number/],
      ['inference not a boolean', { PROVIDERS: [{ id: 'x', type: 'openai', inference: 'no' }] }, 'PROVIDERS[0].inference', /true or false/],
      ['a view naming an unknown provider', { PROVIDERS: [OPENAI], ...SECRETS, VIEWS: { team: { providers: ['openai', 'groq'] } } }, 'VIEWS.team.providers[1]', /no provider with id "groq"/],
      ['a view with a bad name', { PROVIDERS: [OPENAI], ...SECRETS, VIEWS: { 'team a': {} } }, 'VIEWS.team a', /view name/],
      ['a view with a misspelt field', { PROVIDERS: [OPENAI], ...SECRETS, VIEWS: '{"team":{"provider":["openai"]}}' }, 'VIEWS.team.provider', /did you mean providers\?/],
      ['VIEWS that is not JSON', { PROVIDERS: [OPENAI], ...SECRETS, VIEWS: '{team}' }, 'VIEWS', /not valid JSON/],
      ['REQUIRE_CLIENT_KEY not a boolean', { PROVIDERS: [OPENAI], ...SECRETS, REQUIRE_CLIENT_KEY: 'yes' }, 'REQUIRE_CLIENT_KEY', /true or false/],
      ['a CORS origin with a path', { PROVIDERS: [OPENAI], ...SECRETS, CORS_ORIGINS: 'https://chat.example.com/app' }, 'CORS_ORIGINS[0]', /not an origin/],
      ['TTLs summing below KV’s 60 s minimum', { PROVIDERS: [OPENAI], ...SECRETS, CACHE_TTL_SECONDS: 30, STALE_TTL_SECONDS: 29 }, 'CACHE_TTL_SECONDS', /is 59, below KV's minimum expirationTtl of 60 s/],
    ])('%s', (_, vars, field, problem) => {
      const error = configError(vars);
      expect(error.field).toBe(field);
      expect(error.code).toBe('invalid_config');
      expect(error.message.startsWith(`${field}: `)).toBe(true);
      expect(error.message).toMatch(problem);
    });

    it('accepts TTLs summing to exactly 60 s', () => {
      const config = parseConfig(envOf({ PROVIDERS: [OPENAI], ...SECRETS, CACHE_TTL_SECONDS: 30, STALE_TTL_SECONDS: 30 }));
      expect(config.cacheTtlSeconds + config.staleTtlSeconds).toBe(60);
    });

    it('never quotes a secret in the message', () => {
      const error = configError({ PROVIDERS: [OPENAI, { ...ANTHROPIC, timeoutMs: -5 }], ...SECRETS });
      expect(error.field).toBe('PROVIDERS[1].timeoutMs');
      expect(error.message).not.toContain(SECRETS.OPENAI_API_KEY);
      expect(error.message).not.toContain(SECRETS.ANTHROPIC_API_KEY);
    });
  });
});

describe('parseConfig, this round’s fields', () => {
  it('derives each type’s OpenAI-compatible inference root, unless the entry sets one or turns inference off', () => {
    const providers = [
      ...['openai', 'anthropic', 'gemini', 'ollama'].map((type) => ({ id: type, type })),
      { id: 'gateway', type: 'openai', inferenceBaseUrl: 'https://gateway.ai.cloudflare.com/v1/acct/gw/openai/' },
      { id: 'listed-only', type: 'openai', inference: false },
    ];
    expect(parseConfig(envOf({ PROVIDERS: providers })).providers.map((p) => p.inferenceBase)).toStrictEqual([
      'https://api.openai.com/v1',
      'https://api.anthropic.com/v1',
      'https://generativelanguage.googleapis.com/v1beta/openai',
      'http://localhost:11434/v1',
      'https://gateway.ai.cloudflare.com/v1/acct/gw/openai',
      null,
    ]);
  });

  it('keeps a baseUrl query string (Azure api-version) and trims the slash before it', () => {
    const [azure] = parseConfig(envOf({ PROVIDERS: [{ id: 'azure', type: 'openai', baseUrl: 'https://r.openai.azure.com/openai/?api-version=2024-10-21' }] })).providers;
    expect(azure?.baseUrl).toBe('https://r.openai.azure.com/openai?api-version=2024-10-21');
  });

  it('reads VIEWS from a TOML table and from a JSON string alike', () => {
    const views = { team: { providers: ['openai'], include: ['gpt-*'], exclude: ['*-mini'] } };
    const fromTable = parseConfig(envOf({ PROVIDERS: [OPENAI], ...SECRETS, VIEWS: views })).views.get('team');
    const fromString = parseConfig(envOf({ PROVIDERS: [OPENAI], ...SECRETS, VIEWS: JSON.stringify(views) })).views.get('team');
    expect(fromString).toStrictEqual(fromTable);
    expect(fromTable?.providers).toStrictEqual(new Set(['openai']));
  });

  it('reads REQUIRE_CLIENT_KEY and CORS_ORIGINS as strings or TOML values', () => {
    const config = parseConfig(envOf({ PROVIDERS: [OPENAI], ...SECRETS, REQUIRE_CLIENT_KEY: 'true', CORS_ORIGINS: 'https://a.example, https://b.example:8443' }));
    expect(config.requireClientKey).toBe(true);
    expect(config.corsOrigins).toStrictEqual(['https://a.example', 'https://b.example:8443']);
    expect(parseConfig(envOf({ PROVIDERS: [OPENAI], ...SECRETS, REQUIRE_CLIENT_KEY: true, CORS_ORIGINS: ['https://a.example'] })).corsOrigins).toStrictEqual(['https://a.example']);
  });

  it('changes the fingerprint with providers, filters and views, and only with them', () => {
    const base = { PROVIDERS: [OPENAI], ...SECRETS };
    const fingerprint = (vars: Record<string, unknown>) => parseConfig(envOf(vars)).fingerprint;
    expect(fingerprint(base)).toBe(fingerprint({ ...base, OPENAI_API_KEY: 'sk-proj-rotated', CACHE_TTL_SECONDS: 60 }));
    expect(fingerprint({ ...base, PROVIDERS: [{ ...OPENAI, prefix: 'o/' }] })).not.toBe(fingerprint(base));
    expect(fingerprint({ ...base, PROVIDERS: [{ ...OPENAI, exclude: ['*-audio-*'] }] })).not.toBe(fingerprint(base));
    expect(fingerprint({ ...base, PROVIDERS: [OPENAI, ANTHROPIC] })).not.toBe(fingerprint(base));
    expect(fingerprint({ ...base, VIEWS: { team: {} } })).not.toBe(fingerprint(base));
  });

  it('collects every configured secret value for redaction', () => {
    const config = parseConfig(envOf({ PROVIDERS: [{ ...OPENAI, headers: { 'X-Proxy-Token': 'proxy-token-1' } }, ANTHROPIC], ...SECRETS }));
    expect(config.secretValues.sort()).toStrictEqual(['proxy-token-1', 'sk-ant-1', 'sk-proj-1']);
  });
});

describe('checkConfig', () => {
  /** Problems in two entries, a view and a top-level var; each is found though an earlier one failed. */
  const broken = {
    PROVIDERS: [
      { ...OPENAI, baseURL: 'https://api.openai.com/v1', timeoutMs: '5s' },
      { id: 'anthropic', type: 'antropic' },
      { ...ANTHROPIC, id: 'claude' },
    ],
    OPENAI_API_KEY: 'sk-...',
    ANTHROPIC_API_KEY: 'sk-ant-...',
    VIEWS: { team: { providers: ['anthropic', 'mistral'] } },
    MAX_REQUEST_BYTES: 'lots',
  };

  it('finds every problem in one pass, in the order the worker meets them', () => {
    const checked = checkConfig(envOf(broken));
    expect(checked.ok).toBe(false);
    expect(checked.ok ? [] : checked.problems.map((problem) => problem.message)).toStrictEqual([
      'PROVIDERS[0].baseURL: unknown field; did you mean baseUrl?',
      'PROVIDERS[0].apiKeySecret: secret OPENAI_API_KEY still holds the example placeholder; set the real key (wrangler secret put OPENAI_API_KEY)',
      'PROVIDERS[0].timeoutMs: must be a positive whole number',
      expect.stringMatching(/^PROVIDERS\[1\]\.type: unknown type "antropic"; one of: /),
      'PROVIDERS[2].apiKeySecret: secret ANTHROPIC_API_KEY still holds the example placeholder; set the real key (wrangler secret put ANTHROPIC_API_KEY)',
      // "anthropic" is a valid id of a broken entry: the view naming it is not blamed for it.
      'VIEWS.team.providers[1]: no provider with id "mistral" in PROVIDERS',
      'MAX_REQUEST_BYTES: must be a whole number of at least 1024',
    ]);
  });

  it('leaves the worker its first problem, as parseConfig throws it', () => {
    expect(configError(broken).message).toBe('PROVIDERS[0].baseURL: unknown field; did you mean baseUrl?');
  });

  it('answers the configuration when there is no problem', () => {
    const env = envOf({ PROVIDERS: [OPENAI, ANTHROPIC], ...SECRETS });
    expect(checkConfig(env)).toStrictEqual({ ok: true, config: parseConfig(env) });
  });
});

describe('loadConfig', () => {
  afterEach(() => vi.restoreAllMocks());

  it('parses an env once and hands back the same config after', () => {
    const env = envOf({ PROVIDERS: [OPENAI], ...SECRETS });
    expect(loadConfig(env)).toBe(loadConfig(env));
  });

  it('throws the ConfigError on every call and logs it once, by field', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const env = envOf({ PROVIDERS: [{ id: 'azure', type: 'azure' }] });
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow('PROVIDERS[0].type: unknown type "azure"');
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toMatchObject({ event: 'config_error', field: 'PROVIDERS[0].type' });
  });
});
