import { describe, expect, it } from 'vitest';
import { parseConfig, type ProviderEntry } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import { fetchProvider, MAX_PAGES, MAX_UPSTREAM_BYTES } from '../../src/refresh/fetch-provider.ts';
import anthropicPage1 from '../fixtures/anthropic/page-1.json';
import anthropicPage2 from '../fixtures/anthropic/page-2.json';
import anthropicPage3 from '../fixtures/anthropic/page-3.json';
import geminiPage1 from '../fixtures/gemini/page-1.json';
import geminiPage2 from '../fixtures/gemini/page-2.json';
import deepseek from '../fixtures/openai/deepseek.json';
import openaiList from '../fixtures/openai/openai.json';
import openrouter from '../fixtures/openai/openrouter.json';
import together from '../fixtures/openai/together.json';
import tags from '../fixtures/ollama/tags.json';

const KEY = 'sk-live-4f9c2e7a1b8d6035';
const ANTHROPIC = 'https://api.anthropic.com/v1/models';
const GEMINI = 'https://generativelanguage.googleapis.com/v1beta/models';
const OPENAI = 'https://api.openai.com/v1/models';

/** One provider entry, checked and defaulted exactly as `PROVIDERS` would be; the key sits in `SECRET`. */
function configure(raw: Record<string, unknown>): ProviderEntry {
  const vars: Record<string, unknown> = { PROVIDERS: [raw], SECRET: KEY };
  // parseConfig reads vars and secrets only: no test here needs the KV binding.
  const [entry] = parseConfig(vars as Env).providers;
  if (entry === undefined) throw new Error('configure: no entry');
  return entry;
}

/** A fetch that answers from `answer` and records every request it gets. */
function fakeFetch(answer: (url: string, signal: AbortSignal | null | undefined) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetcher: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request);
    return answer(request.url, init?.signal);
  };
  return { fetcher, requests };
}

/** Serves JSON pages by exact URL; anything else is a 404, as a real API would answer. */
function servePages(pages: Record<string, unknown>) {
  return fakeFetch((url) =>
    url in pages ? Response.json(pages[url]) : Response.json({ error: 'not found' }, { status: 404, statusText: 'Not Found' }),
  );
}

/** Settles only when the signal aborts, with its reason, as `fetch` does. */
function untilAborted(signal: AbortSignal | null | undefined): Promise<never> {
  return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
}

const CHUNK = new Uint8Array(1024 * 1024).fill(0x20);

