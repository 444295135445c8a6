import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/service-infrastructure';

import { AgentProfilesRepository } from './agent-profiles.repository';

/** Learns the registry from the provisioner's lifecycle events. */
@Injectable()
export class AgentProfilesHandler {
  constructor(private readonly known: AgentProfilesRepository) {}

  @HandlesEvent(Topics.AgentLifecycle)
  async onAgentLifecycle(event: ConsumedEvent<'agent.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const { agentId, ownerId, riskTier, status, platform, purpose, occurredAt } = event.data;
    await this.known.remember(tx, agentId, { ownerId, riskTier, status, platform, purpose: purpose.slice(0, 200) }, new Date(occurredAt));
  }
}
