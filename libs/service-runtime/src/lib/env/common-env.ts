import { AUTH_ENV_VARS, AuthConfig, authConfigFromEnv } from '@agentgov/auth';
import { KAFKA_SASL_MECHANISMS, KAFKA_SECURITY_ENV_VARS, KAFKA_SECURITY_PROTOCOLS, KafkaSecurity, kafkaSecurityFromEnv } from '@agentgov/messaging';

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
    ...KAFKA_SECURITY_ENV,
    OTEL_EXPORTER_OTLP_ENDPOINT: env
      .url({ protocols: ['http', 'https'] })
      .optional()
      .describe('OTLP/HTTP endpoint for traces; tracing export is off when unset.'),
    SHUTDOWN_TIMEOUT_MS: env
      .int({ min: 100, max: 600_000 })
      .default(10_000)
      .describe('Grace period for a clean shutdown after SIGTERM/SIGINT before the process exits non-zero.'),
    ...AUTH_ENV,
    // Rules across variables, checked once every variable parsed.
    [ENV_CHECKS]: [(source: RawEnv) => void kafkaSecurityFromEnv(source), (source: RawEnv) => void authConfigFromEnv(source)],
  };
}

/**
 * How the service authenticates to Kafka (libs/messaging's kafkaSecurityFromEnv checks the rules across them, and
 * reads the files, at start-up). Plaintext must be chosen by name, and never in production.
 */
const KAFKA_SECURITY_ENV = {
  KAFKA_SECURITY_PROTOCOL: env
    .enumOf(KAFKA_SECURITY_PROTOCOLS)
    .default('SASL_SSL')
    .describe(
      'SASL_SSL (TLS and SCRAM, what managed Kafka offers), SSL (TLS; mutual TLS with a client certificate) or PLAINTEXT (a local development broker only; refused in production).',
    ),
  KAFKA_SASL_MECHANISM: env.enumOf(KAFKA_SASL_MECHANISMS).default('SCRAM-SHA-512').describe('SCRAM mechanism with SASL_SSL.'),
  KAFKA_SASL_USERNAME: env.string().optional().describe("The service's Kafka principal with SASL_SSL."),
  KAFKA_SASL_PASSWORD: env.string().secret().optional().describe('Its SCRAM password (or KAFKA_SASL_PASSWORD_FILE).'),
  KAFKA_SASL_PASSWORD_FILE: env.string().optional().describe('A file holding the SCRAM password (a mounted secret).'),
  KAFKA_TLS_CA_FILE: env.string().optional().describe("PEM file of the CA that signed the brokers' certificates; the system's roots when unset."),
  KAFKA_TLS_CERT_FILE: env.string().optional().describe('PEM client certificate for mutual TLS (with KAFKA_TLS_KEY_FILE).'),
  KAFKA_TLS_KEY_FILE: env.string().optional().describe('PEM private key of that certificate (a mounted secret).'),
};

/** The Kafka security settings from a loaded env; validated already by loadEnv, so this does not throw. */
export function kafkaSecurityFor(loaded: { readonly [K in (typeof KAFKA_SECURITY_ENV_VARS)[number]]?: unknown }): KafkaSecurity {
  const raw: Record<string, string | undefined> = {};
  for (const name of KAFKA_SECURITY_ENV_VARS) raw[name] = loaded[name] === undefined ? undefined : String(loaded[name]);
  // The mechanism has a default in the spec: it is only meaningful (and only allowed) with SASL_SSL.
  if (raw['KAFKA_SECURITY_PROTOCOL'] !== 'SASL_SSL') raw['KAFKA_SASL_MECHANISM'] = undefined;
  return kafkaSecurityFromEnv(raw);
}

/**
 * The variables libs/auth's authConfigFromEnv reads, declared here so they are validated and documented with
 * the rest; authConfigFromEnv itself then checks the rules across them (exactly one key source).
 */
const AUTH_ENV = {
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
  AUTH_OIDC_ISSUER: env
    .url({ protocols: ['http', 'https'] })
    .optional()
    .describe(
      'A trusted OpenID Connect issuer for people (e.g. a Keycloak realm), beside AUTH_ISSUER: tokens whose `iss` is exactly this are verified against its keys. Off when unset.',
    ),
  AUTH_OIDC_AUDIENCE: env.list().optional().describe("Accepted `aud` values of that issuer's tokens, comma-separated; required with AUTH_OIDC_ISSUER."),
  AUTH_OIDC_JWKS_URL: env
    .url({ protocols: ['http', 'https'] })
    .optional()
    .describe("That issuer's JWKS; by default the `jwks_uri` of its discovery document (the issuer URL followed by /.well-known/openid-configuration)."),
  AUTH_OIDC_ROLES_CLAIM: env
    .string({ pattern: /^[\x21-\x7E]+$/ })
    .optional()
    .describe('The claim holding the IdP role names: a claim name or a dotted path (Keycloak: realm_access.roles); `roles` by default.'),
  AUTH_OIDC_ROLE_MAP: env
    .string()
    .optional()
    .describe(
      'IdP role to role, comma-separated (agentgov-soc=soc-analyst,agentgov-admin=admin); required with AUTH_OIDC_ISSUER. Only admin, soc-analyst and reviewer can be granted: never a machine role. An IdP role not listed grants nothing.',
    ),
  AUTH_OIDC_SUBJECT_CLAIM: env
    .string({ pattern: /^[\x21-\x7E]+$/ })
    .optional()
    .describe(
      'The claim recorded as the person (audit actor, separation of duties); `sub` by default. Choose one the IdP never lets a user change (e.g. preferred_username where usernames cannot be edited).',
    ),
};

/** The AuthModule configuration from a loaded env; validated already by loadEnv, so this does not throw. */
export function authConfigFor(loaded: { readonly [K in (typeof AUTH_ENV_VARS)[number]]?: unknown }): AuthConfig {
  const raw: Record<string, string | undefined> = {};
  for (const name of AUTH_ENV_VARS) {
    const value = loaded[name];
    raw[name] = value === undefined ? undefined : Array.isArray(value) ? value.join(',') : String(value);
  }
  return authConfigFromEnv(raw);
}
