/**
 * @module `npm start`: the worker under `wrangler dev` on http://127.0.0.1:8787 with local KV.
 *
 * Without configuration (no `.dev.vars`, no `PROVIDERS` in the environment) it runs the offline demo:
 * fake OpenAI, Anthropic, Gemini and Ollama upstreams on loopback (lists and inference), the worker
 * pointed at them with one sample view, and a random admin secret and client key secret made on the
 * first start and kept in the state directory (scripts/lib/demo-secret.ts), where `npm run token`
 * finds the admin one. With a
 * `.dev.vars` it runs `wrangler dev` against that real configuration; with `PROVIDERS` in the
 * environment it hands the worker its own settings from there (and the keys PROVIDERS names).
 *
 * Environment:
 *   PORT              the worker's port (default 8787, or any free port if 8787 is taken)
 *   UPSTREAM_PORT     the demo upstreams' port (default 8790, same fallback)
 *   MODELS_EDGE_DEMO=1  the demo even when a `.dev.vars` exists (the tests use it)
 *   MODELS_EDGE_STATE_DIR  where local KV and the demo's secrets live (default .wrangler/state, the demo .wrangler/demo-state)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CLIENT_KEY_SECRET_FILE, demoSecretPath, ensureDemoSecret } from './lib/demo-secret.ts';
import { DEV_VARS_PATH, ROOT, adminJwtSettings, isDemoMode, stateDir as stateDirFor } from './lib/local-config.ts';
import { providerEntries, startUpstreams, type RunningUpstreams } from '../fake-providers/upstreams.ts';

const DEFAULT_PORT = 8787;
const DEFAULT_UPSTREAM_PORT = 8790;
/** wrangler's first build and workerd's start take a few seconds; a cold machine more. */
const READY_TIMEOUT_MS = 120_000;
/** After this, a wrangler that ignored SIGTERM is killed so the ports are freed. */
const STOP_GRACE_MS = 5000;
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');
/** The worker's settings (docs/configuration.md, "Configuration") a shell may carry; provider keys come by the names PROVIDERS gives. */
const WORKER_VARS = [
  'PROVIDERS',
  'CACHE_TTL_SECONDS',
  'STALE_TTL_SECONDS',
  'ADMIN_JWT_SECRET',
  'ADMIN_JWT_SECRET_PREVIOUS',
  'ADMIN_JWT_MAX_AGE',
  'ADMIN_JWT_ISSUER',
  'ADMIN_JWT_AUDIENCE',
  'ADMIN_JWKS_URL',
  'VIEWS',
  'ALIASES',
  'REQUIRE_CLIENT_KEY',
  'CLIENT_KEY_SECRET',
  'CLIENT_KEY_SECRET_PREVIOUS',
  'CORS_ORIGINS',
  'MAX_REQUEST_BYTES',
];
/** The demo's one sample view: a key made with `"view": "openai-only"` sees and calls the OpenAI fake only. */
const DEMO_VIEWS = { 'openai-only': { providers: ['openai'] } };
/**
 * The demo's aliases: Claude Code's model picker lists only ids with `claude` or `anthropic` in them,
 * so these put the OpenAI and Gemini fakes' current models in it (docs/clients.md, "Claude Code on any of your models").
 */
const DEMO_ALIASES = { 'claude-gpt-5': 'gpt-5', 'claude-gemini-3-pro': 'gemini-3-pro-preview' };

const demo = isDemoMode();
const port = await choosePort('PORT', DEFAULT_PORT);
const url = `http://127.0.0.1:${port}`;
const stateDir = stateDirFor();

