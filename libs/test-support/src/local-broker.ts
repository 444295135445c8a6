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
/** The same broker's mutual-TLS listener: the client certificate's CN is the principal. */
export const LOCAL_MTLS_BROKERS = ['127.0.0.1:9095'];

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

/** Mutual-TLS settings for a principal of the local broker: its client certificate (CN = principal) and the CA. */
export function localBrokerClientCertificate(principal: string): KafkaSecurity {
  const dir = localBrokerStateDir();
  const [ca, cert, key] = ['tls/ca.pem', `tls/clients/${principal}.pem`, `tls/clients/${principal}.key`].map((f) => join(dir, f));
  for (const file of [ca, cert, key]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: start the local broker with scripts/infra/infra.sh up`);
  }
  return { protocol: 'ssl', tls: { ca: readFileSync(ca, 'utf8'), cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') } };
}
