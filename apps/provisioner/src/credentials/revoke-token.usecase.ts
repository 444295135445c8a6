import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { clientIdOf } from './access-token-claims';
import { AccessTokenVerifier } from './access-token-verifier';
import { AgentTokenStateCache } from './agent-token-state.cache';
import { AuthenticatedClient } from './client-authenticator';
import { OAuthError } from './credentials.errors';

const PRUNE_BATCH = 500;

/**
 * RFC 7009 revocation of one access token by the client it was issued to. Tokens that are not ours, are
 * malformed or have expired need nothing done and are answered like a success, as the RFC asks.
 */
@Injectable()
export class RevokeTokenUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly verifier: AccessTokenVerifier,
    private readonly audit: AuditChain,
    private readonly tokenStates: AgentTokenStateCache,
  ) {}

  async execute(client: AuthenticatedClient, token: string): Promise<void> {
    const payload = await this.verifier.verify(token);
    if (!payload) return;
    if (clientIdOf(payload) !== client.id) throw new OAuthError('unauthorized_client', 'A client may revoke only its own tokens.');
    await this.dataSource.transaction(async (tx) => {
      const inserted = (await tx.query(
        `INSERT INTO "provisioner"."revoked_tokens" ("jti", "agent_id", "expires_at") VALUES ($1, $2, to_timestamp($3))
           ON CONFLICT ("jti") DO NOTHING RETURNING "revoked_at"`,
        [payload.jti, client.id, payload.exp],
      )) as unknown[];
      // Expired rows can never match a live token again; remove a few each time instead of a job.
      await tx.query(
        `DELETE FROM "provisioner"."revoked_tokens" WHERE "jti" IN (
           SELECT "jti" FROM "provisioner"."revoked_tokens" WHERE "expires_at" < now() - interval '5 minutes' LIMIT ${PRUNE_BATCH})`,
      );
      if (inserted.length === 0) return;
      await this.audit.append(tx, [
        {
          at: new Date(),
          actorType: 'api',
          actor: client.id,
          action: 'agent.token-revoked',
          subjectType: 'agent',
          subjectId: client.id,
          details: { jti: payload.jti, expiresAt: new Date(payload.exp * 1000).toISOString() },
        },
      ]);
    });
    this.tokenStates.forget(client.id);
  }
}
