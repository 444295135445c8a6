import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { DomainError } from '@agentgov/service-runtime';

import { apiCause } from '../common/cause';
import { AgentTokenStateCache } from '../credentials/agent-token-state.cache';
import { CREDENTIALS_CONFIG, CredentialsConfig } from '../credentials/credentials.config';
import { RevokeAgentTokensUseCase } from '../credentials/revoke-agent-tokens.usecase';
import { GlobalTokenRevocationError, GlobalTokenRevocationErrorCode } from './global-token-revocation.errors';
import { GlobalTokenRevocationRepository, RevocationSubject } from './global-token-revocation.repository';
import { RevocationCaller } from './revocation-caller';
import { describeSubject, GlobalTokenRevocationSubject } from './subject-identifier';

/** At most this many agent ids are listed in the one audit record of a revocation (each agent has its own record too). */
const AUDITED_AGENT_IDS = 1000;

export interface GlobalTokenRevocationOutcome {
  subject: RevocationSubject;
  agentsRevoked: number;
}

/**
 * Global Token Revocation (draft-parecki-oauth-global-token-revocation-06 §3.3): every token of the subject ends at
 * once. This issuer has neither refresh tokens nor sessions: an agent's access tokens are all it holds, and they are
 * ended the way revoke-all ends them (`tokens_not_before` moved to now, in one UPDATE for all the agents), so every
 * replica's introspection answers inactive from the commit on (its cache is invalidated by the database's
 * notification, this replica's at once). §3.3's "re-authenticate before issuing new tokens" holds by the grant
 * itself: a new token takes the agent's client secret again. Idempotent: a repeated request ends tokens issued since
 * the first, and nothing else. One audit record names the caller, the identifier as sent and what it resolved to;
 * each agent gets its own `agent.tokens-revoked` record and `agent.credentials-revoked` event. A trusted IdP's
 * assertion is used once (its jti recorded in the same transaction) and names only the owners linked to that IdP.
 */
@Injectable()
export class GlobalTokenRevocationUseCase {
  private readonly logger = new Logger('GlobalTokenRevocation');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: GlobalTokenRevocationRepository,
    private readonly revokeAll: RevokeAgentTokensUseCase,
    private readonly audit: AuditChain,
    private readonly tokenStates: AgentTokenStateCache,
    @Inject(CREDENTIALS_CONFIG) private readonly config: CredentialsConfig,
  ) {}

  async execute(requested: GlobalTokenRevocationSubject, caller: RevocationCaller): Promise<GlobalTokenRevocationOutcome> {
    const actor = caller.kind === 'platform' ? caller.subject : `idp:${caller.idp.issuer}`;
    const cause = apiCause(actor);
    let revoked: string[] = [];
    try {
      const outcome = await this.dataSource.transaction(async (tx) => {
        if (caller.kind === 'idp' && !(await this.repository.useAssertion(tx, caller.idp.issuer, caller.jti, caller.expiresAt))) {
          throw new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.AssertionReplayed, 'Send a fresh assertion (a new jti) with each request.');
        }
        const subject =
          caller.kind === 'idp'
            ? await this.repository.resolveForIdp(tx, requested, caller.idp)
            : await this.repository.resolve(tx, requested, this.config.issuer);
        const agents = await this.revokeAll.inTransaction(tx, await this.repository.agentsOf(tx, subject), cause);
        revoked = agents.map((agent) => agent.id).sort();
        await this.audit.append(tx, [
          {
            at: new Date(),
            actorType: 'api',
            actor,
            action: 'global-token-revocation',
            subjectType: subject.type,
            subjectId: subject.id,
            details: {
              subjectIdentifier: describeSubject(requested),
              authentication: caller.kind === 'idp' ? 'global-token-revocation+jwt' : 'bearer',
              agentsRevoked: revoked.length,
              agentIds: revoked.slice(0, AUDITED_AGENT_IDS),
            },
          },
        ]);
        return { subject, agentsRevoked: revoked.length };
      });
      return outcome;
    } catch (error) {
      // The identifier itself (an email, an IdP user id) stays out of the log: it is in the audit trail when it acted.
      this.logger.warn(
        `global token revocation by ${actor} for a ${requested.format} subject refused or failed: ${error instanceof DomainError ? error.code : (error as Error).name}`,
      );
      throw error;
    } finally {
      // After the commit (or nothing was revoked): this replica's next introspection already sees it.
      for (const id of revoked) this.tokenStates.forget(id);
    }
  }
}
