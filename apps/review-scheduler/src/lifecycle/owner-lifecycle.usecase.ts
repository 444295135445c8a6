import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { assertPlausibleEventTime, OWNER_STATUS_AFTER } from '@agentgov/contracts';
import { ConsumedEvent, NonRetryableError } from '@agentgov/messaging';

import { ReviewClock } from '../clock/review-clock';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from '../reviews/review-changes';

/**
 * Learns the owner's status and manager from identity.lifecycle.v1 (who reviews their agents once they are no
 * longer active); an owner transferred puts each of their live agents up for review.
 */
@Injectable()
export class OwnerLifecycleUseCase {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly changes: ReviewChanges,
    private readonly clock: ReviewClock,
  ) {}

  async execute(event: ConsumedEvent<'identity.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const e = event.data;
    const at = new Date(e.occurredAt);
    // Owner events apply in event-time order, so one dated far ahead would make the owner deaf to every real change
    // after it (identity.lifecycle.v1 has producers outside this system): dead-lettered, as at the provisioner.
    assertPlausibleEventTime(at, (detail) => new NonRetryableError(`occurredAt ${detail}`));
    const status = OWNER_STATUS_AFTER[e.kind];
    // A transfer names the new manager; other events carry the manager the registry knew.
    const current = await this.registry.rememberOwner(tx, e.ownerId, { status, managerId: e.newManagerId ?? e.managerId }, at);
    if (!current || e.kind !== 'owner.transferred') return;
    const now = this.clock.now();
    const cause = { actorType: 'event', actor: event.source, causeEventId: event.id } as const;
    for (const agent of await this.registry.agentsOfOwner(tx, e.ownerId)) await this.changes.open(tx, agent, 'owner-transferred', now, undefined, cause);
  }
}
