/**
 * Issue #14, "a hostile or broken upstream costs only itself" (docs/behaviour.md, "What upstreams may not do"), and issue #11's
 * actionable connection errors: each upstream is played by the outbound service
 * (fake-providers/upstreams.ts faults), and the worker is driven through its admin routes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import { BYTE_CAP_MESSAGE, MAX_PAGES, PAGE_CAP_MESSAGE } from '../../src/refresh/fetch-provider.ts';
import { explainFetchFailure } from '../../src/upstream/failure.ts';
import { MAX_UPSTREAM_TEXT_CHARS, sanitise } from '../../src/upstream/sanitise.ts';
import type { Kind } from '../../fake-providers/demo-data.ts';
import { expectApiError } from './support/expect-error.ts';
import { adminToken, bearer } from './support/tokens.ts';
import { elsewhereOrigin, type Fault } from './support/upstream-scheme.ts';
import { fakeUpstreams, requestsTo, type FakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
});

const KEY = 'sk-hostile-7f3a9c21e4b8d605a1';
const PROXY_TOKEN = 'proxy-token-4e1b7d9a0c2f';
const KINDS: Kind[] = ['openai', 'anthropic', 'gemini', 'ollama'];
/** How each kind's list request carries the key. */
const KEY_HEADER: Record<Kind, [string, string]> = {
  openai: ['authorization', `Bearer ${KEY}`],
  anthropic: ['x-api-key', KEY],
  gemini: ['x-goog-api-key', KEY],
  ollama: ['authorization', `Bearer ${KEY}`],
};
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

interface ProviderView {
  id: string;
  ok: boolean;
  stale: boolean;
  modelCount: number;
  error: string | null;
}

interface StatusView {
  modelCount: number;
  providers: ProviderView[];
}

/** Every kind pointed at `upstreams`, each with the key and a configured header it must keep to itself. */
function hostileEnv(upstreams: FakeUpstreams): Env {
  const entries = upstreams.entries({ apiKeySecret: 'UPSTREAM_KEY', headers: { 'X-Proxy-Token': PROXY_TOKEN } });
  return workerEnv({ ...providersVar(entries), UPSTREAM_KEY: KEY } as Partial<Env>);
}

/** The URL of `kind`'s first list page at `upstreams`, as errors name it. */
function listUrl(upstreams: FakeUpstreams, kind: Kind): string {
  return `${upstreams.entry(kind).baseUrl as string}${kind === 'ollama' ? '/api/tags' : '/models'}`;
}

/** `POST /admin/cache/refresh` (a 502 when no provider answered), then the status it left; `answer` is the POST's body. */
async function refresh(env: Env): Promise<StatusView & { answer: string }> {
  const response = await call(env, '/admin/cache/refresh', { method: 'POST', headers: bearer(await adminToken()) });
  expect([200, 502]).toContain(response.status);
  return { ...(await status(env)), answer: await response.text() };
}

async function status(env: Env): Promise<StatusView> {
  const response = await call(env, '/admin/cache/status', { headers: bearer(await adminToken()) });
  expect(response.status).toBe(200);
  return (await response.json()) as StatusView;
}