let upstreams: RunningUpstreams | undefined;
let varsDir: string | undefined;
const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', stateDir];
// wrangler's `#!/usr/bin/env node` must find the project's Node 22, not an older system one.
const env: Record<string, string | undefined> = { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}` };

if (demo) {
  upstreams = await startUpstreams({}, await choosePort('UPSTREAM_PORT', DEFAULT_UPSTREAM_PORT));
  // A secret from the shell wins, as it does for `npm run token`; else this state directory's own.
  if (!process.env.ADMIN_JWT_SECRET) ensureDemoSecret(stateDir);
  const admin = adminJwtSettings();
  await handOver({
    PROVIDERS: JSON.stringify(providerEntries(upstreams.origin)),
    VIEWS: JSON.stringify(DEMO_VIEWS),
    ALIASES: JSON.stringify(DEMO_ALIASES),
    CLIENT_KEY_SECRET: process.env.CLIENT_KEY_SECRET || ensureDemoSecret(stateDir, DEMO_CLIENT_KEY_SECRET_FILE),
    ADMIN_JWT_SECRET: admin.secret,
    ADMIN_JWT_ISSUER: admin.issuer,
    ADMIN_JWT_AUDIENCE: admin.audience,
    ADMIN_JWT_MAX_AGE: admin.maxAge,
  });
  // The worker never reads `request.cf`; without this wrangler tries workers.cloudflare.com for it
  // at every start and prints a stack trace when offline.
  env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
} else if (!existsSync(DEV_VARS_PATH)) {
  // Configuration from the shell: only the worker's own names, not the whole environment.
  const names = [...WORKER_VARS, ...keySecretNames(process.env.PROVIDERS ?? '')];
  await handOver(Object.fromEntries(names.map((name) => [name, process.env[name]])));
}

const wrangler = spawn(WRANGLER, args, { cwd: ROOT, env, stdio: 'inherit' });
let stopping = false;

wrangler.on('exit', (code, signal) => {
  void cleanUp().then(() => process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0))));
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    wrangler.kill(signal);
    setTimeout(() => wrangler.kill('SIGKILL'), STOP_GRACE_MS).unref();
  });
}

if (await ready()) console.log(nextSteps());

/**
 * Gives the worker `vars` in an env file (`--env-file`), never on the command line, so no secret
 * shows in a process list; wrangler then also ignores any `.dev.vars`.
 */
async function handOver(vars: Record<string, string | undefined>): Promise<void> {
  varsDir = await mkdtemp(join(tmpdir(), 'models-edge-start-'));
  const file = join(varsDir, 'worker.env');
  const lines = Object.entries(vars).flatMap(([name, value]) => (value === undefined ? [] : [envFileLine(name, value)]));
  await writeFile(file, lines.join(''), { mode: 0o600 });
  args.push('--env-file', file);
}

/** The `apiKeySecret` names in PROVIDERS; none if it does not parse (the worker reports that itself). */
function keySecretNames(providers: string): string[] {
  try {
    const entries: unknown = JSON.parse(providers);
    if (!Array.isArray(entries)) return [];
    return entries.flatMap((entry: unknown) => {
      const name = typeof entry === 'object' && entry !== null && 'apiKeySecret' in entry ? entry.apiKeySecret : undefined;
      return typeof name === 'string' ? [name] : [];
    });
  } catch {
    return [];
  }
}

async function cleanUp(): Promise<void> {
  await upstreams?.close();
  if (varsDir !== undefined) await rm(varsDir, { recursive: true, force: true });
}

/**
 * A line wrangler's `--env-file` reads back as exactly `value`: quoted with a quote it does not
 * contain (JSON needs its double quotes), and `$` escaped, since wrangler expands `$NAME` there.
 */
function envFileLine(name: string, value: string): string {
  const quote = ["'", '`'].find((q) => !value.includes(q));
  if (quote === undefined || /[\r\n]/.test(value)) {
    fail(`${name} cannot be handed to wrangler in an env file: it holds both ' and \` or a line break`);
  }
  return `${name}=${quote}${value.replaceAll('$', '\\$')}${quote}\n`;
}

/** The port named by `name`, or `fallback` when it is free, or any free one. */
async function choosePort(name: string, fallback: number): Promise<number> {
  const asked = process.env[name];
  if (asked) {
    const chosen = Number(asked);
    if (!Number.isInteger(chosen) || chosen <= 0 || chosen > 65535) fail(`${name}=${asked} is not a port number`);
    if ((await listenOn(chosen)) === undefined) fail(`${name}=${asked}: that port is already in use on 127.0.0.1`);
    return chosen;
  }
  return (await listenOn(fallback)) ?? (await listenOn(0)) ?? fallback;
}

/** A mistake in the developer's settings: one line, no stack trace. */
function fail(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

/** Binds `port` on loopback and lets it go again: the port number if that worked. */
function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => {
      const bound = (probe.address() as { port: number }).port;
      probe.close(() => resolve(bound));
    });
  });
}

/** Waits for the worker's /healthz; false if wrangler exits or is stopped first. */
async function ready(): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && wrangler.exitCode === null && !stopping) {
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}

