import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_KEY_SECRET_FILE, demoSecretPath, ensureDemoSecret, readDemoSecret } from '../../scripts/lib/demo-secret.ts';
import { freePort } from '../../scripts/lib/dev-worker.ts';
import { ROOT } from '../../scripts/lib/local-config.ts';
import { KINDS } from '../../fake-providers/upstreams.ts';

const NODE = join(ROOT, 'node_modules/.bin/node');
/** Printed once the worker answers; wrangler's first build takes a while. */
const READY_TIMEOUT_MS = 100_000;
const EXIT_TIMEOUT_MS = 15_000;

/** Settings a developer's shell might carry that would turn the demo into something else. */
const CONFIG_NAMES = [
  'PROVIDERS', 'ADMIN_JWT_SECRET', 'ADMIN_JWT_SECRET_PREVIOUS', 'ADMIN_JWT_MAX_AGE', 'ADMIN_JWT_ISSUER', 'ADMIN_JWT_AUDIENCE', 'ADMIN_JWKS_URL',
  'VIEWS', 'ALIASES', 'REQUIRE_CLIENT_KEY', 'CLIENT_KEY_SECRET', 'CLIENT_KEY_SECRET_PREVIOUS',
];
/** The placeholder the printed commands hold where the created key goes. */
const KEY_PLACEHOLDER = 'sk-me-…';

/** `npm run token` as the printed next steps run it, for the demo whose state is in `stateDir`. */
/**
 * Runs one printed command line in a shell, from the repo, as a developer would paste it (with the
 * key they were given in place of the placeholder); its stdout.
 */
async function runPrinted(command: string, key = ''): Promise<string> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of CONFIG_NAMES) delete env[name];
  const { stdout } = await promisify(execFile)('sh', ['-c', command.replaceAll(KEY_PLACEHOLDER, key)], { cwd: ROOT, env, timeout: 60_000 });
  return stdout;
}

async function demoToken(stateDir: string): Promise<string> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MODELS_EDGE_DEMO: '1', MODELS_EDGE_STATE_DIR: stateDir };
  const { stdout } = await promisify(execFile)(NODE, [join(ROOT, 'scripts/token.ts')], { cwd: ROOT, env });
  return stdout.trim();
}

