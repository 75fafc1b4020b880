/**
 * @module `npm run token -- [--role admin] [--ttl 15m] [--sub NAME]`: prints an admin JWT and nothing
 * else on stdout, so `curl -H "Authorization: Bearer $(npm run -s token)" ...` works. The secret (and
 * `ADMIN_JWT_ISSUER` / `ADMIN_JWT_AUDIENCE`) come from the environment, else `.dev.vars`, else the
 * demo secret `npm start` uses without configuration.
 */
import { parseArgs } from 'node:util';
import { signAdminToken, TokenError, DEFAULT_TTL } from './lib/admin-token.ts';
import { adminJwtSettings } from './lib/local-config.ts';

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
  const token = await signAdminToken({ ...settings, role: values.role, sub: values.sub, ttl: values.ttl });
  process.stdout.write(`${token}\n`);
} catch (error) {
  const usageMistake = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
  if (!(error instanceof TokenError) && !usageMistake) throw error;
  console.error(`token: ${error.message}${usageMistake ? `\n${USAGE}` : ''}`);
  process.exit(1);
}
