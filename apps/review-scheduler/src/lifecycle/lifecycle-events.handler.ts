import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/service-infrastructure';

import { RegistryRepository } from '../registry/registry.repository';
import { AgentLifecycleUseCase } from './agent-lifecycle.usecase';
import { IncidentReleasedUseCase } from './incident-released.usecase';
import { OwnerLifecycleUseCase } from './owner-lifecycle.usecase';

/** Thin: each event goes to its use case (usage straight to the registry), inside the inbox transaction. */
@Injectable()
export class LifecycleEventsHandler {
  constructor(
    private readonly agents: AgentLifecycleUseCase,
    private readonly owners: OwnerLifecycleUseCase,
    private readonly released: IncidentReleasedUseCase,
    private readonly registry: RegistryRepository,
  ) {}

  @HandlesEvent(Topics.AgentLifecycle)
  onAgentLifecycle(event: ConsumedEvent<'agent.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    return this.agents.execute(event, tx);
  }

  /** Usage is learnt from the baseliner's summaries, never from another service's tables. */
  @HandlesEvent(Topics.AgentUsage)
  onAgentUsage(event: ConsumedEvent<'agent.usage.v1'>, tx: EntityManager): Promise<void> {
    return this.registry.recordUsage(tx, event.data.agentId, new Date(event.data.lastSeenAt), event.data.scopesUsed);
  }

  @HandlesEvent(Topics.IdentityLifecycle)
  onIdentityLifecycle(event: ConsumedEvent<'identity.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    return this.owners.execute(event, tx);
  }

  @HandlesEvent(Topics.ContainmentAction)
  onContainmentAction(event: ConsumedEvent<'containment.action.v1'>, tx: EntityManager): Promise<void> {
    return this.released.execute(event, tx);
  }
}
