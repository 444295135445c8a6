import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { ConsumedEvent } from '@agentgov/messaging';

import { ReviewClock } from '../clock/review-clock';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from '../reviews/review-changes';
import { nextCertification, REVIEW_POLICY, ReviewPolicy } from '../reviews/review-policy';

/**
 * Learns the agent as agent.lifecycle.v1 describes it (the first time, with its first certification date) and
 * opens the review the change calls for: an agent reassigned to another owner, or given wider scopes. A
 * deprovisioned agent's open review closes; one whose agent became high or critical moves away from its owner.
 */
@Injectable()
export class AgentLifecycleUseCase {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly changes: ReviewChanges,
    private readonly clock: ReviewClock,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  async execute(event: ConsumedEvent<'agent.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const a = event.data;
    const now = this.clock.now();
    const cause = { actorType: 'event', actor: event.source, causeEventId: event.id } as const;
    const before = await this.registry.findAgent(tx, a.agentId, true);
    const agent = {
      agentId: a.agentId,
      ownerId: a.ownerId,
      riskTier: a.riskTier,
      status: a.status,
      scopes: a.scopes,
      ...(a.expiresAt ? { expiresAt: new Date(a.expiresAt) } : {}),
    };
    const credentialsRotatedAt = a.credentialsRotatedAt ? new Date(a.credentialsRotatedAt) : undefined;
    await this.registry.rememberAgent(
      tx,
      { ...agent, platform: a.platform, credentialsRotatedAt },
      nextCertification(this.policy, a.riskTier, now),
      new Date(a.occurredAt),
      now,
    );
    if (a.status === 'deprovisioned') {
      await this.changes.closeOpenOf(tx, a.agentId, now, cause);
      return;
    }
    if (!before) return;
    if (a.kind === 'agent.owner-changed' && before.ownerId !== a.ownerId) await this.changes.open(tx, agent, 'agent-reassigned', now, undefined, cause);
    else if (a.scopes.some((s) => !before.scopes.includes(s))) await this.changes.open(tx, agent, 'scopes-widened', now, undefined, cause);
    // A review already open stays open; if the agent became high or critical, or passed to the person reviewing it,
    // that review leaves its new owner's hands (separation of duties).
    if (before.riskTier !== a.riskTier || before.ownerId !== a.ownerId) await this.changes.keepFromOwner(tx, agent, now, cause);
  }
}
