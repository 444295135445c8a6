import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { ConsumedEvent } from '@agentgov/messaging';

import { ReviewClock } from '../clock/review-clock';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from '../reviews/review-changes';

/** An agent released after an incident is put up for review; other containment actions call for nothing here. */
@Injectable()
export class IncidentReleasedUseCase {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly changes: ReviewChanges,
    private readonly clock: ReviewClock,
  ) {}

  async execute(event: ConsumedEvent<'containment.action.v1'>, tx: EntityManager): Promise<void> {
    if (event.data.kind !== 'release') return;
    const agent = await this.registry.findAgent(tx, event.data.agentId);
    if (agent && agent.status !== 'deprovisioned')
      await this.changes.open(tx, agent, 'incident-released', this.clock.now(), undefined, { actorType: 'event', actor: event.source, causeEventId: event.id });
  }
}
