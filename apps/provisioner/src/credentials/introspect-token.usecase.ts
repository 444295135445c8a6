import { Injectable } from '@nestjs/common';

import { clientIdOf } from './access-token-claims';
import { AccessTokenVerifier } from './access-token-verifier';
import { TokenLiveness } from './token-liveness';

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
      may_act?: unknown;
    };

const INACTIVE = Object.freeze({ active: false as const });

/**
 * RFC 7662 introspection. The signature and expiry are checked in memory; whether the token may still be used comes
 * from TokenLiveness, whose per-agent state every committed suspension, revoke-all or revocation, on any replica,
 * invalidates through a Postgres notification.
 */
@Injectable()
export class IntrospectTokenUseCase {
  constructor(
    private readonly liveness: TokenLiveness,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  async execute(token: string): Promise<IntrospectionResponse> {
    const payload = await this.verifier.verify(token);
    if (!payload || !(await this.liveness.isLive(payload))) return INACTIVE;
    return {
      active: true,
      sub: payload.sub,
      client_id: clientIdOf(payload),
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      exp: payload.exp,
      iat: payload.iat,
      jti: payload.jti,
      iss: payload.iss as string,
      token_type: 'Bearer',
      ...(payload.aud !== undefined ? { aud: payload.aud } : {}),
      ...(payload.act !== undefined ? { act: payload.act } : {}),
      ...(payload.may_act !== undefined ? { may_act: payload.may_act } : {}),
    };
  }
}
