import { generateKeyPairSync } from 'node:crypto';

import { AUTH_ENV_VARS } from '@agentgov/auth';

import { authConfigFor, commonEnv, kafkaSecurityFor } from './common-env';
import { env } from './env-var';
import { EnvValidationError, loadEnv } from './load-env';

const spec = {
  ...commonEnv({ httpPort: 3001, kafkaClientId: 'provisioner' }),
  FEATURE_ENABLED: env.boolean().default(false),
  RISK_TIER: env.enumOf(['low', 'high']).optional(),
  WEBHOOK_SECRET: env.string({ minLength: 16 }).secret(),
};

const publicKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

const valid = {
  DATABASE_URL: 'postgres://app:s3cret-pass@db:5432/agentgov',
  KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
  KAFKA_SASL_USERNAME: 'provisioner',
  KAFKA_SASL_PASSWORD: 'kafka-scram-password',
  WEBHOOK_SECRET: 'a-very-long-shared-secret',
  AUTH_ISSUER: 'https://idp.example.com',
  AUTH_AUDIENCE: 'agentgov',
  AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
};

function issuesOf(source: Record<string, string>): string[] {
  try {
    loadEnv(spec, source);
  } catch (error) {
    if (error instanceof EnvValidationError)
      return error.message
        .split('\n')
        .slice(1)
        .map((line) => line.trim());
    throw error;
  }
  throw new Error('expected the environment to be rejected');
}

