import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics, TopicPayloads } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging-nest';
import { returnedRows } from '@agentgov/persistence';

import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { KnownAgent, ReviewRegistry } from '../registry/review-registry';
import { dueDate, nextCertification, ReviewPolicy } from './review-policy';

export const REVIEW_POLICY = Symbol('REVIEW_POLICY');

const REVIEWS = `"${REVIEW_SCHEDULER_SCHEMA}"."reviews"`;

export type ReviewReason = TopicPayloads['review.v1']['reason'];
export type ReviewState = TopicPayloads['review.v1']['state'];
export type Decision = TopicPayloads['review.decision.v1']['decision'];

export interface Review {
  id: string;
  agentId: string;
  ownerId: string;
  reviewerId: string;
  reason: ReviewReason;
  state: ReviewState;
  openedAt: Date;
  dueAt: Date;
  proposedScopeRemovals: string[];
  decision?: Decision;
  decidedBy?: string;
  closedAt?: Date;
  campaignId?: string;
}

export interface ReviewRow {
  id: string;
  agent_id: string;
  owner_id: string;
  reviewer_id: string;
  reason: ReviewReason;
  state: ReviewState;
  opened_at: Date;
  due_at: Date;
  proposed_scope_removals: string[];
  decision: Decision | null;
  decided_by: string | null;
  closed_at: Date | null;
  campaign_id: string | null;
}

export function reviewOf(r: ReviewRow): Review {
  return {
    id: r.id,
    agentId: r.agent_id,
    ownerId: r.owner_id,
    reviewerId: r.reviewer_id,
    reason: r.reason,
    state: r.state,
    openedAt: new Date(r.opened_at),
    dueAt: new Date(r.due_at),
    proposedScopeRemovals: r.proposed_scope_removals,
    ...(r.decision ? { decision: r.decision } : {}),
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.closed_at ? { closedAt: new Date(r.closed_at) } : {}),
    ...(r.campaign_id ? { campaignId: r.campaign_id } : {}),
  };
}

/**
 * Opening, moving and deciding reviews, each with its event in the same transaction. At most one review per
 * agent is open at a time (a unique index): a second reason while one is open adds nothing, and two replicas
 * racing to open the same review end with one.
 */
@Injectable()
export class Reviews {
  constructor(
    private readonly registry: ReviewRegistry,
    @Inject(OutboxWriter) private readonly outbox: OutboxWriter,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  /** Opens a review unless the agent has one open; scopes unused for `unusedScopeDays` are proposed for removal. */
  async open(tx: EntityManager, agent: KnownAgent, reason: ReviewReason, at: Date, campaign?: { id: string; dueAt: Date }): Promise<Review | undefined> {
    const reviewerId = await this.registry.reviewerFor(tx, agent.ownerId);
    const proposals = await this.registry.unusedScopes(tx, agent.agentId, this.policy.unusedScopeDays, at);
    const rows: ReviewRow[] = await tx.query(
      `INSERT INTO ${REVIEWS} ("id", "agent_id", "owner_id", "reviewer_id", "reason", "state", "opened_at", "due_at", "proposed_scope_removals", "campaign_id")
       VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9)
       ON CONFLICT ("agent_id") WHERE "state" <> 'closed' DO NOTHING RETURNING *`,
      [randomUUID(), agent.agentId, agent.ownerId, reviewerId, reason, at, campaign?.dueAt ?? dueDate(this.policy, at), proposals, campaign?.id ?? null],
    );
    if (rows.length === 0) return undefined;
    const review = reviewOf(rows[0]);
    await this.announce(tx, review, at);
    return review;
  }

  async lock(tx: EntityManager, id: string): Promise<Review | undefined> {
    const [row] = await tx.query(`SELECT * FROM ${REVIEWS} WHERE "id" = $1 FOR UPDATE`, [id]);
    return row ? reviewOf(row) : undefined;
  }

  /** A new state of an undecided review (reminded, overdue, escalated to another reviewer). */
  async move(tx: EntityManager, review: Review, state: ReviewState, at: Date, reviewerId = review.reviewerId): Promise<void> {
    await tx.query(`UPDATE ${REVIEWS} SET "state" = $2, "reviewer_id" = $3 WHERE "id" = $1`, [review.id, state, reviewerId]);
    await this.announce(tx, { ...review, state, reviewerId }, at);
  }

  /**
   * Closes the review with a decision the provisioner acts on (review.decision.v1): certify (optionally
   * removing scopes; the next certification is scheduled), revoke (deprovision) or suspend.
   */
  async decide(tx: EntityManager, review: Review, agent: KnownAgent | undefined, decision: { decision: Decision; removeScopes: string[]; decidedBy: string; reason?: string }, at: Date): Promise<Review> {
    const next = decision.decision === 'certify' && agent ? nextCertification(this.policy, agent.riskTier, at) : null;
    const rows = returnedRows<ReviewRow>(
      await tx.query(
        `UPDATE ${REVIEWS} SET "state" = 'closed', "decision" = $2, "decided_by" = $3, "decision_reason" = $4, "closed_at" = $5 WHERE "id" = $1 RETURNING *`,
        [review.id, decision.decision, decision.decidedBy, decision.reason ?? null, at],
      ),
    );
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
    const closed = reviewOf(rows[0]);
    await this.announce(tx, closed, at);
    return closed;
  }

  /** The agent is gone: its open review ends without a decision. */
  async closeOpenOf(tx: EntityManager, agentId: string, at: Date): Promise<void> {
    const rows = returnedRows<ReviewRow>(await tx.query(`UPDATE ${REVIEWS} SET "state" = 'closed', "closed_at" = $2 WHERE "agent_id" = $1 AND "state" <> 'closed' RETURNING *`, [agentId, at]));
    for (const row of rows) await this.announce(tx, reviewOf(row), at);
  }

  private async announce(tx: EntityManager, review: Review, at: Date): Promise<void> {
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
