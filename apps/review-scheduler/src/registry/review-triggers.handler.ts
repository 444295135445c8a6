import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { OWNER_STATUS_AFTER, Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/messaging-nest';

import { ReviewClock } from '../clock/review-clock';
import { nextCertification, ReviewPolicy } from '../reviews/review-policy';
import { REVIEW_POLICY, Reviews } from '../reviews/reviews';
import { ReviewRegistry } from './review-registry';

/**
 * Learns the registry and usage from events, and opens the reviews that events call for: an agent reassigned
 * or given wider scopes, an owner transferred, an incident released. A deprovisioned agent's open review closes.
 */
@Injectable()
export class ReviewTriggersHandler {
  constructor(
    private readonly registry: ReviewRegistry,
    private readonly reviews: Reviews,
    private readonly clock: ReviewClock,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  @HandlesEvent(Topics.AgentLifecycle)
  async onAgentLifecycle(event: ConsumedEvent<'agent.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const a = event.data;
    const now = this.clock.now();
    const before = await this.registry.findAgent(tx, a.agentId, true);
    const agent = { agentId: a.agentId, ownerId: a.ownerId, riskTier: a.riskTier, status: a.status, scopes: a.scopes, ...(a.expiresAt ? { expiresAt: new Date(a.expiresAt) } : {}) };
    const credentialsRotatedAt = a.credentialsRotatedAt ? new Date(a.credentialsRotatedAt) : undefined;
    await this.registry.rememberAgent(tx, { ...agent, platform: a.platform, credentialsRotatedAt }, nextCertification(this.policy, a.riskTier, now), new Date(a.occurredAt), now);
    if (a.status === 'deprovisioned') {
      await this.reviews.closeOpenOf(tx, a.agentId, now);
      return;
    }
    if (!before) return;
    if (a.kind === 'agent.owner-changed' && before.ownerId !== a.ownerId) await this.reviews.open(tx, agent, 'agent-reassigned', now);
    else if (a.scopes.some((s) => !before.scopes.includes(s))) await this.reviews.open(tx, agent, 'scopes-widened', now);
  }

  /** Usage is learnt from the baseliner's summaries, never from another service's tables. */
  @HandlesEvent(Topics.AgentUsage)
  async onAgentUsage(event: ConsumedEvent<'agent.usage.v1'>, tx: EntityManager): Promise<void> {
    await this.registry.recordUsage(tx, event.data.agentId, new Date(event.data.lastSeenAt), event.data.scopesUsed);
  }

  @HandlesEvent(Topics.IdentityLifecycle)
  async onIdentityLifecycle(event: ConsumedEvent<'identity.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const e = event.data;
    const at = new Date(e.occurredAt);
    const status = OWNER_STATUS_AFTER[e.kind];
    // A transfer names the new manager; other events carry the manager the registry knew.
    await this.registry.rememberOwner(tx, e.ownerId, { status, managerId: e.newManagerId ?? e.managerId }, at);
    if (e.kind !== 'owner.transferred') return;
    const now = this.clock.now();
    for (const agent of await this.registry.agentsOfOwner(tx, e.ownerId)) await this.reviews.open(tx, agent, 'owner-transferred', now);
  }

  @HandlesEvent(Topics.ContainmentAction)
  async onContainmentAction(event: ConsumedEvent<'containment.action.v1'>, tx: EntityManager): Promise<void> {
    if (event.data.kind !== 'release') return;
    const agent = await this.registry.findAgent(tx, event.data.agentId);
    if (agent && agent.status !== 'deprovisioned') await this.reviews.open(tx, agent, 'incident-released', this.clock.now());
  }
}
