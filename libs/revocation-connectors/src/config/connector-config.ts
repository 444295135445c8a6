export const DEFAULT_TIMEOUT_MS = 5000;

interface CommonConfig {
  /** Unique, [a-z0-9-]{1,64}. */
  name: string;
  /** Per HTTP call, default 5000. */
  timeoutMs: number;
  /** Lets a credential go to a plain http endpoint where https is required (an in-cluster, mesh-encrypted hop). */
  allowPlainHttp: boolean;
}

export interface BuiltinIssuerConfig extends CommonConfig {
  type: 'builtin-issuer';
  baseUrl: string;
  bearerToken: string;
}

export type OAuthClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface OAuthRevocationConfig extends CommonConfig {
  type: 'oauth-revocation';
  revocationEndpoint: string;
  clientId: string;
  clientSecret: string;
  authMethod: OAuthClientAuthMethod;
}

export type KeycloakAgentIdentity = 'client' | 'user' | 'client-or-user';

export interface KeycloakConfig extends CommonConfig {
  type: 'keycloak';
  baseUrl: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  agentIdentity: KeycloakAgentIdentity;
}

export interface WebhookConfig extends CommonConfig {
  type: 'webhook';
  url: string;
  /** At least 32 characters. */
  secret: string;
}

export type SsfEvent = 'session-revoked' | 'credential-change';

export interface SsfConfig extends CommonConfig {
  type: 'ssf';
  endpoint: string;
  audience: string;
  issuer: string;
  /** Sent verbatim as the Authorization header, if the receiver asks for one. */
  authorizationHeader?: string;
  events: SsfEvent[];
  /** CAEP credential-change `credential_type`; default 'password' (see README). */
  credentialType: string;
}

export type ConnectorConfig = BuiltinIssuerConfig | OAuthRevocationConfig | KeycloakConfig | WebhookConfig | SsfConfig;
