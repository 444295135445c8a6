import { commonEnv, env, ENV_CHECKS, EnvOf, RawEnv } from '@agentgov/service-runtime';

export const CONTAINMENT_SERVICE_NAME = 'containment';

const COMMON_ENV = commonEnv({ httpPort: 3003, kafkaClientId: CONTAINMENT_SERVICE_NAME });

export const CONTAINMENT_ENV = {
  ...COMMON_ENV,
  CONNECTORS_FILE: env
    .string()
    .optional()
    .describe(
      'JSON file listing the connectors universal logout fans out to (see the README); none when unset. It holds secrets: mount it from a secret store.',
    ),
  SSF_SIGNING_KEY_FILE: env
    .string()
    .optional()
    .describe(
      'Private JWK (with its kid) that signs Shared Signals SETs: EC P-256 (ES256), or RSA of 2048 bits or more (RS256, what the CAEP Interoperability Profile asks); its public half is served at /.well-known/ssf-jwks.json. An EC key is generated at start-up when unset outside production.',
    ),
  SSF_ISSUER: env
    .url({ protocols: ['http', 'https'] })
    .default('http://127.0.0.1:3003')
    .describe(
      "Issuer identifier of containment's Shared Signals transmitter (its public base URL, https in production): the `iss` of the SETs its streams carry and the base of the endpoint URLs in /.well-known/ssf-configuration.",
    ),
  EXTERNAL_TOKEN_ENCRYPTION_KEY: env
    .string({ minLength: 44 })
    .optional()
    .secret()
    .describe(
      'Base64 of 32 bytes: encrypts the external tokens recorded for RFC 7009 revocation, and the Authorization headers of Shared Signals push streams. Required in production; a development-only key is used otherwise.',
    ),
  ALERT_WEBHOOK_URL: env
    .url()
    .optional()
    .describe('Where every containment.alert.v1 is also POSTed, signed with ALERT_WEBHOOK_SECRET (e.g. a SIEM collector).'),
  ALERT_WEBHOOK_SECRET: env
    .string({ minLength: 32 })
    .optional()
    .secret()
    .describe('HMAC-SHA256 key for the AgentGov-Signature header of forwarded alerts; required with ALERT_WEBHOOK_URL.'),
  DELIVERY_CONCURRENCY: env
    .int({ min: 1, max: 512 })
    .default(16)
    .describe('Connector calls in flight at once per instance; each records its receipt on one of the 10 database connections.'),
  DELIVERY_RETRY_BASE_MS: env
    .int({ min: 10, max: 600000 })
    .default(500)
    .describe('First retry delay of a failing connector call; it doubles per attempt (with jitter).'),
  DELIVERY_RETRY_MAX_MS: env.int({ min: 100, max: 3600000 }).default(300000).describe('Longest delay between two attempts of one connector call.'),
  DELIVERY_MAX_ATTEMPTS: env.int({ min: 1, max: 1000 }).default(20).describe('Attempts before a connector call is recorded as failed for good (and alerted).'),
  DELIVERY_ALERT_AFTER_ATTEMPTS: env
    .int({ min: 1, max: 1000 })
    .default(3)
    .describe('After this many failed attempts, a still-retrying connector raises an alert instead of retrying silently.'),
  DELIVERY_LEASE_MS: env
    .int({ min: 1000, max: 600000 })
    .default(15000)
    .describe(
      "How long a claimed connector call belongs to one instance; a crashed instance's calls are taken over after this. Keep it above every connector's timeoutMs.",
    ),
  INCIDENT_STREAM_HEARTBEAT_MS: env
    .int({ min: 100, max: 300000 })
    .default(15000)
    .describe(
      'How often the live incident stream (GET /incidents/stream) sends a comment line when nothing happens, so that proxies keep it open and clients can tell a quiet stream from a dead one.',
    ),
  // Spreading replaces the common spec's checks (one symbol key), so they are listed again here.
  [ENV_CHECKS]: [...COMMON_ENV[ENV_CHECKS], checkAlertWebhookEnv],
};

function checkAlertWebhookEnv(source: RawEnv): void {
  const url = (source['ALERT_WEBHOOK_URL'] ?? '') !== '';
  const secret = (source['ALERT_WEBHOOK_SECRET'] ?? '') !== '';
  if (url && !secret) throw new Error('ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set');
  if (secret && !url) throw new Error('ALERT_WEBHOOK_SECRET is set without ALERT_WEBHOOK_URL');
}

export type ContainmentEnv = EnvOf<typeof CONTAINMENT_ENV>;
