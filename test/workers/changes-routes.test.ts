import { describe, expect, it } from 'vitest';
import { call, providersVar, workerEnv } from './support/worker.ts';

describe('change feed routes', () => {
  it('are not taken by the model routes, and say the feed needs the coordinator while it is not bound', async () => {
    const env = workerEnv(providersVar([{ id: 'static', type: 'openai', models: ['changes', 'a'] }]));
    for (const path of ['/v1/models/changes', '/v1/models/changes.atom', '/models/changes', '/models/changes?since=chg_1&limit=5']) {
      const res = await call(env, path);
      expect(res.status, path).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('coordinator_unavailable');
    }
    // The model routes still answer as before.
    expect((await call(env, '/v1/models/a')).status).toBe(200);
    expect((await call(env, '/v1/models')).status).toBe(200);
  });

  it('check since and limit before anything else', async () => {
    const res = await call(workerEnv(), '/v1/models/changes?limit=0');
    expect(res.status).toBe(400);
  });
});