describe('fetchProvider', () => {
  describe('paging', () => {
    it('follows after_id through every Anthropic page, in order', async () => {
      const { fetcher, requests } = servePages({
        [`${ANTHROPIC}?limit=1000`]: anthropicPage1,
        [`${ANTHROPIC}?limit=1000&after_id=claude-opus-4-20250514`]: anthropicPage2,
        [`${ANTHROPIC}?limit=1000&after_id=claude-3-7-sonnet-20250219`]: anthropicPage3,
      });
      const result = await fetchProvider(configure({ id: 'anthropic', type: 'anthropic' }), fetcher);
      expect(requests.map((r) => r.url)).toStrictEqual([
        `${ANTHROPIC}?limit=1000`,
        `${ANTHROPIC}?limit=1000&after_id=claude-opus-4-20250514`,
        `${ANTHROPIC}?limit=1000&after_id=claude-3-7-sonnet-20250219`,
      ]);
      expect(result.ok && result.models.map((m) => m.id)).toStrictEqual([
        'claude-opus-4-1-20250805',
        'claude-opus-4-20250514',
        'claude-sonnet-4-20250514',
        'claude-3-7-sonnet-20250219',
        'claude-3-5-haiku-20241022',
        'claude-3-haiku-20240307',
      ]);
    });

    it('follows Gemini pageToken until a page has none', async () => {
      const { fetcher, requests } = servePages({
        [`${GEMINI}?pageSize=1000`]: geminiPage1,
        [`${GEMINI}?pageSize=1000&pageToken=Ch5tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA%2B%2F%3D`]: geminiPage2,
      });
      const result = await fetchProvider(configure({ id: 'gemini', type: 'gemini' }), fetcher);
      expect(requests.map((r) => r.url)).toStrictEqual([
        `${GEMINI}?pageSize=1000`,
        `${GEMINI}?pageSize=1000&pageToken=Ch5tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA%2B%2F%3D`,
      ]);
      expect(result.ok && result.models.map((m) => m.id)).toStrictEqual([
        'gemini-2.5-pro',
        'gemini-2.5-flash',
        'gemini-2.0-flash-lite',
        'text-embedding-004',
      ]);
    });

    it('lists Ollama with one GET of /api/tags', async () => {
      const { fetcher, requests } = servePages({ 'http://localhost:11434/api/tags': tags });
      const result = await fetchProvider(configure({ id: 'local', type: 'ollama' }), fetcher);
      expect(requests.map((r) => r.url)).toStrictEqual(['http://localhost:11434/api/tags']);
      expect(result.ok && result.models.map((m) => m.id)).toStrictEqual(['llama3.2:latest', 'qwen2.5-coder:7b']);
    });

    it('fails on a cursor cycle instead of looping', async () => {
      const page = (last_id: string) => ({ data: [{ type: 'model', id: last_id }], has_more: true, last_id });
      const { fetcher, requests } = servePages({
        [`${ANTHROPIC}?limit=1000`]: page('a'),
        [`${ANTHROPIC}?limit=1000&after_id=a`]: page('b'),
        [`${ANTHROPIC}?limit=1000&after_id=b`]: page('a'),
      });
      const result = await fetchProvider(configure({ id: 'anthropic', type: 'anthropic' }), fetcher);
      expect(requests).toHaveLength(3);
      expect(result).toMatchObject({ ok: false, error: `[anthropic] GET ${ANTHROPIC}: unexpected response shape: the next-page cursor repeats (a)` });
    });

    it(`gives up after ${MAX_PAGES} pages of ever-new cursors`, async () => {
      let page = 0;
      const { fetcher, requests } = fakeFetch(() => Response.json({ models: [], nextPageToken: `token-${++page}` }));
      const result = await fetchProvider(configure({ id: 'gemini', type: 'gemini' }), fetcher);
      expect(requests).toHaveLength(MAX_PAGES);
      expect(result).toMatchObject({ ok: false, error: `[gemini] GET ${GEMINI}: unexpected response shape: more than ${MAX_PAGES} pages` });
    });
  });

  describe('normalising', () => {
    it('prefixes the id, keeps the upstream id and extras, and falls back to the provider id as owner', async () => {
      const { fetcher } = servePages({ 'https://openrouter.ai/api/v1/models': openrouter });
      const entry = configure({ id: 'openrouter', type: 'openai', baseUrl: 'https://openrouter.ai/api/v1', prefix: 'or/' });
      const result = await fetchProvider(entry, fetcher);
      expect(result.ok && result.models[0]).toStrictEqual({
        id: 'or/anthropic/claude-sonnet-4',
        object: 'model',
        created: 1747930371,
        owned_by: 'openrouter',
        provider: 'openrouter',
        upstream_id: 'anthropic/claude-sonnet-4',
        name: 'Anthropic: Claude Sonnet 4',
        context_length: 200000,
        max_output_tokens: 64000,
      });
    });

    it('keeps the upstream owner and leaves created out when the upstream has none', async () => {
      const { fetcher } = servePages({ 'https://api.deepseek.com/models': deepseek });
      const result = await fetchProvider(configure({ id: 'deepseek', type: 'openai', baseUrl: 'https://api.deepseek.com' }), fetcher);
      expect(result.ok && result.models[0]).toStrictEqual({
        id: 'deepseek-chat',
        object: 'model',
        owned_by: 'deepseek',
        provider: 'deepseek',
        upstream_id: 'deepseek-chat',
      });
    });

    it('keeps ids matching include unless exclude matches too: exclude wins', async () => {
      const { fetcher } = servePages({ [OPENAI]: openaiList });
      const entry = configure({ id: 'openai', type: 'openai', include: ['gpt-*'], exclude: ['*-audio-*'] });
      const result = await fetchProvider(entry, fetcher);
      expect(result.ok && result.models.map((m) => m.id)).toStrictEqual(['gpt-4o-2024-08-06', 'gpt-4.1']);
    });

    it('lets * match across / and matches the upstream id, not the prefixed one', async () => {
      const { fetcher } = servePages({ 'https://api.together.xyz/v1/models': together });
      const entry = configure({ id: 'together', type: 'openai', baseUrl: 'https://api.together.xyz/v1', prefix: 'together/', include: ['meta-*'] });
      const result = await fetchProvider(entry, fetcher);
      expect(result.ok && result.models.map((m) => m.id)).toStrictEqual(['together/meta-llama/Llama-3.3-70B-Instruct-Turbo']);
    });
  });

  describe('a static models list', () => {
    it('is served without any request, filtered and prefixed like a fetched one', async () => {
      const { fetcher, requests } = servePages({});
      const entry = configure({ id: 'azure', type: 'openai', prefix: 'azure/', models: ['gpt-4o', 'gpt-4o-mini', 'dall-e-3'], exclude: ['*-mini'] });
      const result = await fetchProvider(entry, fetcher);
      expect(requests).toHaveLength(0);
      expect(result).toStrictEqual({
        id: 'azure',
        ok: true,
        latencyMs: 0,
        skipped: 0,
        models: [
          { id: 'azure/gpt-4o', object: 'model', owned_by: 'azure', provider: 'azure', upstream_id: 'gpt-4o' },
          { id: 'azure/dall-e-3', object: 'model', owned_by: 'azure', provider: 'azure', upstream_id: 'dall-e-3' },
        ],
      });
    });
  });

  describe('requests', () => {
    it.each([
      ['openai', { Authorization: `Bearer ${KEY}` }],
      ['anthropic', { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' }],
      ['gemini', { 'x-goog-api-key': KEY }],
      ['ollama', { Authorization: `Bearer ${KEY}` }],
    ])('send the %s key its way, with the extra headers and Accept: application/json', async (type, auth) => {
      const { fetcher, requests } = fakeFetch(() => Response.json({ data: [], models: [] }));
      await fetchProvider(configure({ id: type, type, apiKeySecret: 'SECRET', headers: { 'HTTP-Referer': 'https://models.example' } }), fetcher);
      expect(Object.fromEntries(requests[0]?.headers ?? [])).toStrictEqual(
        Object.fromEntries(new Headers({ accept: 'application/json', 'http-referer': 'https://models.example', ...auth })),
      );
    });

    it('send no credentials when the entry names no secret', async () => {
      const { fetcher, requests } = fakeFetch(() => Response.json({ models: [] }));
      await fetchProvider(configure({ id: 'local', type: 'ollama' }), fetcher);
      expect([...(requests[0]?.headers.keys() ?? [])]).toStrictEqual(['accept']);
    });
  });

  describe('failures are values naming method, URL (without query) and cause', () => {
    it('names the status of a non-2xx answer', async () => {
      const body = { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${KEY}` } };
      const { fetcher } = fakeFetch(() => Response.json(body, { status: 401, statusText: 'Unauthorized' }));
      const result = await fetchProvider(configure({ id: 'anthropic', type: 'anthropic', apiKeySecret: 'SECRET' }), fetcher);
      expect(result).toMatchObject({ id: 'anthropic', ok: false, error: `[anthropic] GET ${ANTHROPIC}: 401 Unauthorized` });
    });

    it('names the page that failed', async () => {
      const { fetcher } = servePages({ [`${GEMINI}?pageSize=1000`]: geminiPage1 });
      const result = await fetchProvider(configure({ id: 'gemini', type: 'gemini' }), fetcher);
      expect(result).toMatchObject({ ok: false, error: `[gemini] GET ${GEMINI}: 404 Not Found` });
    });

    it('reports an HTML page answered with 200 as not JSON', async () => {
      const html = `<!doctype html><html lang="de"><body><form action="/login">Anmelden – Schlüssel ${KEY}</form></body></html>`;
      const { fetcher } = fakeFetch(() => new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } }));
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai', apiKeySecret: 'SECRET' }), fetcher);
      expect(result).toMatchObject({
        ok: false,
        error: `[openai] GET ${OPENAI}: response is not valid JSON (text/html; charset=utf-8, ${new TextEncoder().encode(html).byteLength} bytes)`,
      });
    });

    it('reports truncated JSON as not JSON', async () => {
      const cut = JSON.stringify(openaiList).slice(0, 120);
      const { fetcher } = fakeFetch(() => new Response(cut, { headers: { 'Content-Type': 'application/json' } }));
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai' }), fetcher);
      expect(result).toMatchObject({ ok: false, error: `[openai] GET ${OPENAI}: response is not valid JSON (application/json, 120 bytes)` });
    });

    it('reports JSON of the wrong shape with the field that is missing', async () => {
      const { fetcher } = fakeFetch(() => Response.json({ error: { message: 'rate limited', type: 'requests' } }));
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai' }), fetcher);
      expect(result).toMatchObject({ ok: false, error: `[openai] GET ${OPENAI}: unexpected response shape: expected "data" to be an array, got nothing` });
    });

    it('reports a network failure with its message', async () => {
      const { fetcher } = fakeFetch(() => Promise.reject(new TypeError('Network connection lost.')));
      const result = await fetchProvider(configure({ id: 'local', type: 'ollama' }), fetcher);
      expect(result).toMatchObject({ ok: false, error: '[local] GET http://localhost:11434/api/tags: Network connection lost.' });
    });
  });

  describe('the time budget', () => {
    it('aborts a request that never answers once timeoutMs has passed', async () => {
      const { fetcher } = fakeFetch((_, signal) => untilAborted(signal));
      const result = await fetchProvider(configure({ id: 'gemini', type: 'gemini', timeoutMs: 50 }), fetcher);
      expect(result).toMatchObject({ ok: false, error: `[gemini] GET ${GEMINI}: timed out after 50 ms` });
    });

    it('covers all pages together, not each page', async () => {
      // Each page alone fits the 150 ms budget; two do not.
      const pages = [anthropicPage1, anthropicPage2, anthropicPage3];
      const { fetcher, requests } = fakeFetch((_, signal) => {
        const page = pages[requests.length - 1];
        const answer = new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json(page)), 100));
        return Promise.race([answer, untilAborted(signal)]);
      });
      const result = await fetchProvider(configure({ id: 'anthropic', type: 'anthropic', timeoutMs: 150 }), fetcher);
      expect(requests).toHaveLength(2);
      expect(result).toMatchObject({ ok: false, error: `[anthropic] GET ${ANTHROPIC}: timed out after 150 ms` });
    });

    it('covers a body that stalls after the headers', async () => {
      const { fetcher } = fakeFetch((_, signal) => {
        // Like fetch, abort errors the body of a response already received.
        const body = new ReadableStream({ start: (controller) => signal?.addEventListener('abort', () => controller.error(signal.reason)) });
        return new Response(body, { headers: { 'Content-Type': 'application/json' } });
      });
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai', timeoutMs: 50 }), fetcher);
      expect(result).toMatchObject({ ok: false, error: `[openai] GET ${OPENAI}: timed out after 50 ms` });
    });
  });

  describe(`the ${MAX_UPSTREAM_BYTES}-byte cap`, () => {
    const capError = `response exceeds the ${MAX_UPSTREAM_BYTES}-byte cap for one provider`;

    it('stops reading an endless body once past the cap', async () => {
      let served = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          served += CHUNK.byteLength;
          controller.enqueue(CHUNK);
        },
      });
      const { fetcher } = fakeFetch(() => new Response(endless));
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai' }), fetcher);
      expect(result).toMatchObject({ ok: false, error: `[openai] GET ${OPENAI}: ${capError}` });
      expect(served).toBeLessThanOrEqual(MAX_UPSTREAM_BYTES + 2 * CHUNK.byteLength);
    });

    it('refuses a body whose Content-Length is over the cap without reading it', async () => {
      const small = JSON.stringify(openaiList);
      const { fetcher } = fakeFetch(() => new Response(small, { headers: { 'Content-Length': String(MAX_UPSTREAM_BYTES + 1) } }));
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai' }), fetcher);
      expect(result).toMatchObject({ ok: false, error: `[openai] GET ${OPENAI}: ${capError}` });
    });

    it('counts every page of one provider against the same cap', async () => {
      // Two pages of 60% of the cap each: either alone would pass.
      const padding = ' '.repeat(Math.ceil(MAX_UPSTREAM_BYTES * 0.6));
      const page = (next: string | undefined) => `{"models":[],${next ? `"nextPageToken":"${next}",` : ''}"pad":"${padding}"}`;
      let calls = 0;
      const { fetcher, requests } = fakeFetch(() => new Response(++calls === 1 ? page('p2') : page(undefined)));
      const result = await fetchProvider(configure({ id: 'gemini', type: 'gemini' }), fetcher);
      expect(requests).toHaveLength(2);
      expect(result).toMatchObject({ ok: false, error: `[gemini] GET ${GEMINI}: ${capError}` });
    });
  });

  describe('the key', () => {
    const answers: [string, () => Response | Promise<Response>][] = [
      ['a 401 whose body echoes it', () => Response.json({ error: { message: `Incorrect API key provided: ${KEY}` } }, { status: 401, statusText: 'Unauthorized' })],
      ['an HTML page that echoes it', () => new Response(`<html>${KEY}</html>`, { headers: { 'Content-Type': 'text/html' } })],
      ['truncated JSON that echoes it', () => new Response(`{"error":"${KEY}`)],
      ['a wrong shape that echoes it', () => Response.json({ data: KEY })],
    ];

    it.each(answers)('never appears in the error for %s', async (_, answer) => {
      const { fetcher, requests } = fakeFetch(answer);
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai', apiKeySecret: 'SECRET' }), fetcher);
      // The key was sent, so the fake could have echoed it; the result must not carry it on.
      expect(requests[0]?.headers.get('Authorization')).toBe(`Bearer ${KEY}`);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain(KEY);
    });

    it('never appears in the reason an entry without id that echoes it was skipped', async () => {
      const { fetcher } = fakeFetch(() => Response.json({ data: [{ object: 'model', owned_by: KEY }, { id: 'gpt-4o' }] }));
      const result = await fetchProvider(configure({ id: 'openai', type: 'openai', apiKeySecret: 'SECRET' }), fetcher);
      expect(result).toMatchObject({ ok: true, skipped: 1, skippedExample: 'an entry without a string "id"' });
      expect(JSON.stringify(result)).not.toContain(KEY);
    });
  });
});