function nextSteps(): string {
  const token = `${tokenSettings()}npm run -s token`;
  const lines = [
    '',
    demo
      ? `models-edge demo: offline, fake OpenAI/Anthropic/Gemini/Ollama upstreams on ${upstreams?.origin}.`
      : `models-edge: running with the configuration in ${existsSync(DEV_VARS_PATH) ? '.dev.vars' : 'the environment'}.`,
    ...(demo && !process.env.ADMIN_JWT_SECRET
      ? [`Admin secret: random, made for this state directory, in ${demoSecretPath(stateDir)} (npm run token reads it).`]
      : []),
    ...(demo && !process.env.CLIENT_KEY_SECRET
      ? [`Client key secret: random too, in ${demoSecretPath(stateDir, DEMO_CLIENT_KEY_SECRET_FILE)}; keys made here work until you delete it.`]
      : []),
    ...(port !== DEFAULT_PORT && !process.env.PORT ? [`Port ${DEFAULT_PORT} is in use, so this runs on ${port} (set PORT to choose).`] : []),
    '',
    `  Model list    curl ${url}/v1/models`,
    ...(demo ? [`  One provider  curl '${url}/v1/models?provider=anthropic'`] : []),
    `  Admin page    ${url}/admin   (paste the output of: ${token})`,
    `  Status        curl -H "Authorization: Bearer $(${token})" ${url}/admin/cache/status`,
    `  Purge         curl -X POST -H "Authorization: Bearer $(${token})" ${url}/admin/cache/purge`,
    `  Refresh       curl -X POST -H "Authorization: Bearer $(${token})" ${url}/admin/cache/refresh`,
    `  Run the cron  curl ${url}/cdn-cgi/handler/scheduled`,
    '',
    'Client keys and calls (the key is shown once, in the answer that creates it):',
    '',
    `  Create a key  curl -X POST -H "Authorization: Bearer $(${token})" -d '{"name":"my-app"}' ${url}/admin/keys`,
    ...(demo ? [`  With a view   curl -X POST -H "Authorization: Bearer $(${token})" -d '{"name":"my-openai-app","view":"openai-only"}' ${url}/admin/keys`] : []),
    `  List with it  curl -H "Authorization: Bearer sk-me-…" ${url}/v1/models`,
    `  Chat (curl)   curl ${url}/v1/chat/completions -H "Authorization: Bearer sk-me-…" -d '${chatBody(true)}'`,
    `  Chat (SDK)    OPENAI_BASE_URL=${url}/v1 OPENAI_API_KEY=sk-me-… node --input-type=module -e "${sdkChat()}"`,
    '',
    'Native dialects through the same base URL and key:',
    '',
    `  Anthropic     curl ${url}/v1/messages -H "x-api-key: sk-me-…" -H "anthropic-version: 2023-06-01" -d '${messagesBody()}'`,
    `  Gemini        curl '${url}/v1beta/models/${geminiModel()}:generateContent' -H "x-goog-api-key: sk-me-…" -d '${geminiBody()}'`,
    `  Responses     curl ${url}/v1/responses -H "Authorization: Bearer sk-me-…" -d '${JSON.stringify({ model: chatModel(), input: 'hi' })}'`,
    `  Claude Code   ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=sk-me-… ANTHROPIC_API_KEY= CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1 claude${demo ? '' : ` --model ${anthropicModel()}`}`,
    ...(demo ? [`  Aliases       ${Object.entries(DEMO_ALIASES).map(([alias, target]) => `${alias} → ${target}`).join(', ')} (in Claude Code's /model picker)`] : []),
    `  Gemini CLI    GOOGLE_GEMINI_BASE_URL=${url} GEMINI_API_KEY=sk-me-… gemini --model ${geminiModel()}`,
    '',
  ];
  return lines.join('\n');
}

/** The model a printed chat command names: the demo's own, else a placeholder for the developer's list. */
function chatModel(): string {
  return demo ? 'gpt-4o' : '<a model id from /v1/models>';
}

/** A Messages call's body: Anthropic requires `max_tokens`. */
function messagesBody(): string {
  return JSON.stringify({ model: anthropicModel(), max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] });
}

/** A generateContent call's body. */
function geminiBody(): string {
  return JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
}

function anthropicModel(): string {
  return demo ? 'claude-sonnet-4-5-20250929' : '<a model id from /v1/models>';
}

function geminiModel(): string {
  return demo ? 'gemini-2.5-flash' : '<a gemini model id>';
}

function chatBody(stream: boolean): string {
  return JSON.stringify({ model: chatModel(), messages: [{ role: 'user', content: 'hi' }], stream });
}

/**
 * A chat through the official `openai` package (a devDependency, so it runs from the repo), which
 * reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment; printed inside double quotes.
 */
function sdkChat(): string {
  return [
    "import OpenAI from 'openai';",
    `const stream = await new OpenAI().chat.completions.create({ model: '${chatModel()}', messages: [{ role: 'user', content: 'hi' }], stream: true });`,
    "for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');",
    "console.log();",
  ].join(' ');
}

/**
 * What `npm run token` needs to find the demo's secret: a forced demo beside a real `.dev.vars` must
 * say so, and a state directory of its own must be named.
 */
function tokenSettings(): string {
  if (!demo) return '';
  const forced = process.env.MODELS_EDGE_DEMO === '1' ? 'MODELS_EDGE_DEMO=1 ' : '';
  const dir = process.env.MODELS_EDGE_STATE_DIR ? `MODELS_EDGE_STATE_DIR=${shellQuote(process.env.MODELS_EDGE_STATE_DIR)} ` : '';
  return `${forced}${dir}`;
}

/** `value` as one shell word: bare when it is plain, else in single quotes. */
function shellQuote(value: string): string {
  return /^[\w./:@-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
