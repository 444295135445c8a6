import { ConnectorType } from '../revocation-connector';
import { DEFAULT_TIMEOUT_MS } from './connector-config';
import { checkGlobalTokenRevocationEntry, GLOBAL_TOKEN_REVOCATION_PROPERTIES, GLOBAL_TOKEN_REVOCATION_REQUIRED } from './global-token-revocation-config';

export const CONNECTOR_NAME_PATTERN = '^[a-z0-9-]{1,64}$';

const url = { type: 'string', minLength: 1, maxLength: 2048 } as const;
const secret = { type: 'string', minLength: 1, maxLength: 8192 } as const;
const text = { type: 'string', minLength: 1, maxLength: 512 } as const;

function entrySchema(type: ConnectorType, properties: Record<string, object>, required: string[]): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'type', ...required],
    properties: {
      name: { type: 'string', pattern: CONNECTOR_NAME_PATTERN },
      type: { const: type },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 60000, default: DEFAULT_TIMEOUT_MS },
      // Only for an endpoint inside a network that encrypts on its own (a service mesh): see CREDENTIAL_FIELDS.
      allowPlainHttp: { type: 'boolean', default: false },
      ...properties,
    },
  };
}

/** One JSON Schema per connector type; defaults are filled in by ajv (`useDefaults`). */
export const CONNECTOR_CONFIG_SCHEMAS: Record<ConnectorType, object> = {
  'builtin-issuer': entrySchema('builtin-issuer', { baseUrl: url, bearerToken: secret }, ['baseUrl', 'bearerToken']),
  'oauth-revocation': entrySchema(
    'oauth-revocation',
    {
      revocationEndpoint: url,
      clientId: text,
      clientSecret: secret,
      authMethod: { enum: ['client_secret_basic', 'client_secret_post'], default: 'client_secret_basic' },
    },
    ['revocationEndpoint', 'clientId', 'clientSecret'],
  ),
  keycloak: entrySchema(
    'keycloak',
    {
      baseUrl: url,
      realm: text,
      clientId: text,
      clientSecret: secret,
      agentIdentity: { enum: ['client', 'user', 'client-or-user'], default: 'client-or-user' },
    },
    ['baseUrl', 'realm', 'clientId', 'clientSecret'],
  ),
  webhook: entrySchema('webhook', { url, secret: { type: 'string', minLength: 32, maxLength: 8192 } }, ['url', 'secret']),
  ssf: entrySchema(
    'ssf',
    {
      endpoint: url,
      audience: text,
      issuer: text,
      authorizationHeader: secret,
      events: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['session-revoked', 'credential-change'] },
        default: ['session-revoked', 'credential-change'],
      },
      credentialType: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', default: 'password' },
    },
    ['endpoint', 'audience', 'issuer'],
  ),
  'global-token-revocation': entrySchema('global-token-revocation', GLOBAL_TOKEN_REVOCATION_PROPERTIES, GLOBAL_TOKEN_REVOCATION_REQUIRED),
};

/**
 * The credential each type sends to its endpoint (undefined: none is sent; a webhook's secret only signs). Where
 * one is configured, the endpoint must be https when https is required (production) unless the entry says
 * `allowPlainHttp`.
 */
export const CREDENTIAL_FIELDS: Record<ConnectorType, string | undefined> = {
  'builtin-issuer': 'bearerToken',
  'oauth-revocation': 'clientSecret',
  keycloak: 'clientSecret',
  webhook: undefined,
  ssf: 'authorizationHeader',
  // Its other credentials (a client secret, a token obtained with it, the owner directory's) are checked by ENTRY_CHECKS.
  'global-token-revocation': 'bearerToken',
};

/** The fields holding an endpoint, which must be http(s) URLs without credentials. */
export const URL_FIELDS: Record<ConnectorType, string> = {
  'builtin-issuer': 'baseUrl',
  'oauth-revocation': 'revocationEndpoint',
  keycloak: 'baseUrl',
  webhook: 'url',
  ssf: 'endpoint',
  'global-token-revocation': 'endpoint',
};

/** Checks of one entry beyond its schema and its URL_FIELDS/CREDENTIAL_FIELDS pair: the first problem, or undefined. */
export const ENTRY_CHECKS: Partial<Record<ConnectorType, (entry: Record<string, unknown>, options: { requireHttps?: boolean }) => string | undefined>> = {
  'global-token-revocation': checkGlobalTokenRevocationEntry,
};
