import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';
import { returnedRows } from '@agentgov/persistence';

import { AGENT_COLUMNS, agentLifecycleEvent, AgentRecord, rowToAgent } from '../agents/agent-record';
import { auditActor, Cause } from '../common/cause';
import { AgentTokenStateCache } from './agent-token-state.cache';
import { CredentialsError, CredentialsErrorCode } from './credentials.errors';

/**
 * Revoke-all: every token an agent was issued until now becomes inactive, whatever their number, by moving
 * its not-before instant. New tokens issued afterwards are active again.
 */
@Injectable()
export class RevokeAgentTokensUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditChain,
    private readonly tokenStates: AgentTokenStateCache,
  ) {}

  async execute(agentId: string, cause: Cause): Promise<AgentRecord> {
    const [agent] = await this.dataSource.transaction((tx) => this.inTransaction(tx, [agentId], cause));
    this.tokenStates.forget(agentId);
    if (!agent) throw new CredentialsError(CredentialsErrorCode.AgentNotFound, `No agent ${agentId}.`);
    return agent;
  }

  /**
   * For callers with their own transaction (e.g. a cascade): one UPDATE for all the agents, with their audit
   * rows and `agent.credentials-revoked` events. Returns the agents found; unknown ids are skipped.
   */
  async inTransaction(tx: EntityManager, agentIds: readonly string[], cause: Cause): Promise<AgentRecord[]> {
    if (agentIds.length === 0) return [];
    const rows = returnedRows(
      await tx.query(
        `UPDATE "provisioner"."agents" SET "tokens_not_before" = greatest("tokens_not_before", now()), "updated_at" = now()
          WHERE "id" = ANY($1::uuid[]) RETURNING ${AGENT_COLUMNS}`,
        [agentIds],
      ),
    );
    const agents = rows.map(rowToAgent);
    if (agents.length === 0) return agents;
    const at = new Date();
    await this.audit.append(
      tx,
      agents.map((agent) => ({
        at,
        ...auditActor(cause),
        action: 'agent.tokens-revoked',
        subjectType: 'agent' as const,
        subjectId: agent.id,
        details: { tokensNotBefore: agent.tokensNotBefore?.toISOString() },
      })),
    );
    await this.outbox.append(
      tx,
      agents.map((agent) => ({ topic: Topics.AgentLifecycle, data: agentLifecycleEvent(agent, 'agent.credentials-revoked', cause, at) })),
    );
    return agents;
  }
}
