import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AccessTokenVerifier } from './access-token-verifier';
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

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, any>[] }>;
}

// One round trip by primary keys (agents.id, revoked_tokens.jti). Named, so each connection parses it once.
const STATE_QUERY = {
  name: 'credentials_introspect_v1',
  text: `SELECT ("a"."status" = 'active' AND ("a"."expires_at" IS NULL OR "a"."expires_at" > now())) AS "usable",
                floor(extract(epoch FROM "a"."tokens_not_before") * 1000)::float8 AS "not_before_ms",
                EXISTS (SELECT 1 FROM "provisioner"."revoked_tokens" "r" WHERE "r"."jti" = $2) AS "revoked"
           FROM "provisioner"."agents" "a" WHERE "a"."id" = $1`,
};

const INACTIVE = Object.freeze({ active: false as const });

/**
 * RFC 7662 introspection. The signature and expiry are checked in memory; whether the agent may still use
 * it is read from the database on every call, so a suspension or revoke-all committed by any replica
 * counts at once.
 */
@Injectable()
export class IntrospectTokenUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  /** TypeORM's own pg pool: its named statements need the pg API, not DataSource.query. */
  private get pool(): PgPool {
    return (this.dataSource.driver as unknown as { master: PgPool }).master;
  }

  async execute(token: string): Promise<IntrospectionResponse> {
    const payload = await this.verifier.verify(token);
    if (!payload) return INACTIVE;
    const { rows } = await this.pool.query({ ...STATE_QUERY, values: [payload.sub, payload.jti] });
    const state = rows[0];
    if (!state || state.usable !== true || state.revoked === true) return INACTIVE;
    if (revokedByNotBefore(issuedAtMs(payload), Number(state.not_before_ms))) return INACTIVE;
    return {
      active: true,
      sub: payload.sub,
      client_id: typeof payload.client_id === 'string' ? payload.client_id : payload.sub,
      scope: typeof payload.scope === 'string' ? payload.scope : '',
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
