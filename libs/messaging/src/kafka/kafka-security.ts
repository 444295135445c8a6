import { readFileSync } from 'node:fs';

import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * How a client proves who it is to Kafka and keeps the traffic private. Managed clusters ask for TLS with SASL/SCRAM
 * (or mutual TLS); plaintext is for a development broker on the same machine and must be chosen by name.
 *
 *  - `sasl_ssl`: TLS (the broker verified against the CA, or the system's roots) and SCRAM-SHA-512 or -256;
 *  - `ssl`: TLS, with a client certificate for mutual TLS (the broker maps the certificate to the principal);
 *  - `plaintext`: neither; refused when NODE_ENV is production (or unset).
 *
 * SASL_SSL is the default: plaintext must be chosen by name.
 */
export type KafkaSecurity = { protocol: 'plaintext' } | { protocol: 'ssl'; tls: KafkaTls } | { protocol: 'sasl_ssl'; tls: KafkaTls; sasl: KafkaScram };

export interface KafkaTls {
  /** PEM: the CA that signed the broker's certificate; the system's roots when absent. */
  ca?: string;
  /** PEM: a client certificate and its key, for mutual TLS. */
  cert?: string;
  key?: string;
}

export interface KafkaScram {
  mechanism: 'scram-sha-512' | 'scram-sha-256';
  username: string;
  password: string;
}

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const;
export const KAFKA_SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const;

/** The environment variables kafkaSecurityFromEnv reads. */
export const KAFKA_SECURITY_ENV_VARS = [
  'NODE_ENV',
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_TLS_CA_FILE',
  'KAFKA_TLS_CERT_FILE',
  'KAFKA_TLS_KEY_FILE',
] as const;

/** A rule broken by the Kafka security settings. The message names variables and files, never a secret. */
export class KafkaSecurityConfigError extends Error {}

type Source = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the Kafka security settings. Files are read here, once, so a missing or unreadable certificate
 * stops the service at start-up with the variable named, not at its first connection.
 */
export function kafkaSecurityFromEnv(source: Source, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): KafkaSecurity {
  const value = (name: (typeof KAFKA_SECURITY_ENV_VARS)[number]) => {
    const v = source[name]?.trim();
    return v ? v : undefined;
  };
  const protocol = value('KAFKA_SECURITY_PROTOCOL')?.toUpperCase() ?? 'SASL_SSL';
  if (!(KAFKA_SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new KafkaSecurityConfigError(`KAFKA_SECURITY_PROTOCOL must be one of ${KAFKA_SECURITY_PROTOCOLS.join(', ')}`);
  }
  const file = (name: 'KAFKA_TLS_CA_FILE' | 'KAFKA_TLS_CERT_FILE' | 'KAFKA_TLS_KEY_FILE' | 'KAFKA_SASL_PASSWORD_FILE') => {
    const path = value(name);
    if (!path) return undefined;
    try {
      return readFile(path);
    } catch {
      throw new KafkaSecurityConfigError(`${name}: cannot read the file it names`);
    }
  };
  if (protocol === 'PLAINTEXT') {
    // NODE_ENV unset means production, as it does for the services.
    if ((value('NODE_ENV') ?? 'production') === 'production') {
      throw new KafkaSecurityConfigError('KAFKA_SECURITY_PROTOCOL=PLAINTEXT is for local development only: in production use SASL_SSL or SSL');
    }
    const stray = KAFKA_SECURITY_ENV_VARS.filter((n) => n.startsWith('KAFKA_') && n !== 'KAFKA_SECURITY_PROTOCOL' && value(n) !== undefined);
    if (stray.length) throw new KafkaSecurityConfigError(`${stray.join(', ')} set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT: set SASL_SSL or SSL to use them`);
    return { protocol: 'plaintext' };
  }
  const tls: KafkaTls = { ca: file('KAFKA_TLS_CA_FILE'), cert: file('KAFKA_TLS_CERT_FILE'), key: file('KAFKA_TLS_KEY_FILE') };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new KafkaSecurityConfigError('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together: set both for mutual TLS, or neither');
  }
  if (tls.ca !== undefined && !tls.ca.includes('-----BEGIN CERTIFICATE-----')) throw new KafkaSecurityConfigError('KAFKA_TLS_CA_FILE: not a PEM certificate');
  if (tls.cert !== undefined && !tls.cert.includes('-----BEGIN CERTIFICATE-----'))
    throw new KafkaSecurityConfigError('KAFKA_TLS_CERT_FILE: not a PEM certificate');
  if (tls.key !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(tls.key))
    throw new KafkaSecurityConfigError('KAFKA_TLS_KEY_FILE: not a PEM private key');
  if (protocol === 'SSL') {
    for (const n of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const) {
      if (value(n) !== undefined) throw new KafkaSecurityConfigError(`${n} set but KAFKA_SECURITY_PROTOCOL is SSL: use SASL_SSL for SCRAM`);
    }
    return { protocol: 'ssl', tls };
  }
  const mechanism = value('KAFKA_SASL_MECHANISM')?.toUpperCase() ?? 'SCRAM-SHA-512';
  if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new KafkaSecurityConfigError(`KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}`);
  }
  const username = value('KAFKA_SASL_USERNAME');
  if (!username) throw new KafkaSecurityConfigError('KAFKA_SASL_USERNAME is required with SASL_SSL');
  if (value('KAFKA_SASL_PASSWORD') !== undefined && value('KAFKA_SASL_PASSWORD_FILE') !== undefined) {
    throw new KafkaSecurityConfigError('set one of KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE, not both');
  }
  // A password file ends with a newline more often than not; the password itself never does.
  const password = value('KAFKA_SASL_PASSWORD') ?? file('KAFKA_SASL_PASSWORD_FILE')?.replace(/\r?\n$/, '');
  if (!password) throw new KafkaSecurityConfigError('KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required with SASL_SSL');
  return { protocol: 'sasl_ssl', tls, sasl: { mechanism: mechanism.toLowerCase() as KafkaScram['mechanism'], username, password } };
}

/** The kafkajs connection options for a security setting. Certificates are always verified. */
export function kafkaConnectionOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security || security.protocol === 'plaintext') return {};
  const { ca, cert, key } = security.tls;
  const ssl = { rejectUnauthorized: true, ...(ca ? { ca: [ca] } : {}), ...(cert && key ? { cert, key } : {}) };
  if (security.protocol === 'ssl') return { ssl };
  const { mechanism, username, password } = security.sasl;
  return { ssl, sasl: { mechanism, username, password } as SASLOptions };
}

/** For logs and health output: what is in use, without a secret. */
export function describeKafkaSecurity(security: KafkaSecurity | undefined): string {
  if (!security || security.protocol === 'plaintext') return 'plaintext';
  if (security.protocol === 'ssl') return security.tls.cert ? 'tls with a client certificate' : 'tls';
  return `tls with ${security.sasl.mechanism} as ${security.sasl.username}`;
}
