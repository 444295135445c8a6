import { randomUUID } from 'node:crypto';

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging-nest';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { ReviewRegistry } from '../registry/review-registry';
import { overdueStage, ReviewPolicy } from '../reviews/review-policy';
import { REVIEW_POLICY, ReviewRow, reviewOf, Reviews } from '../reviews/reviews';

const AGENTS = `"${REVIEW_SCHEDULER_SCHEMA}"."agents"`;
const REVIEWS = `"${REVIEW_SCHEDULER_SCHEMA}"."reviews"`;
const DAY_MS = 86_400_000;

/**
 * What time alone makes happen, worked off from the tables (never from in-memory timers) by every replica:
 * certifications falling due, reminders, overdue reviews escalating and then suspending, expired agents
 * deprovisioned. Each item is claimed with FOR UPDATE SKIP LOCKED in its replica's transaction, so two
 * replicas never handle one twice, and at most REVIEW_BATCH_SIZE of each kind per tick, so a replica back
 * from downtime catches up in steps instead of a storm.
 */
@Injectable()
export class ReviewTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ReviewTicker');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ReviewRegistry,
    private readonly reviews: Reviews,
    private readonly clock: ReviewClock,
    @Inject(OutboxWriter) private readonly outbox: OutboxWriter,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
    @Inject(SERVICE_ENV) private readonly env: ReviewSchedulerEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.env.REVIEW_TICK_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every kind of due work; a pass still running is not overlapped. */
  tick(): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.stopping) return;
      try {
        await this.openDueCertifications();
        await this.openStale();
        await this.advanceUndecided();
        await this.deprovisionExpired();
      } catch (error) {
        this.logger.warn(`review pass failed, will retry: ${(error as Error).message}`);
      }
    });
    return this.running;
  }

  private async openDueCertifications(): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      const due = await tx.query(
        `SELECT "agent_id" FROM ${AGENTS} WHERE "status" <> 'deprovisioned' AND "next_review_at" <= $1
         ORDER BY "next_review_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, this.env.REVIEW_BATCH_SIZE],
      );
      for (const { agent_id } of due) {
        const agent = await this.registry.findAgent(tx, agent_id);
        if (!agent) continue;
        await this.reviews.open(tx, agent, 'scheduled', now);
        // The next date is set by the certification that closes the review.
        await this.registry.setNextReview(tx, agent.agentId, null);
      }
    });
  }

  /** Active agents not seen for `staleAfterDays` (never seen: since registration), once per silence. */
  private async openStale(): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      const stale = await tx.query(
        `SELECT "agent_id" FROM ${AGENTS}
         WHERE "status" = 'active' AND COALESCE("last_seen_at", "registered_at") <= $1
           AND ("stale_flagged_at" IS NULL OR "stale_flagged_at" < COALESCE("last_seen_at", "registered_at"))
         LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [new Date(now.getTime() - this.policy.staleAfterDays * DAY_MS), this.env.REVIEW_BATCH_SIZE],
      );
      for (const { agent_id } of stale) {
        const agent = await this.registry.findAgent(tx, agent_id);
        if (agent) await this.reviews.open(tx, agent, 'stale', now);
        // Flagged even when another review was already open: that review covers the silence too.
        await tx.query(`UPDATE ${AGENTS} SET "stale_flagged_at" = $2 WHERE "agent_id" = $1`, [agent_id, now]);
      }
    });
  }

  private async advanceUndecided(): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      const rows: ReviewRow[] = await tx.query(
        `SELECT * FROM ${REVIEWS} WHERE "state" <> 'closed' AND "due_at" <= $1 ORDER BY "due_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [new Date(now.getTime() + this.policy.reminderDays * DAY_MS), this.env.REVIEW_BATCH_SIZE],
      );
      for (const review of rows.map(reviewOf)) await this.advance(tx, review, now);
    });
  }

  private async advance(tx: EntityManager, review: ReturnType<typeof reviewOf>, now: Date): Promise<void> {
    const stage = overdueStage(this.policy, review.dueAt, now);
    if (stage === 'remind' && review.state === 'open') await this.reviews.move(tx, review, 'reminded', now);
    else if (stage === 'overdue' && (review.state === 'open' || review.state === 'reminded')) await this.reviews.move(tx, review, 'overdue', now);
    else if ((stage === 'escalate' || stage === 'suspend') && review.state !== 'escalated' && review.state !== 'closed') {
      // The owner's manager is asked; with no manager known, the review stays with the owner, marked escalated.
      await this.reviews.move(tx, review, 'escalated', now, (await this.registry.managerOf(tx, review.ownerId)) ?? review.reviewerId);
    } else if (stage === 'suspend' && review.state === 'escalated') {
      const agent = await this.registry.findAgent(tx, review.agentId);
      await this.reviews.decide(tx, review, agent, { decision: 'suspend', removeScopes: [], decidedBy: 'system:overdue-review', reason: 'nobody certified the agent in time' }, now);
    }
  }

  private async deprovisionExpired(): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      const expired = await tx.query(
        `SELECT "agent_id", "expires_at" FROM ${AGENTS} WHERE "status" <> 'deprovisioned' AND "expiry_enforced_at" IS NULL AND "expires_at" <= $1
         ORDER BY "expires_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, this.env.REVIEW_BATCH_SIZE],
      );
      for (const { agent_id, expires_at } of expired) {
        await tx.query(`UPDATE ${AGENTS} SET "expiry_enforced_at" = $2 WHERE "agent_id" = $1`, [agent_id, now]);
        // The provisioner deprovisions on a revoke decision; the review id names this enforcement.
        await this.outbox.append(tx, [
          {
            topic: Topics.ReviewDecision,
            subject: agent_id,
            data: {
              reviewId: randomUUID(),
              agentId: agent_id,
              decision: 'revoke',
              removeScopes: [],
              decidedBy: 'system:expiry',
              reason: `the agent expired at ${new Date(expires_at).toISOString()}`,
              occurredAt: now.toISOString(),
            },
          },
        ]);
      }
    });
  }
}
