import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { isUuid, Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/messaging-nest';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { UniversalLogout } from '../logout/universal-logout';
import { KnownAgents } from './known-agents';

/**
 * Learns the registry, and carries a suspension, deprovisioning or reactivation decided there (an offboarding
 * cascade, a review, an admin, a reinstatement) to every connected system. The provisioner's echo of
 * containment's own action for the same agent is recognised by its cause (the action's id) and not fanned out
 * twice; its sub-agents, suspended or restored with it, are reached too.
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
    if (await this.isEchoOfOwnAction(tx, agent.agentId, agent.cause.eventId)) return;
    const ended = (agent.kind === 'agent.suspended' && agent.status === 'suspended') || (agent.kind === 'agent.deprovisioned' && agent.status === 'deprovisioned');
    // A reactivation undoes what the registry's suspension did at the connectors (a sub-agent restored with its
    // released parent, the agents of a reinstated owner), and only that.
    const restored = agent.kind === 'agent.reactivated' && agent.status === 'active' && (await this.lastRegistryActionWasContain(tx, agent.agentId));
    if (!ended && !restored) return;
    await this.logout.start(tx, {
      agentId: agent.agentId,
      ownerId: agent.ownerId,
      kind: restored ? 'release' : agent.status === 'deprovisioned' ? 'deprovision' : 'contain',
      origin: 'lifecycle',
      requestedBy: `registry:${event.id}`.slice(0, 256),
      reason: `agent ${agent.status === 'active' ? 'reactivated' : agent.status} in the registry${agent.statusReason ? `: ${agent.statusReason}` : ''}`.slice(0, 1000),
    });
  }

  /** The provisioner names containment's own action (by its id, a uuid) as the cause of its echo for that agent. */
  private async isEchoOfOwnAction(tx: EntityManager, agentId: string, causeEventId: string | undefined): Promise<boolean> {
    if (!isUuid(causeEventId)) return false;
    const [row] = await tx.query(`SELECT 1 FROM "${CONTAINMENT_SCHEMA}"."actions" WHERE "id" = $1::uuid AND "agent_id" = $2`, [causeEventId, agentId]);
    return row !== undefined;
  }

  private async lastRegistryActionWasContain(tx: EntityManager, agentId: string): Promise<boolean> {
    const [last] = await tx.query(
      `SELECT "kind" FROM "${CONTAINMENT_SCHEMA}"."actions" WHERE "agent_id" = $1 AND "origin" = 'lifecycle' ORDER BY "created_at" DESC LIMIT 1`,
      [agentId],
    );
    return last?.kind === 'contain';
  }
}

