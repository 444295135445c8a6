import { AUTH_ENV_VARS, AuthConfig, authConfigFromEnv } from '@agentgov/auth';

import { env, ENV_CHECKS, hostAndPort, RawEnv } from './env-var';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface CommonEnvOptions {
  /** The service's default HTTP port (provisioner 3001, behavior-baseliner 3002, ...). */
  httpPort: number;
  /** Default Kafka client id, normally the service name. */
  kafkaClientId: string;
}

/** Variables every service reads. Each app spreads this into its own spec and adds its own. */
export function commonEnv(options: CommonEnvOptions) {
  return {
    NODE_ENV: env.enumOf(NODE_ENVS).default('production').describe('Runtime mode.'),
    HTTP_PORT: env.port().default(options.httpPort).describe('Port the HTTP API listens on.'),
    LOG_LEVEL: env.enumOf(LOG_LEVELS).default('info').describe('Minimum level of the JSON logs on stdout.'),
    DATABASE_URL: env
      .url({ protocols: ['postgres', 'postgresql'] })
      .secret()
      .describe('PostgreSQL connection URL; the service uses its own schema in it.'),
    KAFKA_BROKERS: env.list({ item: hostAndPort }).describe('Comma-separated Kafka bootstrap brokers.'),
    KAFKA_CLIENT_ID: env.string().default(options.kafkaClientId).describe('Kafka client id.'),
    KAFKA_TOPIC_PREFIX: env
      .string({ pattern: /^[A-Za-z0-9._-]+$/ })
      .default('')
      .describe('Prepended to every topic name, to share one cluster between environments; empty by default.'),
    KAFKA_CREATE_TOPICS: env
      .boolean()
      .default(true)
      .describe('Create missing catalog topics (and their DLQs) at start-up; turn off where topics are managed ahead.'),
    OTEL_EXPORTER_OTLP_ENDPOINT: env
      .url({ protocols: ['http', 'https'] })
      .optional()
      .describe('OTLP/HTTP endpoint for traces; tracing export is off when unset.'),
    SHUTDOWN_TIMEOUT_MS: env
      .int({ min: 100, max: 600_000 })
      .default(10_000)
      .describe('Grace period for a clean shutdown after SIGTERM/SIGINT before the process exits non-zero.'),
    ...authEnv(),
  };
}

/**
 * The variables libs/auth's authConfigFromEnv reads, declared here so they are validated and documented with
 * the rest; authConfigFromEnv itself then checks the rules across them (exactly one key source).
 */
function authEnv() {
  return {
    AUTH_ISSUER: env.string().describe('Expected `iss` of bearer tokens.'),
    AUTH_AUDIENCE: env.list().describe('Accepted `aud` values, comma-separated; a token must carry one.'),
    AUTH_JWKS_URL: env
      .url({ protocols: ['http', 'https'] })
      .optional()
      .describe('JWKS to verify tokens with. Set exactly one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY, AUTH_PUBLIC_KEY_FILE.'),
    AUTH_PUBLIC_KEY: env.string().optional().describe('Public key (PEM or JWK) to verify tokens with.'),
    AUTH_PUBLIC_KEY_FILE: env.string().optional().describe('Path to a public key file (PEM or JWK).'),
    AUTH_ALGORITHMS: env.list().optional().describe('Accepted JWS algorithms, a subset of ES256, RS256, EdDSA.'),
    AUTH_CLOCK_TOLERANCE_SECONDS: env.int({ min: 0, max: 300 }).optional().describe('Clock skew allowed when checking exp/nbf.'),
    [ENV_CHECKS]: [(source: RawEnv) => void authConfigFromEnv(source)],
  };
}

/** The AuthModule configuration from a loaded env; validated already by loadEnv, so this does not throw. */
export function authConfigFor(loaded: { readonly [K in (typeof AUTH_ENV_VARS)[number]]?: unknown }): AuthConfig {
  const raw: Record<string, string | undefined> = {};
  for (const name of AUTH_ENV_VARS) {
    const value = loaded[name];
    raw[name] = value === undefined ? undefined : Array.isArray(value) ? value.join(',') : String(value);
  }
  return authConfigFromEnv(raw);
}
