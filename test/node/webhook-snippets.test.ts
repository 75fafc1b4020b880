import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/webhooks/sign.ts';

/** The two webhook receivers of docs/api.md ("Webhooks"), run as written, against deliveries signed by the worker's own code. */
const SECRET = 'readme-snippet-test-secret-of-32-bytes-or-more';
const BODY = JSON.stringify([{ id: 'chg_1', type: 'added', model: 'gpt-5', provider: 'openai', at: '2026-12-02T03:00:00.000Z', version: 'v1' }]);

let dir: string;
let nodeVerified: (header: string, body: string, now?: number) => boolean;
let workerFetch: (request: Request, env: { HOOK_SECRET: string }) => Promise<Response>;

/** The fenced block after `marker` in docs/api.md. */
function block(readme: string, marker: string): string {
  const start = readme.indexOf('```js\n', readme.indexOf(marker)) + '```js\n'.length;
  return readme.slice(start, readme.indexOf('```', start));
}

beforeAll(async () => {
  const readme = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'models-edge-snippets-'));
  // The Node receiver without its last statement (the server on port 8080).
  const node = block(readme, 'refuse an old `t` (a replay). In Node:').replace(/\ncreateServer\([\s\S]*$/, '\n');
  process.env.HOOK_SECRET = SECRET;
  await writeFile(join(dir, 'node.mjs'), node);
  await writeFile(join(dir, 'worker.mjs'), block(readme, 'In a Worker ('));
  nodeVerified = ((await import(pathToFileURL(join(dir, 'node.mjs')).href)) as { verified: typeof nodeVerified }).verified;
  workerFetch = ((await import(pathToFileURL(join(dir, 'worker.mjs')).href)) as { default: { fetch: typeof workerFetch } }).default.fetch;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the webhook receivers in docs/api.md", () => {
  it('accept a delivery the worker signed, and refuse a changed body, another secret and an old signature', async () => {
    const now = Date.now();
    const header = await signatureHeader(SECRET, BODY, now / 1000);
    expect(nodeVerified(header, BODY, now)).toBe(true);
    expect(nodeVerified(header, BODY.replace('gpt-5', 'gpt-6'), now)).toBe(false);
    expect(nodeVerified(await signatureHeader(`${SECRET}!`, BODY, now / 1000), BODY, now)).toBe(false);
    expect(nodeVerified(await signatureHeader(SECRET, BODY, now / 1000 - 600), BODY, now)).toBe(false);

    const post = async (signature: string, body: string) =>
      (await workerFetch(new Request('https://hooks.example/models', { method: 'POST', headers: { 'X-Models-Edge-Signature': signature }, body }), { HOOK_SECRET: SECRET })).status;
    expect(await post(header, BODY)).toBe(204);
    expect(await post(header, `${BODY} `)).toBe(400);
    expect(await post(await signatureHeader(SECRET, BODY, now / 1000 - 600), BODY)).toBe(400);
    expect(await post('', BODY)).toBe(400);
  });
});
