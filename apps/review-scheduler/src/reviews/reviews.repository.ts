import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { returnedRows } from '@agentgov/persistence';

import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { Decision, Review, reviewOf, ReviewReason, ReviewRow, ReviewState } from './review-record';

const REVIEWS = `"${REVIEW_SCHEDULER_SCHEMA}"."reviews"`;

export interface NewReview {
  id: string;
  agentId: string;
  ownerId: string;
  reviewerId: string;
  reason: ReviewReason;
  openedAt: Date;
  dueAt: Date;
  proposedScopeRemovals: string[];
  campaignId: string | null;
}

export interface ReviewFilter {
  reviewerId?: string;
  /** Without a state: every review not yet closed. */
  state?: ReviewState;
}

export interface ClosingDecision {
  decision: Decision;
  decidedBy: string;
  reason?: string;
  at: Date;
}

/** The SQL of the reviews. At most one review per agent is open at a time (a unique index). */
@Injectable()
export class ReviewsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts the review as open, unless the agent has one open already (then nothing, and undefined). */
  async insertOpen(tx: EntityManager, review: NewReview): Promise<Review | undefined> {
    const rows: ReviewRow[] = await tx.query(
      `INSERT INTO ${REVIEWS} ("id", "agent_id", "owner_id", "reviewer_id", "reason", "state", "opened_at", "due_at", "proposed_scope_removals", "campaign_id")
       VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9)
       ON CONFLICT ("agent_id") WHERE "state" <> 'closed' DO NOTHING RETURNING *`,
      [
        review.id,
        review.agentId,
        review.ownerId,
        review.reviewerId,
        review.reason,
        review.openedAt,
        review.dueAt,
        review.proposedScopeRemovals,
        review.campaignId,
      ],
    );
    return rows.length === 0 ? undefined : reviewOf(rows[0]);
  }

  async lock(tx: EntityManager, id: string): Promise<Review | undefined> {
    const [row] = await tx.query(`SELECT * FROM ${REVIEWS} WHERE "id" = $1 FOR UPDATE`, [id]);
    return row ? reviewOf(row) : undefined;
  }

  /** The agent's open review, if any, locked. */
  async lockOpenOf(tx: EntityManager, agentId: string): Promise<Review | undefined> {
    const [row] = await tx.query(`SELECT * FROM ${REVIEWS} WHERE "agent_id" = $1 AND "state" <> 'closed' FOR UPDATE`, [agentId]);
    return row ? reviewOf(row) : undefined;
  }

  /** Reviews by reviewer and state, soonest due first (at most 500). */
  async list(filter: ReviewFilter): Promise<Review[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.reviewerId) where.push(`"reviewer_id" = $${params.push(filter.reviewerId)}`);
    where.push(filter.state ? `"state" = $${params.push(filter.state)}` : `"state" <> 'closed'`);
    const rows: ReviewRow[] = await this.dataSource.query(`SELECT * FROM ${REVIEWS} WHERE ${where.join(' AND ')} ORDER BY "due_at" LIMIT 500`, params);
    return rows.map(reviewOf);
  }

  async setState(tx: EntityManager, id: string, state: ReviewState, reviewerId: string): Promise<void> {
    await tx.query(`UPDATE ${REVIEWS} SET "state" = $2, "reviewer_id" = $3 WHERE "id" = $1`, [id, state, reviewerId]);
  }

  /** Closes the review with a decision. */
  async close(tx: EntityManager, id: string, decision: ClosingDecision): Promise<Review> {
    const rows = returnedRows<ReviewRow>(
      await tx.query(
        `UPDATE ${REVIEWS} SET "state" = 'closed', "decision" = $2, "decided_by" = $3, "decision_reason" = $4, "closed_at" = $5 WHERE "id" = $1 RETURNING *`,
        [id, decision.decision, decision.decidedBy, decision.reason ?? null, decision.at],
      ),
    );
    return reviewOf(rows[0]);
  }

  /** Closes the agent's open review, if any, without a decision; returns what it closed. */
  async closeOpenOf(tx: EntityManager, agentId: string, at: Date): Promise<Review[]> {
    const rows = returnedRows<ReviewRow>(
      await tx.query(`UPDATE ${REVIEWS} SET "state" = 'closed', "closed_at" = $2 WHERE "agent_id" = $1 AND "state" <> 'closed' RETURNING *`, [agentId, at]),
    );
    return rows.map(reviewOf);
  }
}