function provider(view: StatusView, id: string): ProviderView {
  const found = view.providers.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no provider ${id} in the status`);
  return found;
}

const faultsFor = (fault: Fault) => Object.fromEntries(KINDS.map((kind) => [kind, fault]));
const keysFor = () => Object.fromEntries(KINDS.map((kind) => [kind, KEY]));

describe('a hostile or broken upstream costs only itself', () => {
  describe('redirects', () => {
    const cases: [Fault, (upstreams: FakeUpstreams) => string, string][] = [
      ['redirect-cross-origin', (upstreams) => elsewhereOrigin(upstreams.origin), ''],
      ['redirect-same-origin', (upstreams) => upstreams.origin, '/moved'],
    ];

    it.each(cases)('a %s 302 fails that provider with the fix, and no key or configured header reaches its target', async (fault, targetOf, suffix) => {
      const upstreams = await fakeUpstreams({ faults: faultsFor(fault), keys: keysFor() });
      const env = hostileEnv(upstreams);
      const target = targetOf(upstreams);
      const atTarget = async () => (await requestsTo(target)).filter((r) => suffix === '' || r.path.endsWith(suffix));

      const view = await refresh(env);
      for (const kind of KINDS) {
        expect(provider(view, kind)).toMatchObject({
          ok: false,
          error: `[${kind}] GET ${listUrl(upstreams, kind)}: 302 redirected to ${target}; set baseUrl to the final URL`,
        });
      }
      expect(await atTarget()).toStrictEqual([]);

      // The hazard is real: a fetch that follows the same redirect hands the target the credentials.
      await fetch(listUrl(upstreams, 'anthropic'), { headers: { 'x-api-key': KEY, 'X-Proxy-Token': PROXY_TOKEN } });
      expect((await atTarget()).map((r) => [r.headers['x-api-key'], r.headers['x-proxy-token']])).toStrictEqual([[KEY, PROXY_TOKEN]]);
    });

    it('keeps the other providers updating while one redirects', async () => {
      const upstreams = await fakeUpstreams({ faults: { gemini: 'redirect-cross-origin' } });
      const view = await refresh(workerEnv(providersVar(upstreams.entries())));
      expect(view.providers.map((p) => [p.id, p.ok])).toStrictEqual([['openai', true], ['anthropic', true], ['gemini', false], ['ollama', true]]);
    });
  });

  describe('upstream text', () => {
    it('a key echoed in the reason phrase, the Content-Type or a cursor reaches neither the status nor a log line', async () => {
      const log = vi.spyOn(console, 'log');
      const upstreams = await fakeUpstreams({
        keys: keysFor(),
        faults: { openai: 'reflect-key-status', ollama: 'reflect-key-content-type', anthropic: 'reflect-key-cursor', gemini: 'reflect-key-cursor' },
      });
      const env = hostileEnv(upstreams);

      const { answer, ...read } = await refresh(env);
      const publicMessage = await expectApiError(await call(env, '/v1/models'), 502, 'upstreams_unavailable');
      const logLines = log.mock.calls.map((args) => args.map(String).join(' '));

      // Every fault echoed what it was sent, and what came through was redacted.
      const piece = `(.{1,${MAX_UPSTREAM_TEXT_CHARS}})`;
      const expected: Record<Kind, RegExp> = {
        openai: new RegExp(`^\\[openai\\] GET ${listUrl(upstreams, 'openai')}: 498 ${piece}$`),
        ollama: new RegExp(`^\\[ollama\\] GET ${listUrl(upstreams, 'ollama')}: response is not valid JSON \\(${piece}, 20 bytes\\)$`),
        anthropic: new RegExp(`^\\[anthropic\\] GET ${listUrl(upstreams, 'anthropic')}: unexpected response shape: the next-page cursor repeats \\(${piece}\\)$`),
        gemini: new RegExp(`^\\[gemini\\] GET ${listUrl(upstreams, 'gemini')}: unexpected response shape: the next-page cursor repeats \\(${piece}\\)$`),
      };
      for (const kind of KINDS) {
        const { ok, error } = provider(read, kind);
        expect(ok).toBe(false);
        expect(error).toMatch(expected[kind]);
        expect(error).toContain('[redacted]');
        expect(error).not.toMatch(CONTROL_CHARACTER);
      }
      expect(provider(read, 'openai').error).toContain('498 Invalid credentials[redacted]');

      const texts = [answer, JSON.stringify(read), publicMessage, ...logLines];
      expect(logLines.some((line) => line.startsWith('{"event":"refresh"'))).toBe(true);
      for (const text of texts) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(PROXY_TOKEN);
        // The echoed newline is gone, so the forged event cannot start a line of its own.
        expect(text).not.toMatch(/\n\s*\{"event":"forged"/);
      }
      expect(logLines.map((line) => (JSON.parse(line) as { event: string }).event)).not.toContain('forged');
    });
  });

  describe('caps per provider', () => {
    // Reading 8 MiB and 50 pages is slow on a loaded machine: generous budgets, so only the caps decide.
    const SLOW_MS = 60_000;
    const cases: [string, Kind, Fault, string][] = [
      ['a body over the byte cap', 'openai', 'huge', BYTE_CAP_MESSAGE],
      ['a cursor past the page cap', 'anthropic', 'endless-pages', PAGE_CAP_MESSAGE],
    ];

    it.each(cases)(
      '%s fails that provider alone, naming the cap and how to raise it, with its last good models kept',
      async (_, kind, fault, message) => {
        const upstreams = await fakeUpstreams();
        const env = workerEnv(providersVar(upstreams.entries({ timeoutMs: SLOW_MS })));
        const before = await refresh(env);
        expect(before.providers.every((p) => p.ok)).toBe(true);
        const hitsBefore = (await upstreams.hits())[kind];

        await upstreams.update({ faults: { [kind]: fault } });
        const after = await refresh(env);

        expect(provider(after, kind)).toMatchObject({ ok: false, stale: true, error: `[${kind}] GET ${listUrl(upstreams, kind)}: ${message}` });
        if (fault === 'endless-pages') expect((await upstreams.hits())[kind] - hitsBefore).toBe(MAX_PAGES);
        for (const other of KINDS.filter((k) => k !== kind)) expect(provider(after, other)).toMatchObject({ ok: true, stale: false, error: null });
        // The capped provider's last good models stay in the list beside the others' fresh ones.
        expect(provider(after, kind).modelCount).toBe(provider(before, kind).modelCount);
        expect(after.modelCount).toBe(before.modelCount);
      },
      SLOW_MS * 2,
    );

    it('say which cap, its size and how to raise it', () => {
      expect(BYTE_CAP_MESSAGE).toMatch(/8 MiB cap .* raise MAX_UPSTREAM_BYTES in src\/refresh\/fetch-provider\.ts$/);
      expect(PAGE_CAP_MESSAGE).toMatch(/50 pages, the cap per provider.* raise MAX_PAGES in src\/refresh\/fetch-provider\.ts$/);
    });
  });

  describe('connection failures', () => {
    it("names what Cloudflare's edge says about an origin (530 error 1016, 522), the others unharmed", async () => {
      const upstreams = await fakeUpstreams({ faults: { openai: 'edge-dns-error', anthropic: 'edge-timeout' } });
      const view = await refresh(workerEnv(providersVar(upstreams.entries())));
      expect(provider(view, 'openai').error).toBe(
        `[openai] GET ${listUrl(upstreams, 'openai')}: 530 Origin DNS Error (Cloudflare error 1016: name not resolved; check the host name in the URL)`,
      );
      expect(provider(view, 'anthropic').error).toBe(
        `[anthropic] GET ${listUrl(upstreams, 'anthropic')}: 522 Connection Timed Out (Cloudflare: the origin did not accept the connection in time)`,
      );
      expect(view.providers.filter((p) => p.ok).map((p) => p.id)).toStrictEqual(['gemini', 'ollama']);
    });

    it("maps workerd's own errors to what to check, naming the origin, and logs the runtime text beside it", async () => {
      // miniflare answers any failure of the outbound service with a 500, so workerd's rejections are
      // replayed here with the texts it gives under `wrangler dev`: an unresolvable host and (over
      // https) a failed TLS handshake both read `internal error; reference = …`, a closed port
      // `Network connection lost.`.
      const upstreams = await fakeUpstreams();
      const runtime: Record<string, string> = {
        'nowhere.upstream.test': 'internal error; reference = 01295eq83aoni4cjbfj8pude',
        'tls.upstream.test': 'internal error; reference = 26q5gsu816g1t2io9e0mptqr',
        'closed.upstream.test:11434': 'Network connection lost.',
      };
      const realFetch = globalThis.fetch;
      vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
        const text = runtime[new URL(input instanceof Request ? input.url : String(input)).host];
        return text === undefined ? realFetch(input, init) : Promise.reject(new Error(text));
      });
      const log = vi.spyOn(console, 'log');
      const env = workerEnv(
        providersVar([
          { id: 'dns', type: 'openai', baseUrl: 'http://nowhere.upstream.test/v1' },
          { id: 'tls', type: 'openai', baseUrl: 'https://tls.upstream.test/v1' },
          { id: 'refused', type: 'ollama', baseUrl: 'http://closed.upstream.test:11434' },
          upstreams.entry('gemini'),
        ]),
      );

      const view = await refresh(env);
      expect(view.providers.map((p) => [p.id, p.error])).toStrictEqual([
        ['dns', '[dns] GET http://nowhere.upstream.test/v1/models: could not connect to http://nowhere.upstream.test: name not resolved (check the host name in the URL)'],
        [
          'tls',
          '[tls] GET https://tls.upstream.test/v1/models: could not connect to https://tls.upstream.test: name not resolved or TLS failure ' +
            '(check the host name in the URL and that the server speaks https on that port with a valid certificate)',
        ],
        [
          'refused',
          '[refused] GET http://closed.upstream.test:11434/api/tags: could not connect to http://closed.upstream.test:11434: ' +
            'connection refused or lost before an answer (is the server running and listening on that port?)',
        ],
        ['gemini', null],
      ]);
      const failures = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>).filter((line) => line.event === 'upstream_fetch_failed');
      const logged = failures.map(({ provider, purpose, kind, detail }) => ({ provider, purpose, kind, detail }));
      // Providers are listed in parallel: the lines come in any order.
      expect(logged.sort((a, b) => String(a.provider).localeCompare(String(b.provider)))).toStrictEqual([
        { provider: 'dns', purpose: 'list', kind: 'name-not-resolved', detail: runtime['nowhere.upstream.test'] },
        { provider: 'refused', purpose: 'list', kind: 'connection-lost', detail: runtime['closed.upstream.test:11434'] },
        { provider: 'tls', purpose: 'list', kind: 'name-or-tls', detail: runtime['tls.upstream.test'] },
      ]);
    });
  });
});

describe('sanitise', () => {
  it('removes control characters before redacting, so one planted inside a key cannot hide it', () => {
    expect(sanitise(`a\u0000b\nc\u001b[2J\u0085d\u202e ${KEY.slice(0, 5)}\u0007${KEY.slice(5)}`, [KEY])).toBe('abc[2Jd [redacted]');
  });

  it('redacts every secret whole, case-insensitively and URL-encoded, longest first', () => {
    const slashed = 'tok/en+with=chars';
    expect(sanitise(`${KEY.toUpperCase()} ${encodeURIComponent(slashed)} ${KEY}-extra`, [KEY.slice(0, 10), slashed, KEY])).toBe('[redacted] [redacted] [redacted]-extra');
  });

  it(`cuts to ${MAX_UPSTREAM_TEXT_CHARS} characters after redacting, never splitting a character`, () => {
    const cut = sanitise(`${'é'.repeat(150)}${KEY}${'😀'.repeat(100)}`, [KEY]);
    expect(Array.from(cut)).toHaveLength(MAX_UPSTREAM_TEXT_CHARS);
    expect(cut).toBe(`${'é'.repeat(150)}[redacted]${'😀'.repeat(39)}…`);
  });

  it('leaves values shorter than 4 characters alone: a header set to "1" is not a secret', () => {
    expect(sanitise('v1 of 1', ['1'])).toBe('v1 of 1');
  });
});

describe('explainFetchFailure', () => {
  const url = 'https://api.example.com/v1/models?key=query-secret';
  const undici = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code }) });

  it.each([
    ['a refused port', undici('ECONNREFUSED'), 'refused', 'could not connect to https://api.example.com: connection refused (is the server running and listening on that port, with https?)'],
    ['a name that does not resolve', undici('ENOTFOUND'), 'name-not-resolved', 'could not connect to https://api.example.com: name not resolved (check the host name in the URL)'],
    ['an expired certificate', undici('CERT_HAS_EXPIRED'), 'tls', 'could not connect to https://api.example.com: TLS failure (does the server speak https on that port, with a valid certificate?)'],
    ['a timeout', new DOMException('The operation timed out.', 'TimeoutError'), 'timed-out', 'timed out waiting for https://api.example.com after 5000 ms'],
    ['anything else', new Error('something else'), 'could-not-connect', 'could not connect to https://api.example.com'],
  ])('names the origin and the cause for %s', (_, error, kind, message) => {
    expect(explainFetchFailure(error, url, { timeoutMs: 5000 })).toMatchObject({ kind, message });
  });

  it('keeps the query string (where some proxies take a key) and secrets out of the detail', () => {
    const failure = explainFetchFailure(new Error(`bad answer from ${url} for ${KEY}`), url, { secrets: [KEY] });
    expect(failure.detail).toBe('bad answer from https://api.example.com/v1/models for [redacted]');
  });
});
