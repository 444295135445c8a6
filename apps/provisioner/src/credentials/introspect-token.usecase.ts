import { Injectable } from '@nestjs/common';

import { AccessTokenVerifier } from './access-token-verifier';
import { AgentTokenStateCache } from './agent-token-state.cache';
import { issuedAtMs, revokedByNotBefore } from './token-activity';

export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      sub: string;
      client_id: string;
      scope: string;
      exp: number;
      iat: number;
      jti: string;
      iss: string;
      token_type: 'Bearer';
      aud?: string | string[];
      act?: unknown;
    };

const INACTIVE = Object.freeze({ active: false as const });

/**
 * RFC 7662 introspection. The signature and expiry are checked in memory; whether the agent may still use
 * the token comes from AgentTokenStateCache, which every committed suspension, revoke-all or revocation,
 * on any replica, invalidates through a Postgres notification.
 */
@Injectable()
export class IntrospectTokenUseCase {
  constructor(
    private readonly states: AgentTokenStateCache,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  async execute(token: string): Promise<IntrospectionResponse> {
    const payload = await this.verifier.verify(token);
    if (!payload) return INACTIVE;
    const state = await this.states.get(payload.sub);
    if (!state?.active || state.revokedJtis.has(payload.jti)) return INACTIVE;
    if (state.expiresAtMs !== null && state.expiresAtMs <= Date.now()) return INACTIVE;
    if (revokedByNotBefore(issuedAtMs(payload), state.notBeforeMs)) return INACTIVE;
    const scope = typeof payload.scope === 'string' ? payload.scope : '';
    // Narrowing an agent's scopes ends its live tokens that carry a removed one (new tokens get the new scopes).
    if (!withinScopes(scope, state.scopes)) return INACTIVE;
    return {
      active: true,
      sub: payload.sub,
      client_id: typeof payload.client_id === 'string' ? payload.client_id : payload.sub,
      scope,
      exp: payload.exp,
      iat: payload.iat,
      jti: payload.jti,
      iss: payload.iss as string,
      token_type: 'Bearer',
      ...(payload.aud !== undefined ? { aud: payload.aud } : {}),
      ...(payload.act !== undefined ? { act: payload.act } : {}),
    };
  }
}

function withinScopes(scope: string, allowed: ReadonlySet<string>): boolean {
  for (const s of scope.split(' ')) if (s !== '' && !allowed.has(s)) return false;
  return true;
}
