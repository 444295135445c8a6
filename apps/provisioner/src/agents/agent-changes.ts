import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { AgentStatus, Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';
import { returnedRows } from '@agentgov/persistence';

import { auditActor, Cause } from '../common/cause';
import { AGENT_COLUMNS, agentLifecycleEvent, AgentLifecycleKind, AgentRecord, rowToAgent } from './agent-record';

const T = `"provisioner"."agents"`;

/** Which agents a change starts from; descendants are included when asked. */
export type AgentSelection = { ownerId: string } | { agentIds: string[] };

export interface StatusChange {
  select: AgentSelection;
  includeDescendants: boolean;
  to: AgentStatus;
  /** Human-readable, shown to analysts and carried in the event. */
  reason: string;
  /** Machine-readable cause of a suspension (e.g. `owner-suspended:<ownerId>`), so lifting it restores only what it took. */
  statusCause?: string;
  /** For reactivation: only agents suspended for this cause come back. */
  onlyIfStatusCause?: string;
  cause: Cause;
  at: Date;
}

const KIND_OF: Record<AgentStatus, AgentLifecycleKind> = {
  active: 'agent.reactivated',
  suspended: 'agent.suspended',
  deprovisioned: 'agent.deprovisioned',
};

/**
 * Every change to agents goes through here, inside the caller's transaction: the state change, one audit
 * record and one agent.lifecycle.v1 event (through the outbox) per agent changed, all or nothing.
 */
@Injectable()
export class AgentChanges {
  constructor(
    private readonly audit: AuditChain,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * Moves the selected agents (and descendants) to a status, in one statement. Only legal moves happen:
   * deprovisioned is final; only active agents are suspended (an agent already suspended keeps its first
   * cause); only suspended agents come back, and only those suspended for `onlyIfStatusCause`.
   * Leaving `active` also sets tokens_not_before, so every token issued before stops introspecting active.
   */
  async changeStatus(tx: EntityManager, change: StatusChange): Promise<AgentRecord[]> {
    if ('agentIds' in change.select && change.select.agentIds.length === 0) return [];
    const params: unknown[] = [];
    const roots =
      'ownerId' in change.select
        ? `SELECT "id" FROM ${T} WHERE "owner_id" = $${params.push(change.select.ownerId)}`
        : `SELECT "id" FROM ${T} WHERE "id" = ANY($${params.push(change.select.agentIds)}::uuid[])`;
    const scope = change.includeDescendants
      ? `WITH RECURSIVE tree AS (${roots} UNION SELECT a."id" FROM ${T} a JOIN tree t ON a."parent_id" = t."id") SELECT "id" FROM tree`
      : roots;
    const from =
      change.to === 'deprovisioned'
        ? `"status" <> 'deprovisioned'`
        : change.to === 'suspended'
          ? `"status" = 'active'`
          : `"status" = 'suspended'${change.onlyIfStatusCause ? ` AND "status_cause" = $${params.push(change.onlyIfStatusCause)}` : ''}`;
    const to = `$${params.push(change.to)}`;
    const reason = `$${params.push(change.to === 'active' ? null : change.reason)}`;
    const statusCause = `$${params.push(change.to === 'active' ? null : (change.statusCause ?? null))}`;
    // The moment of the change, not the source's event time: tokens issued before now must all die.
    const notBefore = change.to === 'active' ? `"tokens_not_before"` : 'clock_timestamp()';
    const result = await tx.query(
      `UPDATE ${T} SET "status" = ${to}, "status_reason" = ${reason}, "status_cause" = ${statusCause},
         "tokens_not_before" = ${notBefore}, "updated_at" = now()
       WHERE "id" IN (${scope}) AND ${from}
       RETURNING ${AGENT_COLUMNS}`,
      params,
    );
    const agents = returnedRows(result).map(rowToAgent);
    await this.announce(tx, agents, KIND_OF[change.to], change.cause, change.at, { reason: change.reason });
    return agents;
  }

  /** Moves agents to a new accountable owner (a manager taking over a leaver's agents). */
  async reassign(tx: EntityManager, agentIds: string[], newOwnerId: string, reason: string, cause: Cause, at: Date): Promise<AgentRecord[]> {
    if (agentIds.length === 0) return [];
    const result = await tx.query(
      `UPDATE ${T} SET "owner_id" = $1, "updated_at" = now() WHERE "id" = ANY($2::uuid[]) AND "status" <> 'deprovisioned'
       RETURNING ${AGENT_COLUMNS}`,
      [newOwnerId, agentIds],
    );
    const agents = returnedRows(result).map(rowToAgent);
    await this.announce(tx, agents, 'agent.owner-changed', cause, at, { reason, newOwnerId });
    return agents;
  }

  /** Writes the audit records and lifecycle events of agents already changed in this transaction. */
  async announce(
    tx: EntityManager,
    agents: AgentRecord[],
    kind: AgentLifecycleKind,
    cause: Cause,
    at: Date,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    if (agents.length === 0) return;
    await this.audit.append(
      tx,
      agents.map((agent) => ({
        at,
        ...auditActor(cause),
        action: kind,
        subjectType: 'agent' as const,
        subjectId: agent.id,
        details: { ...details, ownerId: agent.ownerId, status: agent.status },
      })),
    );
    await this.outbox.append(
      tx,
      agents.map((agent) => ({ topic: Topics.AgentLifecycle, data: agentLifecycleEvent(agent, kind, cause, at) })),
    );
  }
}
