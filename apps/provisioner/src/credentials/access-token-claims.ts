import { JWTPayload } from 'jose';

import { ISSUED_AT_MS_CLAIM } from './token-activity';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const OWNER_CLAIM = 'owner_id';

/** RFC 8693 §4.1 actor claim: the nearest delegating party outermost, each earlier one nested inside. */
export interface ActorClaim {
  sub: string;
  act?: ActorClaim;
}

/** `ancestors` from the parent up to the root agent; undefined for a top-level agent. */
export function actorChain(ancestors: readonly string[]): ActorClaim | undefined {
  let chain: ActorClaim | undefined;
  for (let i = ancestors.length - 1; i >= 0; i -= 1) chain = chain ? { sub: ancestors[i], act: chain } : { sub: ancestors[i] };
  return chain;
}

/** The agent a token was issued to: its `client_id` (an exchanged token's `sub` is the human it acts for). */
export function clientIdOf(payload: JWTPayload & { sub: string }): string {
  return typeof payload.client_id === 'string' ? payload.client_id : payload.sub;
}

export interface AccessTokenInput {
  issuer: string;
  /** ACCESS_TOKEN_AUDIENCE, or the resources asked for (RFC 8707). */
  audience?: string | readonly string[];
  agentId: string;
  ownerId: string;
  /** Parent first, root last. */
  ancestors: readonly string[];
  scopes: readonly string[];
  jti: string;
  issuedAtMs: number;
  ttlSeconds: number;
}

/** RFC 9068 claims of an agent's access token (client credentials: the agent is both client and subject). */
export function buildAccessTokenClaims(input: AccessTokenInput): JWTPayload {
  const iat = Math.floor(input.issuedAtMs / 1000);
  const act = actorChain(input.ancestors);
  return {
    iss: input.issuer,
    sub: input.agentId,
    ...audienceClaim(input.audience),
    client_id: input.agentId,
    scope: input.scopes.join(' '),
    jti: input.jti,
    iat,
    exp: iat + input.ttlSeconds,
    [ISSUED_AT_MS_CLAIM]: input.issuedAtMs,
    [OWNER_CLAIM]: input.ownerId,
    ...(act ? { act } : {}),
  };
}

/** `aud`: one value as a string, several as an array (RFC 7519 §4.1.3), none left out. */
export function audienceClaim(audience: string | readonly string[] | undefined): { aud?: string | string[] } {
  if (audience === undefined || audience.length === 0) return {};
  if (typeof audience === 'string') return { aud: audience };
  return { aud: audience.length === 1 ? audience[0] : [...audience] };
}
