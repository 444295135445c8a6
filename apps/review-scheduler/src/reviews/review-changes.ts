import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AuditChain, AuditEntry } from '@agentgov/audit-trail';
import { Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';

import { KnownAgent, RegistryRepository } from '../registry/registry.repository';
import { dueDate, nextCertification, REVIEW_POLICY, ReviewPolicy } from './review-policy';
import { Decision, Review, ReviewReason, ReviewState } from './review-record';
import { escalationReviewer, mayDecide, ownerMayDecide, ReviewedAgent, ReviewerFacts, reviewerFor } from './reviewer-assignment';
import { ReviewsRepository } from './reviews.repository';

/**
 * Every change to reviews goes through here, inside the caller's transaction: opening, moving and deciding,
 * each with its event (through the outbox). At most one review per agent is open at a time (a unique index):
 * a second reason while one is open adds nothing, and two replicas racing to open the same review end with one.
 */
/** Who caused a change, for the audit trail; the scheduler's own timers unless said otherwise. */
export type ReviewCause = Pick<AuditEntry, 'actorType' | 'actor' | 'causeEventId'>;
const SCHEDULER: ReviewCause = { actorType: 'system', actor: 'review-scheduler' };

@Injectable()
export class ReviewChanges {
  constructor(
    private readonly audit: AuditChain,
    private readonly registry: RegistryRepository,
    private readonly reviews: ReviewsRepository,
    @Inject(OutboxWriter) private readonly outbox: OutboxWriter,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  /** Opens a review unless the agent has one open; scopes unused for `unusedScopeDays` are proposed for removal. */
  async open(
    tx: EntityManager,
    agent: KnownAgent,
    reason: ReviewReason,
    at: Date,
    campaign?: { id: string; dueAt: Date },
    cause: ReviewCause = SCHEDULER,
  ): Promise<Review | undefined> {
    const reviewerId = reviewerFor(await this.reviewerFacts(tx, agent));
    const proposals = await this.registry.unusedScopes(tx, agent.agentId, this.policy.unusedScopeDays, at);
    const review = await this.reviews.insertOpen(tx, {
      id: randomUUID(),
      agentId: agent.agentId,
      ownerId: agent.ownerId,
      reviewerId,
      reason,
      openedAt: at,
      dueAt: campaign?.dueAt ?? dueDate(this.policy, at),
      proposedScopeRemovals: proposals,
      campaignId: campaign?.id ?? null,
    });
    if (!review) return undefined;
    await this.announce(tx, review, at, cause);
    return review;
  }

  /** A new state of an undecided review (reminded, overdue, escalated to another reviewer). */
  async move(tx: EntityManager, review: Review, state: ReviewState, at: Date, reviewerId = review.reviewerId): Promise<void> {
    await this.reviews.setState(tx, review.id, state, reviewerId);
    await this.announce(tx, { ...review, state, reviewerId }, at, SCHEDULER);
  }

  /** An overdue review escalates: to the owner's manager when known, never back to the owner of a high-risk agent. */
  async escalate(tx: EntityManager, review: Review, at: Date): Promise<void> {
    const agent = (await this.registry.findAgent(tx, review.agentId)) ?? { ownerId: review.ownerId, riskTier: undefined };
    await this.move(tx, review, 'escalated', at, escalationReviewer(await this.reviewerFacts(tx, agent), review.reviewerId));
  }

  /**
   * The agent's open review, if its reviewer may no longer decide it (the agent became high or critical while its
   * owner held the review, or passed to the person reviewing it), goes where a new review would.
   */
  async keepFromOwner(tx: EntityManager, agent: KnownAgent, at: Date, cause: ReviewCause): Promise<void> {
    if (ownerMayDecide(agent.riskTier)) return;
    const review = await this.reviews.lockOpenOf(tx, agent.agentId);
    if (!review || mayDecide(review.reviewerId, agent)) return;
    const reviewerId = reviewerFor(await this.reviewerFacts(tx, agent));
    await this.reviews.setState(tx, review.id, review.state, reviewerId);
    await this.announce(tx, { ...review, reviewerId }, at, cause, 'review.reassigned');
  }

  /**
   * Closes the review with a decision the provisioner acts on (review.decision.v1): certify (optionally
   * removing scopes; the next certification is scheduled), revoke (deprovision) or suspend.
   */
  async decide(
    tx: EntityManager,
    review: Review,
    agent: KnownAgent | undefined,
    decision: { decision: Decision; removeScopes: string[]; decidedBy: string; reason?: string },
    at: Date,
  ): Promise<Review> {
    const next = decision.decision === 'certify' && agent ? nextCertification(this.policy, agent.riskTier, at) : null;
    const closed = await this.reviews.close(tx, review.id, { decision: decision.decision, decidedBy: decision.decidedBy, reason: decision.reason, at });
    if (agent) await this.registry.setNextReview(tx, agent.agentId, next);
    await this.outbox.append(tx, [
      {
        topic: Topics.ReviewDecision,
        subject: review.agentId,
        data: {
          reviewId: review.id,
          agentId: review.agentId,
          decision: decision.decision,
          removeScopes: decision.removeScopes,
          decidedBy: decision.decidedBy,
          ...(decision.reason ? { reason: decision.reason.slice(0, 1000) } : {}),
          ...(next ? { nextReviewAt: next.toISOString() } : {}),
          occurredAt: at.toISOString(),
        },
      },
    ]);
    // Decisions are taken by people (their subject) or, for an overdue review, by the scheduler (`system:...`).
    const decidedBy: ReviewCause = decision.decidedBy.startsWith('system:')
      ? { actorType: 'system', actor: decision.decidedBy }
      : { actorType: 'api', actor: decision.decidedBy };
    await this.audit.append(tx, [
      {
        at,
        ...decidedBy,
        action: `review.${decision.decision}`,
        subjectType: 'review',
        subjectId: review.id,
        reason: decision.reason,
        details: { agentId: review.agentId, removeScopes: decision.removeScopes, ...(next ? { nextReviewAt: next.toISOString() } : {}) },
      },
    ]);
    await this.announce(tx, closed, at, decidedBy);
    return closed;
  }

  /** The agent is gone: its open review ends without a decision. */
  async closeOpenOf(tx: EntityManager, agentId: string, at: Date, cause: ReviewCause): Promise<void> {
    for (const review of await this.reviews.closeOpenOf(tx, agentId, at)) await this.announce(tx, review, at, cause);
  }

  private async reviewerFacts(tx: EntityManager, agent: ReviewedAgent): Promise<ReviewerFacts> {
    return { agent, owner: await this.registry.ownerOf(tx, agent.ownerId), highRiskReviewer: this.policy.highRiskReviewer };
  }

  /** Every new state (or reviewer) of a review is audited (who or what moved it) and announced on review.v1. */
  private async announce(tx: EntityManager, review: Review, at: Date, cause: ReviewCause, action = `review.${review.state}`): Promise<void> {
    await this.audit.append(tx, [
      {
        at,
        ...cause,
        action,
        subjectType: 'review',
        subjectId: review.id,
        details: {
          agentId: review.agentId,
          reason: review.reason,
          reviewerId: review.reviewerId,
          ...(review.campaignId ? { campaignId: review.campaignId } : {}),
        },
      },
    ]);
    await this.outbox.append(tx, [
      {
        topic: Topics.Review,
        subject: review.agentId,
        data: {
          reviewId: review.id,
          agentId: review.agentId,
          ownerId: review.ownerId,
          reviewerId: review.reviewerId,
          reason: review.reason,
          state: review.state,
          dueAt: review.dueAt.toISOString(),
          proposedScopeRemovals: review.proposedScopeRemovals,
          occurredAt: at.toISOString(),
        },
      },
    ]);
  }
}
