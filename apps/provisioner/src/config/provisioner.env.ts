import { commonEnv, env, ENV_CHECKS, EnvOf, RawEnv } from '@agentgov/service-runtime';

import { isProduction, parseTrustedRevocationIdps } from '../global-token-revocation/trusted-revocation-idps';

export const PROVISIONER_SERVICE_NAME = 'provisioner';

const COMMON_ENV = commonEnv({ httpPort: 3001, kafkaClientId: PROVISIONER_SERVICE_NAME });

export const PROVISIONER_ENV = {
  ...COMMON_ENV,
  DELEGATION_MAX_DEPTH: env.int({ min: 0, max: 20 }).default(3).describe('How many levels of sub-agents below a top-level agent may exist (0: no sub-agents).'),
  OFFBOARDING_POLICY: env
    .string({ pattern: /^\{.*\}$/s })
    .default('{"default":"deprovision"}')
    .describe(
      'What an owner\'s termination does to their agents, as JSON: {"default": action, "byRiskTier": {tier: action}, "byPurpose": {purpose: action}}; action is deprovision, suspend or reassign (to the manager, suspend when there is none).',
    ),
  ...credentialsEnv(),
  ...ingestEnv(),
  // Spreading replaces the common spec's checks (one symbol key), so they are listed again here.
  [ENV_CHECKS]: [...COMMON_ENV[ENV_CHECKS], checkIssuerEnv, checkSsfEnv, checkTrustedRevocationIdps],
};

/** The embedded OAuth issuer (apps/provisioner/src/credentials). */
function credentialsEnv() {
  return {
    ISSUER_URL: env
      .url({ protocols: ['http', 'https'] })
      .default('http://127.0.0.1:3001')
      .describe('Issuer identifier of the embedded OAuth server: the `iss` of agent access tokens and the base of its endpoint URLs in the metadata.'),
    ACCESS_TOKEN_AUDIENCE: env
      .string()
      .optional()
      .describe(
        '`aud` of agent access tokens, so a resource server can tell tokens meant for it. Required when NODE_ENV=production; elsewhere tokens carry no audience when unset.',
      ),
    ACCESS_TOKEN_TTL_SECONDS: env.int({ min: 30, max: 3600 }).default(300).describe('Lifetime of agent access tokens, in seconds.'),
    TOKEN_EXCHANGE_MAX_CHAIN: env
      .int({ min: 1, max: 20 })
      .default(3)
      .describe(
        "Token exchange (RFC 8693): the most agents the `act` chain of an exchanged token may name, the human owner not counted (a sub-agent's own token already names its parents). An exchange that would make it longer is refused.",
      ),
    GTR_TRUSTED_IDPS: env
      .string({ pattern: /^\s*\[.*\]\s*$/s })
      .optional()
      .describe(
        'Identity providers that may call POST /global-token-revocation with assertions they sign themselves (Okta Universal Logout\'s "Signed JWT"), as a JSON array of {"issuer", "jwksUrl", "clientId"?, "identitySource"?}: `typ` global-token-revocation+jwt, `aud` {ISSUER_URL}/global-token-revocation, `sub` clientId when set, each jti used once; such an IdP may log out only owners linked to an identity at identitySource (its issuer by default). Unset: platform tokens only.',
      ),
    ISSUER_KEY_ENCRYPTION_KEY: env
      .string({ pattern: /^[A-Za-z0-9+/]{43}=$/ })
      .optional()
      .secret()
      .describe(
        "Base64 of 32 random bytes (`openssl rand -base64 32`): the AES-256-GCM key that encrypts the issuer's signing keys at rest. Required when NODE_ENV=production; elsewhere a fixed development-only key is used when unset.",
      ),
  };
}

function checkIssuerEnv(source: RawEnv): void {
  const production = (source['NODE_ENV'] ?? '') === '' || source['NODE_ENV'] === 'production';
  if (production && (source['ISSUER_KEY_ENCRYPTION_KEY'] ?? '') === '') {
    throw new Error('ISSUER_KEY_ENCRYPTION_KEY is required when NODE_ENV is production');
  }
  if (production && (source['ACCESS_TOKEN_AUDIENCE'] ?? '') === '') {
    throw new Error('ACCESS_TOKEN_AUDIENCE is required when NODE_ENV is production: a token without an audience is good at every resource server');
  }
}

