import { Injectable } from '@nestjs/common';

import { clientIdOf } from './access-token-claims';
import { VerifiedAccessToken } from './access-token-verifier';
import { AgentTokenState, AgentTokenStateCache } from './agent-token-state.cache';
import { agentsOf, lineageIsLive, readLineage } from './delegation-lineage';
import { issuedAtMs, revokedByNotBefore } from './token-activity';

/**
 * Whether a token whose signature and expiry were checked may still be used, from the agents' token state only
 * (AgentTokenStateCache: in memory, invalidated on every replica by Postgres notifications), never a query per call.
 * Introspection answers with it, and token exchange asks it of the tokens presented.
 */
@Injectable()
export class TokenLiveness {
  constructor(private readonly states: AgentTokenStateCache) {}

  async isLive(payload: VerifiedAccessToken): Promise<boolean> {
    const lineage = readLineage(payload);
    const scope = typeof payload.scope === 'string' ? payload.scope : '';
    if (lineage === null) return false;
    if (lineage === undefined) return clientTokenIsLive(payload, scope, await this.states.get(payload.sub));
    // An exchanged token: every agent of its chain, and every token it derives from, must still be good.
    const clientId = clientIdOf(payload);
    const ids = agentsOf(lineage, clientId);
    const states = new Map<string, AgentTokenState | undefined>();
    for (const id of ids) states.set(id, await this.states.get(id));
    return lineageIsLive(lineage, { clientId, jti: payload.jti, scope }, (id) => states.get(id), Date.now());
  }
}

/** A client credentials token: its agent is active, unexpired, not revoked-all since, and still has every scope it carries. */
function clientTokenIsLive(payload: VerifiedAccessToken, scope: string, state: AgentTokenState | undefined): boolean {
  if (!state?.active || state.revokedJtis.has(payload.jti)) return false;
  if (state.expiresAtMs !== null && state.expiresAtMs <= Date.now()) return false;
  if (revokedByNotBefore(issuedAtMs(payload), state.notBeforeMs)) return false;
  // Narrowing an agent's scopes ends its live tokens that carry a removed one (new tokens get the new scopes).
  for (const s of scope.split(' ')) if (s !== '' && !state.scopes.has(s)) return false;
  return true;
}
