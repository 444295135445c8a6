import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { KafkaSecurity } from './kafka-security';

/**
 * The locked-down listener of the development broker that scripts/infra/infra.sh runs (TLS and SCRAM-SHA-512 on
 * 127.0.0.1:9094), and the credentials it wrote: each principal's password under its state directory, and the CA
 * of its certificate. Paths follow infra.sh: $AGENTGOV_STATE_DIR, else $XDG_STATE_HOME/agentgov, else
 * ~/.local/state/agentgov.
 */
export const LOCAL_SECURE_BROKERS = ['127.0.0.1:9094'];

export function localBrokerStateDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const root = env['AGENTGOV_STATE_DIR'] || join(env['XDG_STATE_HOME'] || join(homedir(), '.local/state'), 'agentgov');
  return join(root, 'kafka');
}

/** SASL_SSL settings for a principal of the local broker; throws naming the file when infra.sh has not made it. */
export function localBrokerSecurity(principal: string, options: { password?: string } = {}): KafkaSecurity {
  const dir = localBrokerStateDir();
  const caFile = join(dir, 'tls/ca.pem');
  const passwordFile = join(dir, `credentials/${principal}.password`);
  for (const file of options.password === undefined ? [caFile, passwordFile] : [caFile]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: start the local broker with scripts/infra/infra.sh up`);
  }
  return {
    protocol: 'sasl_ssl',
    tls: { ca: readFileSync(caFile, 'utf8') },
    sasl: { mechanism: 'scram-sha-512', username: principal, password: options.password ?? readFileSync(passwordFile, 'utf8').trim() },
  };
}
