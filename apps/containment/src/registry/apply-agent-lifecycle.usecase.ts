import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { isUuid } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';

import { ActionsRepository } from '../actions/actions.repository';
import { UniversalLogout } from '../actions/universal-logout';
import { KnownAgentsRepository } from './known-agents.repository';

/**
 * Learns the registry, and carries a suspension, deprovisioning or reactivation decided there (an offboarding
 * cascade, a review, an admin, a reinstatement) to every connected system. The provisioner's echo of
 * containment's own action for the same agent is recognised by its cause (the action's id) and not fanned out
 * twice; its sub-agents, suspended or restored with it, are reached too.
 */
@Injectable()
export class ApplyAgentLifecycleUseCase {
  constructor(
    private readonly known: KnownAgentsRepository,
    private readonly actions: ActionsRepository,
    private readonly logout: UniversalLogout,
  ) {}

  async execute(event: ConsumedEvent<'agent.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const agent = event.data;
    const current = await this.known.remember(
      tx,
      { agentId: agent.agentId, ownerId: agent.ownerId, riskTier: agent.riskTier, status: agent.status },
      new Date(agent.occurredAt),
    );
    // An event older than what the registry copy holds (a replay, a dead letter re-driven late) is history: acting on
    // it would re-enable a suspended agent at every connector, or log out a live one.
    if (!current) return;
    if (await this.isEchoOfOwnAction(tx, agent.agentId, agent.cause.eventId)) return;
    const ended =
      (agent.kind === 'agent.suspended' && agent.status === 'suspended') || (agent.kind === 'agent.deprovisioned' && agent.status === 'deprovisioned');
    // A reactivation undoes what the registry's suspension did at the connectors (a sub-agent restored with its
    // released parent, the agents of a reinstated owner), and only that.
    const restored =
      agent.kind === 'agent.reactivated' && agent.status === 'active' && (await this.actions.lastRegistryActionKind(tx, agent.agentId)) === 'contain';
    if (!ended && !restored) return;
    await this.logout.start(tx, {
      agentId: agent.agentId,
      ownerId: agent.ownerId,
      kind: restored ? 'release' : agent.status === 'deprovisioned' ? 'deprovision' : 'contain',
      origin: 'lifecycle',
      requestedBy: `registry:${event.id}`.slice(0, 256),
      reason: `agent ${agent.status === 'active' ? 'reactivated' : agent.status} in the registry${agent.statusReason ? `: ${agent.statusReason}` : ''}`.slice(
        0,
        1000,
      ),
    });
  }

  /** The provisioner names containment's own action (by its id, a uuid) as the cause of its echo for that agent. */
  private async isEchoOfOwnAction(tx: EntityManager, agentId: string, causeEventId: string | undefined): Promise<boolean> {
    if (!isUuid(causeEventId)) return false;
    return this.actions.isActionAbout(tx, causeEventId, agentId);
  }
}
