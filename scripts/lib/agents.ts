/**
 * @module The real coding agents `npm run try:agents` drives: Claude Code and Gemini CLI, pinned,
 * installed on demand into a cache directory outside the repository (never a devDependency: Claude
 * Code's binary alone is ~400 MB), and run headless (`-p`) against a base URL and client key with a
 * scratch HOME and an environment of their own, so nothing of the developer's (real keys, settings,
 * sessions) takes part.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CLAUDE_CODE_VERSION = '2.1.337';
export const GEMINI_CLI_VERSION = '0.61.0';
/** Longest one agent run may take before it counts as failed. */
const RUN_TIMEOUT_MS = 90_000;

/** Claude Code's own binary for this machine: the package the `@anthropic-ai/claude-code` wrapper would pick. */
const CLAUDE_PACKAGE = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
const GEMINI_PACKAGE = '@google/gemini-cli';

export interface AgentRun {
  /** Exit code, or null when killed (timed out). */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** What one run gets: the worker's URL and a client key, the folder to work in, a scratch HOME. */
export interface RunContext {
  baseUrl: string;
  clientKey: string;
  workspace: string;
  home: string;
}

export interface Agent {
  name: string;
  version: string;
  /** The tool the agent is told it may use, as the fakes must call it (upstream-tools.ts): name and arguments. */
  tool(file: string): { name: string; arguments: Record<string, unknown> };
  run(model: string, prompt: string, context: RunContext): Promise<AgentRun>;
}

/** Where the agents are installed: MODELS_EDGE_AGENTS_DIR, else ~/.cache/models-edge-agents. */
export function agentsDir(): string {
  return process.env.MODELS_EDGE_AGENTS_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'models-edge-agents');
}

/**
 * The two agents, found at CLAUDE_CODE_BIN / GEMINI_CLI_JS when set, else in `dir`, installed there
 * (`npm install --prefix`) when missing.
 */
export function agents(dir = agentsDir()): Agent[] {
  const claude = process.env.CLAUDE_CODE_BIN || join(dir, 'node_modules', CLAUDE_PACKAGE, process.platform === 'win32' ? 'claude.exe' : 'claude');
  const gemini = process.env.GEMINI_CLI_JS || join(dir, 'node_modules', GEMINI_PACKAGE, 'bundle', 'gemini.js');
  const missing = [
    ...(existsSync(claude) ? [] : [`${CLAUDE_PACKAGE}@${CLAUDE_CODE_VERSION}`]),
    ...(existsSync(gemini) ? [] : [`${GEMINI_PACKAGE}@${GEMINI_CLI_VERSION}`]),
  ];
  if (missing.length > 0) install(dir, missing);
  return [claudeCode(claude), geminiCli(gemini)];
}

function install(dir: string, packages: string[]): void {
  console.log(`Installing ${packages.join(' and ')} into ${dir} (once; set MODELS_EDGE_AGENTS_DIR to choose)…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const done = spawnSync(npm, ['install', '--prefix', dir, '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', ...packages], { stdio: 'inherit' });
  if (done.status !== 0) throw new Error(`npm install --prefix ${dir} ${packages.join(' ')} failed`);
}

/** Claude Code: `claude -p` on `--model`, allowed only its Read tool, as ANTHROPIC_BASE_URL's gateway wants. */
function claudeCode(binary: string): Agent {
  return {
    name: 'Claude Code',
    version: CLAUDE_CODE_VERSION,
    tool: (file) => ({ name: 'Read', arguments: { file_path: file } }),
    run: (model, prompt, { baseUrl, clientKey, workspace, home }) =>
      runProcess(binary, ['-p', prompt, '--model', model, '--allowedTools', 'Read'], workspace, {
        HOME: home,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        ANTHROPIC_BASE_URL: baseUrl,
        ANTHROPIC_AUTH_TOKEN: clientKey,
      }),
  };
}

/**
 * Gemini CLI: `gemini -p` on `-m`, with a key (`gemini-api-key` auth chosen in its settings, as
 * without it the CLI asks interactively) and GOOGLE_GEMINI_BASE_URL pointing its SDK at the worker.
 */
function geminiCli(bundle: string): Agent {
  return {
    name: 'Gemini CLI',
    version: GEMINI_CLI_VERSION,
    tool: (file) => ({ name: 'read_file', arguments: { file_path: file } }),
    run: async (model, prompt, { baseUrl, clientKey, workspace, home }) => {
      await mkdir(join(home, '.gemini'), { recursive: true });
      const settings = { security: { auth: { selectedType: 'gemini-api-key' } }, privacy: { usageStatisticsEnabled: false } };
      await writeFile(join(home, '.gemini', 'settings.json'), JSON.stringify(settings));
      return runProcess(process.execPath, [bundle, '-p', prompt, '-m', model], workspace, {
        HOME: home,
        GEMINI_API_KEY: clientKey,
        GOOGLE_GEMINI_BASE_URL: baseUrl,
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
      });
    },
  };
}

/** Runs `command` in `cwd` with only PATH and `env`, killed after RUN_TIMEOUT_MS. */
function runProcess(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<AgentRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '', TERM: 'dumb', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${String(error)}`, ms: Date.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
