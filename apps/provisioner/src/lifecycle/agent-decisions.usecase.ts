import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { ConsumedEvent } from '@agentgov/messaging';

import { AgentChanges } from '../agents/agent-changes';
import { AgentsRepository } from '../agents/agents.repository';
import { UpdateAgentUseCase } from '../agents/update-agent.usecase';
import { auditActor, eventCause } from '../common/cause';

export function containedCause(incidentId: string | undefined): string {
  return `contained:${incidentId ?? 'unspecified'}`;
}

/**
 * Decisions other services make about one agent, applied like any other change (with the causing event
 * recorded): containment contains, releases or deprovisions; a review revokes, suspends or removes scopes.
 */
@Injectable()
export class AgentDecisionsUseCase {
  private readonly logger = new Logger('AgentDecisions');

  constructor(
    private readonly agents: AgentsRepository,
    private readonly changes: AgentChanges,
    private readonly update: UpdateAgentUseCase,
    private readonly audit: AuditChain,
  ) {}

  async containment(event: ConsumedEvent<'containment.action.v1'>, tx: EntityManager): Promise<void> {
    const { agentId, kind, reason, incidentId } = event.data;
    const cause = eventCause(event.id, event.data.requestedBy.actor);
    if (!(await this.known(agentId, tx, event.id))) return;
    const at = new Date();
    const base = { select: { agentIds: [agentId] }, reason: `containment: ${reason}`.slice(0, 500), cause, at };
    if (kind === 'contain') {
      await this.changes.changeStatus(tx, { ...base, includeDescendants: true, to: 'suspended', statusCause: containedCause(incidentId) });
    } else if (kind === 'release') {
      await this.changes.changeStatus(tx, { ...base, includeDescendants: true, to: 'active', onlyIfStatusCause: containedCause(incidentId) });
    } else {
      await this.changes.changeStatus(tx, { ...base, includeDescendants: true, to: 'deprovisioned' });
    }
  }

  async review(event: ConsumedEvent<'review.decision.v1'>, tx: EntityManager): Promise<void> {
    const { agentId, decision, removeScopes, reviewId, decidedBy } = event.data;
    const cause = eventCause(event.id, decidedBy);
    const agent = await this.known(agentId, tx, event.id);
    if (!agent) return;
    const at = new Date();
    const reason = `review ${reviewId}: ${decision}${event.data.reason ? ` (${event.data.reason})` : ''}`.slice(0, 500);
    if (decision === 'revoke') {
      await this.changes.changeStatus(tx, { select: { agentIds: [agentId] }, includeDescendants: true, to: 'deprovisioned', reason, cause, at });
      return;
    }
    if (decision === 'suspend') {
      await this.changes.changeStatus(tx, {
        select: { agentIds: [agentId] },
        includeDescendants: true,
        to: 'suspended',
        reason,
        statusCause: `review:${reviewId}`,
        cause,
        at,
      });
      return;
    }
    if (removeScopes.length && agent.status !== 'deprovisioned') {
      await this.update.apply(tx, { agentId, scopes: agent.scopes.filter((s) => !removeScopes.includes(s)), cause });
    } else {
      await this.audit.append(tx, [{ at, ...auditActor(cause), action: 'agent.certified', subjectType: 'agent', subjectId: agentId, details: { reviewId } }]);
    }
  }

  private async known(agentId: string, tx: EntityManager, eventId: string) {
    const agent = await this.agents.findById(agentId, tx, true);
    if (!agent) this.logger.warn(`event ${eventId} names agent ${agentId}, which is not in the registry; nothing to change`);
    return agent;
  }
}