/** HR/IdP ingest (apps/provisioner/src/ingest): SCIM, Okta Event Hooks, Shared Signals push. */
function ingestEnv() {
  return {
    SCIM_DEACTIVATE_MEANS: env
      .enumOf(['terminated', 'suspended'] as const)
      .default('terminated')
      .describe('What a SCIM `active: false` means for the owner: terminated (IdPs deactivate leavers) or suspended. SCIM DELETE always terminates.'),
    OKTA_EVENT_HOOK_SECRET: env
      .string({ minLength: 16 })
      .optional()
      .secret()
      .describe('Shared secret Okta sends in OKTA_EVENT_HOOK_HEADER with every Event Hook request; /hooks/okta refuses everything while unset.'),
    OKTA_EVENT_HOOK_HEADER: env
      .string({ pattern: /^[A-Za-z0-9-]+$/ })
      .default('Authorization')
      .describe('Name of the header that carries OKTA_EVENT_HOOK_SECRET (the Event Hook\'s "authentication field").'),
    SSF_TRANSMITTER_JWKS_URL: env
      .url({ protocols: ['http', 'https'] })
      .optional()
      .describe(
        'JWKS of the Shared Signals transmitter, to verify pushed SETs. Set at most one of SSF_TRANSMITTER_JWKS_URL, SSF_TRANSMITTER_PUBLIC_KEY; /ssf/events refuses everything while neither is set.',
      ),
    SSF_TRANSMITTER_PUBLIC_KEY: env
      .string()
      .optional()
      .describe('Public key (PEM or JWK) of the Shared Signals transmitter, instead of SSF_TRANSMITTER_JWKS_URL.'),
    SSF_TRANSMITTER_ISSUER: env.string().optional().describe('Expected `iss` of pushed SETs; required when a transmitter key is set.'),
    IDENTITY_SIGNAL_RETENTION_DAYS: env
      .int({ min: 1, max: 365 })
      .default(30)
      .describe(
        'A lifecycle signal that matched no owner is applied when a later owner or identity link makes it match, for this many days after it arrived; older ones stay listed for an admin to resolve.',
      ),
    SSF_SET_MAX_AGE_SECONDS: env
      .int({ min: 60, max: 30 * 86_400 })
      .default(86_400)
      .describe('Pushed SETs issued (iat) longer ago than this are refused: an old signal replayed or released late does not act.'),
    SSF_AUDIENCE: env.list().optional().describe('Accepted `aud` values of pushed SETs, comma-separated; required when a transmitter key is set.'),
    SSF_CAEP_SESSION_REVOKED: env
      .enumOf(['ignore', 'suspend'] as const)
      .default('ignore')
      .describe('What a CAEP session-revoked event does to the owner: ignore, or suspend.'),
    SSF_CAEP_CREDENTIAL_CHANGE: env
      .enumOf(['ignore', 'suspend'] as const)
      .default('ignore')
      .describe('What a CAEP credential-change event (revoke or delete of a credential) does to the owner: ignore, or suspend.'),
    SSF_POLL_URL: env
      .url({ protocols: ['http', 'https'] })
      .optional()
      .describe(
        "Poll endpoint (RFC 8936) of this receiver's stream at the Shared Signals transmitter (its stream's delivery.endpoint_url); no polling when unset. Polled SETs are verified and applied exactly like pushed ones (SSF_TRANSMITTER_*, SSF_AUDIENCE, SSF_SET_MAX_AGE_SECONDS).",
      ),
    SSF_POLL_TOKEN: env
      .string()
      .optional()
      .secret()
      .describe('Bearer token the transmitter wants at SSF_POLL_URL (or SSF_POLL_TOKEN_FILE); required with SSF_POLL_URL.'),
    SSF_POLL_TOKEN_FILE: env
      .string()
      .optional()
      .describe('A file holding the bearer token for SSF_POLL_URL (a mounted secret), read at each poll so a renewed token is picked up.'),
    SSF_POLL_INTERVAL_MS: env
      .int({ min: 100, max: 3_600_000 })
      .default(5000)
      .describe('Pause between two polls of SSF_POLL_URL when the last one returned no more SETs (or failed).'),
    SSF_POLL_MAX_EVENTS: env.int({ min: 1, max: 1000 }).default(100).describe('maxEvents of each poll: the most SETs one answer may carry.'),
  };
}

function checkTrustedRevocationIdps(source: RawEnv): void {
  parseTrustedRevocationIdps(source['GTR_TRUSTED_IDPS'], { production: isProduction(source['NODE_ENV']) });
}

function checkSsfEnv(source: RawEnv): void {
  const set = (name: string) => (source[name] ?? '').trim() !== '';
  if (set('SSF_TRANSMITTER_JWKS_URL') && set('SSF_TRANSMITTER_PUBLIC_KEY')) {
    throw new Error('set at most one of SSF_TRANSMITTER_JWKS_URL, SSF_TRANSMITTER_PUBLIC_KEY');
  }
  if ((set('SSF_TRANSMITTER_JWKS_URL') || set('SSF_TRANSMITTER_PUBLIC_KEY')) && !(set('SSF_TRANSMITTER_ISSUER') && set('SSF_AUDIENCE'))) {
    throw new Error('SSF_TRANSMITTER_ISSUER and SSF_AUDIENCE are required when SSF_TRANSMITTER_JWKS_URL or SSF_TRANSMITTER_PUBLIC_KEY is set');
  }
  if (set('SSF_POLL_URL')) {
    if (!set('SSF_TRANSMITTER_JWKS_URL') && !set('SSF_TRANSMITTER_PUBLIC_KEY')) {
      throw new Error(
        'SSF_POLL_URL needs the transmitter key (SSF_TRANSMITTER_JWKS_URL or SSF_TRANSMITTER_PUBLIC_KEY): polled SETs are verified like pushed ones',
      );
    }
    if (set('SSF_POLL_TOKEN') === set('SSF_POLL_TOKEN_FILE')) throw new Error('set exactly one of SSF_POLL_TOKEN, SSF_POLL_TOKEN_FILE with SSF_POLL_URL');
  }
}

export type ProvisionerEnv = EnvOf<typeof PROVISIONER_ENV>;
