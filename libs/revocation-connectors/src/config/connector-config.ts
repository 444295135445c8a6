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

export type GlobalTokenRevocationSubjectOf = 'agent' | 'owner';
export type GlobalTokenRevocationSubjectFormat = 'opaque' | 'iss_sub' | 'email';

/** draft-parecki-oauth-global-token-revocation-06 at another system; see the README and GlobalTokenRevocationConnector. */
export interface GlobalTokenRevocationConfig extends CommonConfig {
  type: 'global-token-revocation';
  /** The receiver's Global Token Revocation endpoint (its `global_token_revocation_endpoint`). */
  endpoint: string;
  /** Exactly one of `bearerToken` and `clientCredentials`. */
  bearerToken?: string;
  /** Obtains the bearer token by the client credentials grant, cached until 30 s before it expires. */
  clientCredentials?: {
    tokenEndpoint: string;
    clientId: string;
    clientSecret: string;
    scope?: string;
    authMethod: OAuthClientAuthMethod;
  };
  /** `agent` (default): the agent, on every action. `owner`: the agent's owner, only once the registry has them offboarded. */
  subject: GlobalTokenRevocationSubjectOf;
  /** RFC 9493 format sent: `opaque` (default; the agent or owner id), `iss_sub` (with `subjectIssuer`), `email` (owners only). */
  subjectFormat: GlobalTokenRevocationSubjectFormat;
  /** `iss` of an iss_sub subject: agentgov's issuer for agents, the IdP whose linked identity names the owner. */
  subjectIssuer?: string;
  /** Owner statuses that count as offboarded (default terminated). */
  ownerStatuses: Array<'terminated' | 'suspended'>;
  /** With `subject: owner`: the provisioner API that says the owner's status, email and linked identities. */
  ownerDirectory?: { baseUrl: string; bearerToken: string };
  /** A 404 (§3.4.2 "User Not Found"): `failed` (default: a wrong URL must not pass for success) or `nothing-to-revoke`. */
  notFound: 'failed' | 'nothing-to-revoke';
}

export type ConnectorConfig = BuiltinIssuerConfig | OAuthRevocationConfig | KeycloakConfig | WebhookConfig | SsfConfig | GlobalTokenRevocationConfig;
