import { JWTPayload } from 'jose';

import { audienceClaim, OWNER_CLAIM } from './access-token-claims';
import { actClaimOf, Lineage, LINEAGE_CLAIM } from './delegation-lineage';
import { ISSUED_AT_MS_CLAIM } from './token-activity';

export interface ExchangedTokenInput {
  issuer: string;
  audience: readonly string[] | string | undefined;
  /** The human the whole chain acts for: the subject (RFC 8693 §4.1: the actors are in `act`). */
  ownerId: string;
  lineage: Lineage;
  /** The downstream agent the token is for, which alone may exchange it further (RFC 8693 §4.4). */
  mayAct?: string;
  scopes: readonly string[];
  jti: string;
  issuedAtMs: number;
  /** Seconds since the epoch; never later than the subject token's own expiry. */
  expiresAt: number;
}

/**
 * RFC 9068 claims of a token obtained by token exchange: `sub` is the human, `client_id` the agent that exchanged
 * (the chain's most recent actor, outermost in `act`), and the signed lineage lets introspection check every link.
 */
export function buildExchangedTokenClaims(input: ExchangedTokenInput): JWTPayload {
  const client = input.lineage.agents.at(-1)?.agent;
  if (client === undefined) throw new Error('A delegation chain names at least the agent that exchanged.');
  return {
    iss: input.issuer,
    sub: input.ownerId,
    ...audienceClaim(input.audience),
    client_id: client,
    scope: input.scopes.join(' '),
    jti: input.jti,
    iat: Math.floor(input.issuedAtMs / 1000),
    exp: input.expiresAt,
    [ISSUED_AT_MS_CLAIM]: input.issuedAtMs,
    [OWNER_CLAIM]: input.ownerId,
    act: actClaimOf(input.lineage.agents),
    ...(input.mayAct ? { may_act: { sub: input.mayAct } } : {}),
    [LINEAGE_CLAIM]: input.lineage,
  };
}
