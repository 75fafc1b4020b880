/**
 * @module The README's one-minute tour, run as written against `npm start`'s demo: each shell block is
 * pasted into a shell (with the demo's own port, and the key the tour's answer gave where it says to
 * paste it), and what its comments say the commands print is what they print.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/dev-worker.ts';
import { ROOT } from '../../scripts/lib/local-config.ts';

const NODE = join(ROOT, 'node_modules/.bin/node');
const READY_TIMEOUT_MS = 100_000;
/** Where the README's commands point; the demo here runs on a port of its own. */
const README_URL = 'http://127.0.0.1:8787';
const KEY_PLACEHOLDER = 'sk-me-…';
/** Settings a developer's shell might carry that would turn the demo into something else. */
const CONFIG_NAMES = [
  'PROVIDERS', 'ADMIN_JWT_SECRET', 'ADMIN_JWT_SECRET_PREVIOUS', 'ADMIN_JWT_MAX_AGE', 'ADMIN_JWT_ISSUER', 'ADMIN_JWT_AUDIENCE', 'ADMIN_JWKS_URL',
  'VIEWS', 'ALIASES', 'REQUIRE_CLIENT_KEY', 'CLIENT_KEY_SECRET', 'CLIENT_KEY_SECRET_PREVIOUS',
];

/** The tour's shell blocks, in order. */
async function tourBlocks(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## A one-minute tour'), readme.indexOf('\n## ', readme.indexOf('## A one-minute tour') + 1));
  return [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** What a block's comment says after `marker` (`# …`, on its own line or after a command): what the command prints. */
function comment(block: string, marker: string): string {
  const line = block.split('\n').find((l) => l.includes(marker) && l.slice(0, l.indexOf(marker) + 1).includes('#'));
  if (line === undefined) throw new Error(`no comment with ${marker} in:\n${block}`);
  return line.slice(line.indexOf(marker) + marker.length).trim();
}

describe("the README's one-minute tour, against npm start's demo", () => {
  let child: ChildProcess;
  let output = '';
  let url: string;
  let stateDir: string;
  let blocks: string[];

  /** Runs shell text as a reader pastes it, in the repo, with the demo's URL; its stdout. */
  async function paste(text: string, extraEnv: Record<string, string> = {}): Promise<string> {
    const env: Record<string, string | undefined> = { ...process.env, MODELS_EDGE_DEMO: '1', MODELS_EDGE_STATE_DIR: stateDir, ...extraEnv };
    for (const name of CONFIG_NAMES) delete env[name];
    const { stdout } = await promisify(execFile)('sh', ['-c', text.replaceAll(README_URL, url)], { cwd: ROOT, env, timeout: 60_000 });
    return stdout;
  }

  beforeAll(async () => {
    blocks = await tourBlocks();
    const [port, upstreamPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    stateDir = await mkdtemp(join(tmpdir(), 'models-edge-tour-'));
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), UPSTREAM_PORT: String(upstreamPort), MODELS_EDGE_DEMO: '1', MODELS_EDGE_STATE_DIR: stateDir };
    for (const name of CONFIG_NAMES) delete env[name];
    child = spawn(NODE, [join(ROOT, 'scripts/start.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!output.includes('Run the cron')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('has the blocks it runs: the list, a key and a chat call, the OpenAI SDK, Claude Code', () => {
    expect(blocks).toHaveLength(4);
    expect(output).toContain(`curl ${url}/v1/models`);
  });

  it('lists the models its comment names', async () => {
    const named = comment(blocks[0] ?? '', 'the merged list:').replace(/, …$/, '').split(', ');
    const list = JSON.parse(await paste(blocks[0] ?? '')) as { data: { id: string }[] };
    expect(named.length).toBeGreaterThan(2);
    expect(list.data.map((model) => model.id)).toEqual(expect.arrayContaining(named));
  });

  it('makes a key, then chats with it and with the OpenAI SDK as its comments say', async () => {
    const block = blocks[1] ?? '';
    const [create = '', rest = ''] = block.split(/^(?=KEY=)/m);
    const answer = JSON.parse(await paste(create)) as Record<string, unknown>;
    expect(Object.keys(answer)).toEqual(Object.keys(JSON.parse(comment(create, '# ')) as object));
    const key = String(answer.key);
    expect(key).toMatch(/^sk-me-/);
    expect(rest).toContain(`KEY=${KEY_PLACEHOLDER}`);
    const chat = await paste(rest.replaceAll(KEY_PLACEHOLDER, key));
    const promised = comment(rest, '"content":').replace(/ …$/, '');
    expect(chat).toContain(`"content":${promised}`);

    const sdk = blocks[2] ?? '';
    expect(await paste(sdk, { KEY: key })).toBe(`${comment(sdk, '# ')}\n`);
  });

  it("points Claude Code at the base URL without /v1, and the models it names are in Claude Code's picker", async () => {
    const block = blocks[3] ?? '';
    expect(block).toContain(`ANTHROPIC_BASE_URL=${README_URL} `);
    const key = (JSON.parse(await paste(`curl -s -X POST -H "Authorization: Bearer $(npm run -s token)" -d '{"name":"claude-code"}' ${README_URL}/admin/keys`)) as { key: string }).key;
    // What Claude Code reads with gateway discovery on: the Anthropic-shaped list, ids with claude or anthropic in them.
    const res = await fetch(`${url}/v1/models?limit=1000`, { headers: { 'anthropic-version': '2023-06-01', 'x-api-key': key } });
    const picker = ((await res.json()) as { data: { id: string }[] }).data.map((model) => model.id).filter((id) => /(claude|anthropic)/i.test(id));
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const prose = readme.slice(readme.indexOf('Claude Code (no `/v1`'), readme.indexOf('```sh', readme.indexOf('Claude Code (no `/v1`')));
    const named = [...prose.matchAll(/`(claude-[^`]+)`/g)].map((match) => match[1]);
    expect(named).toEqual(['claude-opus-5-5', 'claude-gpt-5', 'claude-gemini-3-pro']);
    expect(picker).toEqual(expect.arrayContaining(named));
  });
});
