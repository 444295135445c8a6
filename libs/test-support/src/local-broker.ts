import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { KafkaConfig } from 'kafkajs';

/**
 * The development broker that scripts/infra/infra.sh runs has no open door: a TLS + SCRAM-SHA-512 listener on
 * 127.0.0.1:9094 and a mutual-TLS one on 127.0.0.1:9095, every principal limited to its ACLs (the operator's
 * `admin` is the one super user). infra.sh wrote each principal's password and client certificate, and the CA of
 * the broker's certificate, under its state directory: $AGENTGOV_STATE_DIR, else $XDG_STATE_HOME/agentgov, else
 * ~/.local/state/agentgov. Tests, the benchmarks and `npm start` reach the broker through these, as `admin` for
 * their own work (topics, ACLs, reading what services wrote) and as a service or outside producer otherwise.
 */
export const LOCAL_SECURE_BROKERS = ['127.0.0.1:9094'];
/** The same broker's mutual-TLS listener: the client certificate's CN is the principal. */
export const LOCAL_MTLS_BROKERS = ['127.0.0.1:9095'];

/**
 * The settings as @agentgov/messaging's KafkaSecurity takes them (createKafkaClient's `security`); written out here
 * because this library depends on no other of the workspace.
 */
export type LocalBrokerSecurity = LocalBrokerScram | LocalBrokerCertificate | LocalBrokerPlaintext;
export type LocalBrokerScram = { protocol: 'sasl_ssl'; tls: { ca: string }; sasl: { mechanism: 'scram-sha-512'; username: string; password: string } };
export type LocalBrokerCertificate = { protocol: 'ssl'; tls: { ca: string; cert: string; key: string } };
export type LocalBrokerPlaintext = { protocol: 'plaintext' };

/**
 * Only to measure what TLS and SASL cost (bench/README.md): with AGENTGOV_BENCH_PLAINTEXT_BROKER set (host:port of
 * the listener infra.sh opens when KAFKA_BENCH_PLAINTEXT_PORT is set), the tests' own clients and the services they
 * start connect there without encryption or authentication, everything else unchanged. Unset, as always in tests
 * and CI, nothing changes.
 */
export function benchPlaintextBroker(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const value = env['AGENTGOV_BENCH_PLAINTEXT_BROKER']?.trim();
  if (!value) return undefined;
  if (!/^127\.0\.0\.1:\d+$|^localhost:\d+$/.test(value)) throw new Error('AGENTGOV_BENCH_PLAINTEXT_BROKER must be a loopback host:port');
  return value;
}

export function localBrokerStateDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const root = env['AGENTGOV_STATE_DIR'] || join(env['XDG_STATE_HOME'] || join(homedir(), '.local/state'), 'agentgov');
  return join(root, 'kafka');
}

function mustExist(files: string[]): void {
  for (const file of files) {
    if (!existsSync(file)) throw new Error(`${file} is missing: start the local broker with scripts/infra/infra.sh up`);
  }
}

/** SASL_SSL settings for a principal of the local broker; throws naming the file when infra.sh has not made it. */
export function localBrokerSecurity(principal: string, options: { password?: string } = {}): LocalBrokerScram {
  const dir = localBrokerStateDir();
  const caFile = join(dir, 'tls/ca.pem');
  const passwordFile = join(dir, `credentials/${principal}.password`);
  mustExist(options.password === undefined ? [caFile, passwordFile] : [caFile]);
  return {
    protocol: 'sasl_ssl',
    tls: { ca: readFileSync(caFile, 'utf8') },
    sasl: { mechanism: 'scram-sha-512', username: principal, password: options.password ?? readFileSync(passwordFile, 'utf8').trim() },
  };
}

/** Mutual-TLS settings for a principal of the local broker: its client certificate (CN = principal) and the CA. */
export function localBrokerClientCertificate(principal: string): LocalBrokerCertificate {
  const dir = localBrokerStateDir();
  const [ca, cert, key] = ['tls/ca.pem', `tls/clients/${principal}.pem`, `tls/clients/${principal}.key`].map((f) => join(dir, f));
  mustExist([ca, cert, key]);
  return { protocol: 'ssl', tls: { ca: readFileSync(ca, 'utf8'), cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') } };
}

/** A plain kafkajs client's connection to the locked-down listener as `principal` (the operator's admin by default). */
export function localBrokerConnection(principal = 'admin', brokers: string[] = LOCAL_SECURE_BROKERS): Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> {
  const plaintext = benchPlaintextBroker();
  if (plaintext) return { brokers: [plaintext] };
  const security = localBrokerSecurity(principal);
  return { brokers, ssl: { ca: [security.tls.ca] }, sasl: security.sasl };
}

/** The environment that connects a service process to the locked-down listener as `principal`. */
export function localBrokerServiceEnv(principal: string): Record<string, string> {
  const plaintext = benchPlaintextBroker();
  if (plaintext) return { KAFKA_BROKERS: plaintext, KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' };
  const state = localBrokerStateDir();
  mustExist([join(state, 'tls', 'ca.pem'), join(state, 'credentials', `${principal}.password`)]);
  return {
    KAFKA_BROKERS: LOCAL_SECURE_BROKERS.join(','),
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_USERNAME: principal,
    KAFKA_SASL_PASSWORD_FILE: join(state, 'credentials', `${principal}.password`),
    KAFKA_TLS_CA_FILE: join(state, 'tls', 'ca.pem'),
  };
}
