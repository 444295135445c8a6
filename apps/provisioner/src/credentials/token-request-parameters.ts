import { isUuid } from '@agentgov/contracts';

import { isResourceIndicator } from '../resource-servers/resource-identifier';
import { formParam, formParams } from './client-credentials';
import { OAuthError } from './credentials.errors';

export const CLIENT_CREDENTIALS_GRANT = 'client_credentials';
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: what this issuer exchanges and issues. Its access tokens are JWTs, so the jwt type names them too. */
export const ACCESS_TOKEN_TYPE_URI = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TYPE_URI = 'urn:ietf:params:oauth:token-type:jwt';
const TOKEN_TYPES = [ACCESS_TOKEN_TYPE_URI, JWT_TYPE_URI];
/** More targets than any one call needs; each is a registry lookup. */
const MAX_RESOURCES = 10;

/** RFC 8707 §2 `resource` parameters: absolute URIs without a fragment, each looked up in the registry as sent. */
export function resourceParameters(body: Record<string, unknown>): string[] {
  const resources = [...new Set(formParams(body, 'resource'))];
  if (resources.length > MAX_RESOURCES) throw new OAuthError('invalid_target', `At most ${MAX_RESOURCES} resource parameters.`);
  if (resources.some((r) => !isResourceIndicator(r))) {
    throw new OAuthError('invalid_target', 'Each resource parameter must be an absolute URI without a fragment.');
  }
  return resources;
}

export interface TokenExchangeRequest {
  subjectToken: string;
  actorToken?: string;
  /** The downstream agent (its client id) the new token is for; it alone may exchange it further. */
  audience?: string;
  resources: string[];
  scope?: string;
}

/** The parameters of RFC 8693 §2.1, as this issuer accepts them. */
export function tokenExchangeParameters(body: Record<string, unknown>): TokenExchangeRequest {
  const subjectToken = formParam(body, 'subject_token');
  if (!subjectToken) throw new OAuthError('invalid_request', 'The subject_token parameter is required.');
  requireTokenType(formParam(body, 'subject_token_type'), 'subject_token_type');
  const actorToken = formParam(body, 'actor_token');
  const actorTokenType = formParam(body, 'actor_token_type');
  if (actorToken !== undefined) requireTokenType(actorTokenType, 'actor_token_type');
  else if (actorTokenType !== undefined) throw new OAuthError('invalid_request', 'actor_token_type is given without actor_token.');
  const requested = formParam(body, 'requested_token_type');
  if (requested !== undefined && !TOKEN_TYPES.includes(requested)) {
    throw new OAuthError('invalid_request', `This issuer issues access tokens only: requested_token_type must be ${ACCESS_TOKEN_TYPE_URI}.`);
  }
  const audiences = [...new Set(formParams(body, 'audience'))];
  if (audiences.length > 1) throw new OAuthError('invalid_target', 'At most one audience: the downstream agent the token is for.');
  const audience = audiences[0];
  if (audience !== undefined && !isUuid(audience)) {
    throw new OAuthError('invalid_target', 'The audience must be the client id of a downstream agent; name other resources with the resource parameter.');
  }
  return { subjectToken, actorToken, audience, resources: resourceParameters(body), scope: formParam(body, 'scope') };
}

function requireTokenType(value: string | undefined, name: string): void {
  if (value === undefined) throw new OAuthError('invalid_request', `The ${name} parameter is required.`);
  if (!TOKEN_TYPES.includes(value)) {
    throw new OAuthError('invalid_request', `${name} must be ${ACCESS_TOKEN_TYPE_URI}: this issuer exchanges only its own access tokens.`);
  }
}
