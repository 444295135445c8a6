import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { Review, reviewOf, ReviewRow } from '../reviews/review-record';

const AGENTS = `"${REVIEW_SCHEDULER_SCHEMA}"."agents"`;
const REVIEWS = `"${REVIEW_SCHEDULER_SCHEMA}"."reviews"`;

/**
 * The SQL of the schedule: every claim takes at most `limit` rows with FOR UPDATE SKIP LOCKED in the caller's
 * transaction, so two replicas never take the same row and a backlog is worked off in steps.
 */
@Injectable()
export class ScheduleRepository {
  /** Live agents whose next certification is due at `now`, soonest first. */
  async claimDueCertifications(tx: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows: { agent_id: string }[] = await tx.query(
      `SELECT "agent_id" FROM ${AGENTS} WHERE "status" <> 'deprovisioned' AND "next_review_at" <= $1
         ORDER BY "next_review_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((r) => r.agent_id);
  }

  /** Active agents unseen (never seen: since registration) since `silentSince`, not yet flagged for this silence. */
  async claimStale(tx: EntityManager, silentSince: Date, limit: number): Promise<string[]> {
    const rows: { agent_id: string }[] = await tx.query(
      `SELECT "agent_id" FROM ${AGENTS}
         WHERE "status" = 'active' AND COALESCE("last_seen_at", "registered_at") <= $1
           AND ("stale_flagged_at" IS NULL OR "stale_flagged_at" < COALESCE("last_seen_at", "registered_at"))
         LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [silentSince, limit],
    );
    return rows.map((r) => r.agent_id);
  }

  async markStaleFlagged(tx: EntityManager, agentId: string, at: Date): Promise<void> {
    await tx.query(`UPDATE ${AGENTS} SET "stale_flagged_at" = $2 WHERE "agent_id" = $1`, [agentId, at]);
  }

  /** Undecided reviews due at or before `dueBy`, soonest first. */
  async claimUndecided(tx: EntityManager, dueBy: Date, limit: number): Promise<Review[]> {
    const rows: ReviewRow[] = await tx.query(
      `SELECT * FROM ${REVIEWS} WHERE "state" <> 'closed' AND "due_at" <= $1 ORDER BY "due_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [dueBy, limit],
    );
    return rows.map(reviewOf);
  }

  /** Live agents past their expiry whose expiry has not been enforced yet, earliest first. */
  async claimExpired(tx: EntityManager, now: Date, limit: number): Promise<{ agentId: string; expiresAt: Date }[]> {
    const rows: { agent_id: string; expires_at: Date }[] = await tx.query(
      `SELECT "agent_id", "expires_at" FROM ${AGENTS} WHERE "status" <> 'deprovisioned' AND "expiry_enforced_at" IS NULL AND "expires_at" <= $1
         ORDER BY "expires_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((r) => ({ agentId: r.agent_id, expiresAt: new Date(r.expires_at) }));
  }

  async markExpiryEnforced(tx: EntityManager, agentId: string, at: Date): Promise<void> {
    await tx.query(`UPDATE ${AGENTS} SET "expiry_enforced_at" = $2 WHERE "agent_id" = $1`, [agentId, at]);
  }
}
