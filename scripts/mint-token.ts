// Mints a development bearer token. Prints only the token on stdout, so that
//   TOKEN=$(npm run -s auth:mint-token -- --sub alice --roles admin,soc-analyst)
// works; everything else goes to stderr. Services verify it with AUTH_PUBLIC_KEY_FILE=tmp/dev-auth/public.pem.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { DEV_AUTH_AUDIENCE, DEV_AUTH_ISSUER, ensureDevKeyPair, isRole, mintDevToken, Role, ROLES } from '@agentgov/auth';

const USAGE = `usage: npm run -s auth:mint-token -- --sub <subject> --roles <role,...> [--ttl <seconds>]
       [--issuer ${DEV_AUTH_ISSUER}] [--audience ${DEV_AUTH_AUDIENCE}] [--dir tmp/dev-auth]
roles: ${ROLES.join(', ')}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      roles: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
      issuer: { type: 'string', default: DEV_AUTH_ISSUER },
      audience: { type: 'string', default: DEV_AUTH_AUDIENCE },
      dir: { type: 'string', default: resolve(__dirname, '..', 'tmp', 'dev-auth') },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  if (!values.sub) throw new UsageError('--sub is required');
  const roles = values.roles
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length > 0) throw new UsageError(`unknown role(s): ${unknown.join(', ')}`);
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new UsageError('--ttl must be a positive number of seconds');

  const pair = await ensureDevKeyPair(resolve(values.dir));
  if (pair.created) {
    process.stderr.write(`generated a dev ES256 key pair; services read it with AUTH_PUBLIC_KEY_FILE=${pair.publicKeyFile}\n`);
  }
  const token = await mintDevToken({
    sub: values.sub,
    roles: roles as Role[],
    ttlSeconds,
    privateKey: pair.privateJwk,
    issuer: values.issuer,
    audience: values.audience,
  });
  process.stdout.write(`${token}\n`);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`mint-token: ${(error as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
  process.exitCode = usage ? 2 : 1;
});
