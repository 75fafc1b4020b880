import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIST_KEY } from '../../src/cache/kv.ts';
import { fakeUpstreams, totalHits } from './support/upstreams.ts';
import { ADMIN_SECRET, call, coldCache, providersVar, runCron, workerEnv } from './support/worker.ts';

beforeEach(coldCache);
afterEach(() => {
  vi.restoreAllMocks();
});

const OPENAI_KEY = 'sk-test-CRON-2b7d90-do-not-leak';
/** Refused by the fake Gemini, whose error then reaches the log line. */
const GEMINI_KEY = 'AIza-test-CRON-revoked-do-not-leak';

async function setup() {
  const upstreams = await fakeUpstreams({ keys: { openai: OPENAI_KEY, gemini: 'the-key-gemini-wants' } });
  const env = workerEnv({
    ...providersVar([
      upstreams.entry('openai', { apiKeySecret: 'OPENAI_API_KEY' }),
      upstreams.entry('anthropic'),
      upstreams.entry('gemini', { apiKeySecret: 'GEMINI_API_KEY' }),
    ]),
    OPENAI_API_KEY: OPENAI_KEY,
    GEMINI_API_KEY: GEMINI_KEY,
  });
  return { upstreams, env };
}

describe('scheduled handler', () => {
  it('fills KV, so the first client read is a HIT', async () => {
    const { env } = await setup();
    await runCron(env);
    const { value } = await env.MODELS_KV.getWithMetadata(LIST_KEY, 'text');
    const ids = (JSON.parse(value ?? '{"data":[]}') as { data: { provider: string }[] }).data.map((m) => m.provider);
    expect(new Set(ids)).toEqual(new Set(['openai', 'anthropic']));

    const read = await call(env, '/v1/models');
    expect(read.headers.get('X-Cache')).toBe('HIT');
    expect(await read.text()).toBe(value);
  });

  it('is safe to run twice in a row: the same list, no error', async () => {
    const { env } = await setup();
    await runCron(env);
    const first = await env.MODELS_KV.get(LIST_KEY);
    await runCron(env);
    expect(await env.MODELS_KV.get(LIST_KEY)).toBe(first);
  });

  it('joins a run already under way instead of fanning out again', async () => {
    const { env, upstreams } = await setup();
    await runCron(env);
    const oneRun = totalHits(await upstreams.hits());
    await Promise.all([runCron(env), runCron(env)]);
    expect(totalHits(await upstreams.hits())).toBe(2 * oneRun);
  });

  it('logs exactly one structured line per run: providers, counts, latency and errors, no secret', async () => {
    const { env } = await setup();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await runCron(env);

    expect(log).toHaveBeenCalledTimes(1);
    const text = String(log.mock.calls[0]?.[0]);
    for (const secret of [OPENAI_KEY, GEMINI_KEY, ADMIN_SECRET]) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({
      event: 'refresh',
      modelCount: 10,
      durationMs: expect.any(Number),
      providers: [
        { id: 'openai', ok: true, modelCount: 5, latencyMs: expect.any(Number), error: null },
        { id: 'anthropic', ok: true, modelCount: 5, latencyMs: expect.any(Number), error: null },
        { id: 'gemini', ok: false, modelCount: 0, latencyMs: expect.any(Number), error: expect.stringContaining('[gemini] GET') },
      ],
    });
  });
});
