/**
 * @module `npm run try:agents`: the real Claude Code and Gemini CLI, headless and offline, through the
 * worker on models of every owner. Starts the loopback fakes and the worker under `wrangler dev`
 * (the demo's providers and aliases), makes a client key through the admin API, writes a note with a
 * random word in a scratch folder, and asks each agent on each model to read it. The fakes call the
 * agent's own read tool on that file (upstream-tools.ts, tool picks), so a run is ok only when the
 * agent exits 0, the model's owner received the tool result holding the random word (the agent ran
 * the tool and its result came back through the translation), and the agent printed the answer the
 * fake gives after a tool result. Prints agent × model → ok/failed with the answer's first line;
 * exits 1 when a run failed.
 *
 * Environment: MODELS_EDGE_AGENTS_DIR (where the agents are installed when missing, default
 * ~/.cache/models-edge-agents), CLAUDE_CODE_BIN and GEMINI_CLI_JS (an agent already on disk).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAdminToken } from './lib/admin-token.ts';
import { agents, type Agent } from './lib/agents.ts';
import { startDevWorker, type DevWorker } from './lib/dev-worker.ts';
import { providerEntries, startUpstreams, type Kind, type RunningUpstreams } from '../fake-providers/upstreams.ts';

/** Each agent on a model of every owner: its own provider's natively, the others translated. */
const MODELS: Record<string, string[]> = {
  'Claude Code': ['claude-gpt-5', 'llama3.2:latest', 'gemini-2.5-flash', 'claude-sonnet-4-5-20250929'],
  'Gemini CLI': ['claude-sonnet-4-5-20250929', 'gpt-5', 'llama3.2:latest', 'gemini-2.5-flash'],
};
/** The demo's aliases (scripts/start.ts): Claude Code's picker shows only ids with `claude` in them. */
const ALIASES = { 'claude-gpt-5': 'gpt-5' };
const NOTE = 'models-edge-note.txt';
const PROMPT = `Read the file ${NOTE} in this folder and tell me the secret word it holds.`;
/** What every fake answers once the last turn is a tool result (upstream-tools.ts, afterToolText). */
const AFTER_TOOL = 'The tool answered;';

interface Row {
  agent: string;
  model: string;
  owner: string;
  ok: boolean;
  seconds: string;
  detail: string;
}

const started = Date.now();
const scratch = await mkdtemp(join(tmpdir(), 'models-edge-agents-'));
const workspace = join(scratch, 'workspace');
const nonce = `word-${randomBytes(6).toString('hex')}`;
const file = join(workspace, NOTE);
let upstreams: RunningUpstreams | undefined;
let worker: DevWorker | undefined;
const rows: Row[] = [];

try {
  const list = agents();
  await mkdir(workspace);
  await writeFile(file, `The secret word is ${nonce}.\n`);
  upstreams = await startUpstreams({ toolPicks: list.map((agent) => agent.tool(file)) });
  const adminSecret = randomBytes(32).toString('hex');
  worker = await startDevWorker({
    vars: {
      PROVIDERS: JSON.stringify(providerEntries(upstreams.origin)),
      ALIASES: JSON.stringify(ALIASES),
      ADMIN_JWT_SECRET: adminSecret,
      CLIENT_KEY_SECRET: randomBytes(32).toString('hex'),
    },
  });
  const clientKey = await makeClientKey(worker.url, adminSecret);
  const owners = await ownersOf(worker.url, clientKey);
  for (const agent of list) {
    for (const model of MODELS[agent.name] ?? []) {
      rows.push(await tryOne(agent, model, owners.get(model) ?? '?', { baseUrl: worker.url, clientKey, upstreams }));
    }
  }
} finally {
  await worker?.stop();
  await upstreams?.close();
  await rm(scratch, { recursive: true, force: true });
}

printTable(rows);
console.log(`\n${rows.filter((row) => row.ok).length}/${rows.length} ok in ${((Date.now() - started) / 1000).toFixed(1)} s (worker start included).`);
process.exit(rows.length > 0 && rows.every((row) => row.ok) ? 0 : 1);

/** One agent on one model, judged by the agent's exit code and answer and by what the owner received. */
async function tryOne(agent: Agent, model: string, owner: string, world: { baseUrl: string; clientKey: string; upstreams: RunningUpstreams }): Promise<Row> {
  const home = await mkdtemp(join(scratch, 'home-'));
  const mark = world.upstreams.state.received.length;
  const run = await agent.run(model, PROMPT, { baseUrl: world.baseUrl, clientKey: world.clientKey, workspace, home });
  const calls = world.upstreams.state.received.slice(mark);
  const answer = run.stdout.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
  const toolResultArrived = calls.some((call) => call.path.startsWith(`/${owner}/`) && call.body.includes(nonce));
  const problem =
    run.code !== 0 ? `exit ${run.code ?? 'timeout'}: ${lastLine(run.stdout) || lastLine(run.stderr)}`
    : !toolResultArrived ? `no tool result reached the ${owner} fake (${calls.length} calls): ${answer}`
    : !answer.startsWith(AFTER_TOOL) ? `answer is not the after-tool text: ${answer}`
    : undefined;
  return { agent: `${agent.name} ${agent.version}`, model, owner, ok: problem === undefined, seconds: (run.ms / 1000).toFixed(1), detail: problem ?? answer };
}

async function makeClientKey(url: string, adminSecret: string): Promise<string> {
  const response = await fetch(`${url}/admin/keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await signAdminToken({ secret: adminSecret })}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'try-agents' }),
  });
  const body: unknown = await response.json();
  const key = typeof body === 'object' && body !== null && 'key' in body ? body.key : undefined;
  if (response.status !== 201 || typeof key !== 'string') throw new Error(`POST /admin/keys answered ${response.status}`);
  return key;
}

/** Model id → owning provider, from the merged list the client key sees. */
async function ownersOf(url: string, clientKey: string): Promise<Map<string, Kind | string>> {
  const body: unknown = await (await fetch(`${url}/v1/models`, { headers: { Authorization: `Bearer ${clientKey}` } })).json();
  const data = typeof body === 'object' && body !== null && 'data' in body && Array.isArray(body.data) ? body.data : [];
  const owners = new Map<string, string>();
  for (const entry of data) {
    if (typeof entry?.id === 'string' && typeof entry.owned_by === 'string') owners.set(entry.id, entry.owned_by);
  }
  return owners;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 200) ?? '';
}

function printTable(table: Row[]): void {
  const header = ['agent', 'model (owner)', 'result', 's', 'answer, first line'];
  const lines = table.map((row) => [row.agent, `${row.model} (${row.owner})`, row.ok ? 'ok' : 'FAILED', row.seconds, row.detail]);
  const widths = header.slice(0, -1).map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (line: string[]) => line.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ');
  console.log(['', format(header), ...lines.map(format)].join('\n'));
}