describe('npm start (zero-configuration demo)', () => {
  let child: ChildProcess;
  let output = '';
  let port: number;
  let upstreamPort: number;
  let stateDir: string;
  let url: string;

  beforeAll(async () => {
    [port, upstreamPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    stateDir = await mkdtemp(join(tmpdir(), 'models-edge-start-'));
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), UPSTREAM_PORT: String(upstreamPort), MODELS_EDGE_DEMO: '1', MODELS_EDGE_STATE_DIR: stateDir };
    for (const name of CONFIG_NAMES) delete env[name];
    // The real script, in the repo; MODELS_EDGE_DEMO=1 sets aside any .dev.vars of the developer.
    child = spawn(NODE, [join(ROOT, 'scripts/start.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    await waitFor(() => output.includes('Run the cron'), READY_TIMEOUT_MS, () => `npm start printed no next steps:\n${output}`);
  });

  afterAll(async () => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('serves /v1/models with the models of all four demo providers', async () => {
    const res = await fetch(`${url}/v1/models`);
    const body = (await res.json()) as { data: { provider: string }[] };
    expect(res.status).toBe(200);
    expect(new Set(body.data.map((m) => m.provider))).toEqual(new Set(KINDS));
  });

  it('prints what to try next, with its own URLs, where the admin secret is, and not the secret', () => {
    const secret = readDemoSecret(stateDir);
    expect(secret).toBeDefined();
    expect(output).toContain(`curl ${url}/v1/models`);
    expect(output).toContain(`${url}/admin `);
    const token = `MODELS_EDGE_DEMO=1 MODELS_EDGE_STATE_DIR=${stateDir} npm run -s token`;
    expect(output).toContain(`curl -X POST -H "Authorization: Bearer $(${token})" ${url}/admin/cache/purge`);
    expect(output).toContain(`curl ${url}/cdn-cgi/handler/scheduled`);
    expect(output).toContain(demoSecretPath(stateDir));
    expect(output).not.toContain(secret);
  });

  it('made its admin secret in the fresh state directory, readable by its owner only', async () => {
    expect((await stat(demoSecretPath(stateDir))).mode & 0o777).toBe(0o600);
  });

  it('made a client key secret there too, and prints where, never the secret', async () => {
    const path = demoSecretPath(stateDir, DEMO_CLIENT_KEY_SECRET_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const secret = readDemoSecret(stateDir, DEMO_CLIENT_KEY_SECRET_FILE);
    expect(secret?.length).toBeGreaterThanOrEqual(32);
    expect(secret).not.toBe(readDemoSecret(stateDir));
    expect(output).toContain(path);
    expect(output).not.toContain(secret);
  });

  it('prints a key and chat flow that works as printed: create a key, chat with curl and with the openai SDK', async () => {
    const created = JSON.parse(await runPrinted(printed(output, 'Create a key'))) as { key: string; view: string | null };
    expect(created).toMatchObject({ key: expect.stringMatching(/^sk-me-/), view: null });

    const listed = JSON.parse(await runPrinted(printed(output, 'List with it'), created.key)) as { data: { provider: string }[] };
    expect(new Set(listed.data.map((m) => m.provider))).toEqual(new Set(KINDS));

    const events = await runPrinted(printed(output, 'Chat (curl)'), created.key);
    const text = events
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => (JSON.parse(line.slice('data: '.length)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('Hello from the openai demo, as gpt-4o.');
    expect(events.trimEnd().endsWith('data: [DONE]')).toBe(true);

    expect((await runPrinted(printed(output, 'Chat (SDK)'), created.key)).trim()).toBe('Hello from the openai demo, as gpt-4o.');
  });

  it('prints one call per native dialect that works as printed: Anthropic Messages, Gemini, OpenAI Responses', async () => {
    // A name of its own: the printed one was taken by the chat flow's test.
    const { key } = JSON.parse(await runPrinted(printed(output, 'Create a key').replace('"my-app"', '"my-native-app"'))) as { key: string };
    const message = JSON.parse(await runPrinted(printed(output, 'Anthropic'), key)) as { type: string; content: { text: string }[] };
    expect(message.type).toBe('message');
    expect(message.content[0]?.text).toBe('Hello from the anthropic demo, as claude-sonnet-4-5-20250929.');
    const generated = JSON.parse(await runPrinted(printed(output, 'Gemini'), key)) as { candidates: { content: { parts: { text: string }[] } }[] };
    expect(generated.candidates[0]?.content.parts[0]?.text).toBe('Hello from the gemini demo, as gemini-2.5-flash.');
    const response = JSON.parse(await runPrinted(printed(output, 'Responses'), key)) as { object: string; output: { content?: { text: string }[] }[] };
    expect(response.object).toBe('response');
    expect(JSON.stringify(response.output)).toContain('Hello from the openai demo, as gpt-4o.');
    expect(printed(output, 'Claude Code')).toContain(`ANTHROPIC_BASE_URL=${url}`);
    // Claude Code without --model asks for its default Opus id, and its picker keeps claude-… ids: the
    // demo lists that id and aliases of the other fakes' models.
    const anthropicList = await fetch(`${url}/v1/models?limit=1000`, { headers: { Authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' } });
    const ids = ((await anthropicList.json()) as { data: { id: string; alias_of?: string }[] }).data.map((m) => [m.id, m.alias_of]);
    expect(ids).toEqual(expect.arrayContaining([['claude-opus-5-5', undefined], ['claude-gpt-5', 'gpt-5'], ['claude-gemini-3-pro', 'gemini-3-pro-preview']]));
    expect(printed(output, 'Gemini CLI')).toContain(`GOOGLE_GEMINI_BASE_URL=${url}`);
  });

  it("prints a key with the demo's sample view, which sees the OpenAI fake only", async () => {
    const created = JSON.parse(await runPrinted(printed(output, 'With a view'))) as { key: string; view: string | null };
    expect(created.view).toBe('openai-only');
    const listed = JSON.parse(await runPrinted(printed(output, 'List with it'), created.key)) as { data: { provider: string }[] };
    expect(listed.data.length).toBeGreaterThan(0);
    expect(new Set(listed.data.map((m) => m.provider))).toEqual(new Set(['openai']));
  });

  it('accepts the token npm run token mints from the state directory', async () => {
    const res = await fetch(`${url}/admin/cache/purge`, { method: 'POST', headers: { Authorization: `Bearer ${await demoToken(stateDir)}` } });
    expect(res.status).toBe(200);
  });

  it("refuses a token minted from another fresh state directory's demo secret", async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'models-edge-start-other-'));
    try {
      ensureDemoSecret(otherDir);
      const res = await fetch(`${url}/admin/cache/purge`, { method: 'POST', headers: { Authorization: `Bearer ${await demoToken(otherDir)}` } });
      expect(res.status).toBe(401);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('runs the cron at the printed trigger URL', async () => {
    const before = output.split('"trigger":"cron"').length;
    expect((await fetch(`${url}/cdn-cgi/handler/scheduled`)).status).toBe(200);
    await waitFor(() => output.split('"trigger":"cron"').length > before, 10_000, () => 'no cron refresh logged');
  });

  it('stops on SIGTERM: exits, and frees the worker and upstream ports', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(EXIT_TIMEOUT_MS).then(() => 'still running')]);
    expect(code).toBe(0);
    await waitFor(async () => (await canListen(port)) && (await canListen(upstreamPort)), 5000, () => 'ports still taken');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

/** The command printed after `label` in npm start's next steps. */
function printed(output: string, label: string): string {
  const line = output.split('\n').find((l) => l.startsWith(`  ${label}  `));
  if (line === undefined) throw new Error(`npm start printed no "${label}" line:\n${output}`);
  return line.slice(`  ${label}  `.length).trim();
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(describe());
    await sleep(100);
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