describe('loadEnv', () => {
  it('parses a valid environment into typed values with defaults applied', () => {
    const loaded = loadEnv(spec, { ...valid, FEATURE_ENABLED: 'yes', SHUTDOWN_TIMEOUT_MS: '2500' });

    expect(loaded).toEqual({
      NODE_ENV: 'production',
      HTTP_PORT: 3001,
      LOG_LEVEL: 'info',
      DATABASE_URL: valid.DATABASE_URL,
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092'],
      KAFKA_CLIENT_ID: 'provisioner',
      KAFKA_TOPIC_PREFIX: '',
      KAFKA_CREATE_TOPICS: true,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'provisioner',
      KAFKA_SASL_PASSWORD: valid.KAFKA_SASL_PASSWORD,
      KAFKA_SASL_PASSWORD_FILE: undefined,
      KAFKA_TLS_CA_FILE: undefined,
      KAFKA_TLS_CERT_FILE: undefined,
      KAFKA_TLS_KEY_FILE: undefined,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      SHUTDOWN_TIMEOUT_MS: 2500,
      FEATURE_ENABLED: true,
      RISK_TIER: undefined,
      WEBHOOK_SECRET: valid.WEBHOOK_SECRET,
      AUTH_ISSUER: 'https://idp.example.com',
      AUTH_AUDIENCE: ['agentgov'],
      AUTH_JWKS_URL: valid.AUTH_JWKS_URL,
      AUTH_PUBLIC_KEY: undefined,
      AUTH_PUBLIC_KEY_FILE: undefined,
      AUTH_ALGORITHMS: undefined,
      AUTH_CLOCK_TOLERANCE_SECONDS: undefined,
    });
  });

  it('connects to Kafka with TLS and SCRAM unless plaintext is chosen by name, and never in clear in production', () => {
    expect(kafkaSecurityFor(loadEnv(spec, valid))).toEqual({
      protocol: 'sasl_ssl',
      tls: {},
      sasl: { mechanism: 'scram-sha-512', username: 'provisioner', password: valid.KAFKA_SASL_PASSWORD },
    });
    const { KAFKA_SASL_USERNAME: _u, KAFKA_SASL_PASSWORD: _p, ...withoutCredentials } = valid;
    expect(issuesOf(withoutCredentials)).toEqual(['KAFKA_SASL_USERNAME is required with SASL_SSL']);
    expect(issuesOf({ ...withoutCredentials, KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })).toEqual([
      'KAFKA_SECURITY_PROTOCOL=PLAINTEXT is for local development only: in production use SASL_SSL or SSL',
    ]);
    expect(kafkaSecurityFor(loadEnv(spec, { ...withoutCredentials, NODE_ENV: 'development', KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' }))).toEqual({
      protocol: 'plaintext',
    });
    expect(issuesOf({ ...valid, KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem' }).join('\n')).not.toContain(valid.KAFKA_SASL_PASSWORD);
  });

  it('returns a frozen object, lists included', () => {
    const loaded = loadEnv(spec, valid);

    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.KAFKA_BROKERS)).toBe(true);
  });

  it('treats an empty value as unset, so the default applies', () => {
    expect(loadEnv(spec, { ...valid, HTTP_PORT: '' }).HTTP_PORT).toBe(3001);
  });

  it('names a non-numeric port and its rule', () => {
    expect(issuesOf({ ...valid, HTTP_PORT: 'abc' })).toEqual(['HTTP_PORT: must be an integer between 1 and 65535']);
  });

  it('rejects a port out of range and a decimal', () => {
    expect(issuesOf({ ...valid, HTTP_PORT: '70000' })).toEqual(['HTTP_PORT: must be an integer between 1 and 65535']);
    expect(issuesOf({ ...valid, HTTP_PORT: '30.5' })).toEqual(['HTTP_PORT: must be an integer between 1 and 65535']);
  });

  it('reports every bad variable at once, one line each', () => {
    const lines = issuesOf({
      AUTH_ISSUER: 'iss',
      AUTH_AUDIENCE: 'agentgov',
      KAFKA_BROKERS: 'kafka-1',
      LOG_LEVEL: 'loud',
      NODE_ENV: 'staging',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      FEATURE_ENABLED: 'maybe',
      WEBHOOK_SECRET: 'short',
    });

    expect(lines).toEqual([
      'NODE_ENV: must be one of development, test, production',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
      'DATABASE_URL: is required and must be a URL with scheme postgres:// or postgresql://',
      "KAFKA_BROKERS: must be a ','-separated list of at least 1 item, each host:port",
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be a URL with scheme http:// or https://',
      'FEATURE_ENABLED: must be a boolean (true/false, 1/0, yes/no, on/off)',
      'WEBHOOK_SECRET: must be a string of at least 16 characters',
    ]);
  });

  it('never echoes the value of a rejected variable, secret or not', () => {
    const secret = 'mysql://root:hunter2-password@db/agentgov';
    let message = '';
    try {
      loadEnv(spec, { ...valid, DATABASE_URL: secret, WEBHOOK_SECRET: 'tiny-but-secret', HTTP_PORT: 'port-value-xyz' });
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message).toContain('DATABASE_URL: must be a URL with scheme postgres:// or postgresql://');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('tiny-but-secret');
    expect(message).not.toContain('port-value-xyz');
  });

  it('rejects a URL with a scheme outside the allowed ones', () => {
    expect(issuesOf({ ...valid, DATABASE_URL: 'http://db:5432/agentgov' })).toEqual(['DATABASE_URL: must be a URL with scheme postgres:// or postgresql://']);
  });

  it('rejects an empty list', () => {
    expect(issuesOf({ ...valid, KAFKA_BROKERS: ' , ' })).toEqual(["KAFKA_BROKERS: must be a ','-separated list of at least 1 item, each host:port"]);
  });

  it('applies auth rules across variables once each variable is valid', () => {
    const { AUTH_JWKS_URL: _jwks, ...withoutKey } = valid;

    expect(issuesOf(withoutKey)).toEqual(['AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_PUBLIC_KEY_FILE is required (set exactly one)']);
    expect(issuesOf({ ...valid, AUTH_PUBLIC_KEY: publicKeyPem })).toEqual(['AUTH_JWKS_URL and AUTH_PUBLIC_KEY are both set; set exactly one']);
  });

  it('declares every variable libs/auth reads, so each is validated and documented', () => {
    expect(Object.keys(spec)).toEqual(expect.arrayContaining([...AUTH_ENV_VARS]));
  });

  it('builds the AuthModule config from the loaded env', () => {
    const loaded = loadEnv(spec, { ...valid, AUTH_AUDIENCE: 'agentgov, admin-api', AUTH_CLOCK_TOLERANCE_SECONDS: '10' });

    expect(authConfigFor(loaded)).toEqual({
      issuer: 'https://idp.example.com',
      audience: ['agentgov', 'admin-api'],
      jwksUrl: valid.AUTH_JWKS_URL,
      clockToleranceSeconds: 10,
    });
  });

  it('marks secret variables so docs and dumps can leave them out', () => {
    expect(spec.DATABASE_URL.isSecret).toBe(true);
    expect(spec.WEBHOOK_SECRET.isSecret).toBe(true);
    expect(spec.HTTP_PORT.isSecret).toBe(false);
    expect(spec.HTTP_PORT.defaultAsString()).toBe('3001');
  });
});
