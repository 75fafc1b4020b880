/**
 * @module `npm run check-config`: checks `wrangler.toml` and `.dev.vars` (or the environment) exactly
 * as the worker would — the same checks from src/ — and prints every problem with its fix, in one run.
 * Exits 1 on any problem, so `npm run check-config && wrangler deploy` never ships a broken config.
 *
 *   npm run check-config                        wrangler.toml + .dev.vars (+ the worker's vars set in the shell)
 *   npm run check-config -- --env staging       the [env.staging] section
 *   npm run check-config -- --assume-secrets    secrets set with `wrangler secret put` (not here): assumed present
 *   npm run check-config -- --config path/wrangler.toml --dev-vars path/.dev.vars
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { unstable_readConfig } from 'wrangler';
import { parseSettings } from '../src/auth/admin-settings.ts';
import { checkConfig, ConfigError } from '../src/config.ts';
import type { Env } from '../src/env.ts';
import { keySecrets } from '../src/keys/secret.ts';

/** The worker's own settings a shell may carry (provider keys come by the names PROVIDERS gives). */
const WORKER_VARS = [
  'PROVIDERS', 'CACHE_TTL_SECONDS', 'STALE_TTL_SECONDS', 'VIEWS', 'ALIASES', 'REQUIRE_CLIENT_KEY', 'CORS_ORIGINS', 'MAX_REQUEST_BYTES',
  'ADMIN_JWT_SECRET', 'ADMIN_JWT_SECRET_PREVIOUS', 'ADMIN_JWT_MAX_AGE', 'ADMIN_JWT_ISSUER', 'ADMIN_JWT_AUDIENCE', 'ADMIN_JWKS_URL',
  'CLIENT_KEY_SECRET', 'CLIENT_KEY_SECRET_PREVIOUS',
];
/** Stands in for a secret that `--assume-secrets` says is set in Cloudflare: long and not published. */
const ASSUMED_SECRET = `assumed-set-with-wrangler-secret-put-${'x'.repeat(24)}`;

const { values: options } = parseArgs({
  options: {
    config: { type: 'string', default: 'wrangler.toml' },
    'dev-vars': { type: 'string' },
    env: { type: 'string' },
    'assume-secrets': { type: 'boolean', default: false },
  },
});

const problems: string[] = [];
const notes: string[] = [];
const problem = (field: string, message: string) => problems.push(`✗ ${field}: ${message}`);

const configPath = resolve(options.config);
if (!existsSync(configPath)) {
  console.error(`✗ ${options.config}: not found (run from the repository root, or pass --config)`);
  process.exit(1);
}
const wrangler = unstable_readConfig({ config: configPath, env: options.env });
const devVarsPath = resolve(options['dev-vars'] ?? join(dirname(configPath), options.env ? `.dev.vars.${options.env}` : '.dev.vars'));
const devVars = existsSync(devVarsPath) ? parseEnv(readFileSync(devVarsPath, 'utf8')) : {};
const fromShell = Object.fromEntries(WORKER_VARS.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
const env: Record<string, unknown> = { ...wrangler.vars, ...devVars, ...fromShell };
// Provider keys named by PROVIDERS, from the shell too.
for (const name of secretNames(env.PROVIDERS)) if (env[name] === undefined && process.env[name] !== undefined) env[name] = process.env[name];
if (options['assume-secrets']) {
  for (const name of [...secretNames(env.PROVIDERS), 'ADMIN_JWT_SECRET', 'CLIENT_KEY_SECRET']) env[name] ??= ASSUMED_SECRET;
}

if (!wrangler.kv_namespaces.some((namespace: { binding: string }) => namespace.binding === 'MODELS_KV')) {
  problem('MODELS_KV', 'no KV namespace bound; add [[kv_namespaces]] with binding = "MODELS_KV" to wrangler.toml');
}
if ((wrangler.triggers.crons ?? []).length === 0) {
  problem('[triggers] crons', 'no cron: the list is only refreshed when a read finds it stale; add crons = ["*/15 * * * *"]');
}

const checked = checkConfig(env as Env);
if (checked.ok) {
  const { config } = checked;
  notes.push(`✓ PROVIDERS: ${config.providers.map((p) => p.id).join(', ')}; VIEWS: ${[...config.views.keys()].join(', ') || 'none'}`);
  notes.push(`✓ list: fresh ${config.cacheTtlSeconds} s, then stale ${config.staleTtlSeconds} s; ${config.requireClientKey ? 'needs a client key' : 'public (REQUIRE_CLIENT_KEY is false)'}`);
} else {
  for (const error of checked.problems) problem(error.field, error.message.slice(error.field.length + 2));
}

try {
  const admin = parseSettings(env as Env);
  if (admin.secrets.length === 0 && admin.jwksUrl === undefined) {
    problem('ADMIN_JWT_SECRET', 'not set, and no ADMIN_JWKS_URL: every admin route answers 503; openssl rand -base64 48, then wrangler secret put ADMIN_JWT_SECRET');
  } else {
    notes.push(`✓ admin: ${[admin.secrets.length > 0 ? 'HS256 tokens' : '', admin.jwksUrl ? `JWKS ${admin.jwksUrl.origin}` : ''].filter(Boolean).join(' and ')}, at most ${admin.maxAgeSeconds} s each`);
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  problem(error.field, error.message.slice(error.field.length + 2));
}

try {
  const secrets = await keySecrets(env as Env);
  notes.push(secrets.length === 0 ? '· CLIENT_KEY_SECRET not set: client keys, and so inference, are off until it is' : '✓ client keys: signed with CLIENT_KEY_SECRET');
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  problem(error.field, error.message.slice(error.field.length + 2));
}

console.log(`${options.config}${options.env ? ` [env.${options.env}]` : ''} + ${existsSync(devVarsPath) ? devVarsPath.replace(`${process.cwd()}/`, '') : 'no .dev.vars'}${options['assume-secrets'] ? ' (secrets assumed set)' : ''}`);
for (const line of [...notes, ...problems]) console.log(line);
if (problems.length > 0) {
  console.log(`\n${problems.length} problem${problems.length === 1 ? '' : 's'}: fix ${problems.length === 1 ? 'it' : 'them'}, then run npm run check-config again.`);
  process.exit(1);
}
console.log('\nNo problems found.');

/** The secret names `PROVIDERS` refers to, read leniently (a broken PROVIDERS is reported by checkConfig). */
function secretNames(raw: unknown): string[] {
  let value = raw;
  try {
    if (typeof raw === 'string') value = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    const name = typeof entry === 'object' && entry !== null ? (entry as { apiKeySecret?: unknown }).apiKeySecret : undefined;
    return typeof name === 'string' && name !== '' ? [name] : [];
  });
}
