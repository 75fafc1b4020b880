/**
 * @module `npm run token -- [--role admin] [--ttl 15m] [--sub NAME]`: prints an admin JWT and nothing
 * else on stdout, so `curl -H "Authorization: Bearer $(npm run -s token)" ...` works. The secret (and
 * `ADMIN_JWT_ISSUER`, `ADMIN_JWT_AUDIENCE`, `ADMIN_JWT_MAX_AGE`) come from the environment, else
 * `.dev.vars`, else the demo's secret in its state directory. `ADMIN_JWT_SECRET_PREVIOUS` never signs.
 */
import { parseArgs } from 'node:util';
import { parseMaxAge } from '../src/auth/admin-rules.ts';
import { signAdminToken, TokenError, DEFAULT_TTL } from './lib/admin-token.ts';
import { adminJwtSettings, type AdminJwtSettings } from './lib/local-config.ts';

const USAGE = 'usage: npm run -s token -- [--role admin] [--ttl 15m] [--sub NAME]';

try {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'admin' },
      ttl: { type: 'string', default: DEFAULT_TTL },
      sub: { type: 'string', default: process.env.USER || 'admin' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const settings = adminJwtSettings();
  const maxAge = parseMaxAge(settings.maxAge);
  if (!maxAge.ok) throw new TokenError(`ADMIN_JWT_MAX_AGE ${maxAge.problem}`);
  const token = await signAdminToken({
    secret: settings.secret ?? noSecret(settings.source),
    issuer: settings.issuer,
    audience: settings.audience,
    maxAgeSeconds: maxAge.seconds,
    role: values.role,
    sub: values.sub,
    ttl: values.ttl,
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  const usageMistake = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
  if (!(error instanceof TokenError) && !usageMistake) throw error;
  console.error(`token: ${error.message}${usageMistake ? `\n${USAGE}` : ''}`);
  process.exit(1);
}

function noSecret(source: AdminJwtSettings['source']): never {
  if (typeof source === 'object') {
    throw new TokenError(`no demo admin secret in ${source.demo} yet: start the demo once with npm start (it makes one there), or set ADMIN_JWT_SECRET`);
  }
  throw new TokenError('ADMIN_JWT_SECRET is not set: put it in .dev.vars or the environment (make one with: openssl rand -base64 48)');
}
