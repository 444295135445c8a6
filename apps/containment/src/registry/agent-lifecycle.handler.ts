import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/messaging-nest';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { UniversalLogout } from '../logout/universal-logout';
import { KnownAgents } from './known-agents';

/**
 * Learns the registry, and carries a suspension or deprovisioning decided there (an offboarding cascade, a
 * review, an admin) to every connected system. The provisioner's echo of containment's own action for the
 * same agent is recognised by its cause (the action's id) and not fanned out twice; its sub-agents, suspended
 * with it, are logged out everywhere too.
 */
@Injectable()
export class AgentLifecycleHandler {
  constructor(
    private readonly known: KnownAgents,
    private readonly logout: UniversalLogout,
  ) {}

  @HandlesEvent(Topics.AgentLifecycle)
  async onAgentLifecycle(event: ConsumedEvent<'agent.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const agent = event.data;
    await this.known.remember(tx, { agentId: agent.agentId, ownerId: agent.ownerId, riskTier: agent.riskTier, status: agent.status }, new Date(agent.occurredAt));
    const ended = (agent.kind === 'agent.suspended' && agent.status === 'suspended') || (agent.kind === 'agent.deprovisioned' && agent.status === 'deprovisioned');
    if (!ended || (await this.isEchoOfOwnAction(tx, agent.agentId, agent.cause.eventId))) return;
    await this.logout.start(tx, {
      agentId: agent.agentId,
      ownerId: agent.ownerId,
      kind: agent.status === 'deprovisioned' ? 'deprovision' : 'contain',
      origin: 'lifecycle',
      requestedBy: `registry:${event.id}`.slice(0, 256),
      reason: `agent ${agent.status} in the registry${agent.statusReason ? `: ${agent.statusReason}` : ''}`.slice(0, 1000),
    });
  }

  private async isEchoOfOwnAction(tx: EntityManager, agentId: string, causeEventId: string | undefined): Promise<boolean> {
    if (!causeEventId) return false;
    const [row] = await tx.query(`SELECT 1 FROM "${CONTAINMENT_SCHEMA}"."actions" WHERE "id"::text = $1 AND "agent_id" = $2`, [causeEventId, agentId]);
    return row !== undefined;
  }
}
