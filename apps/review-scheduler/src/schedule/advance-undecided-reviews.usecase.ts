import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from '../reviews/review-changes';
import { overdueStage, REVIEW_POLICY, ReviewPolicy } from '../reviews/review-policy';
import { Review } from '../reviews/review-record';
import { ScheduleRepository } from './schedule.repository';

const DAY_MS = 86_400_000;

/**
 * Moves undecided reviews along as their due date nears and passes: reminded, overdue, escalated to the owner's
 * manager (never to the owner of a high or critical agent) and finally (with `overdueAction: suspend`) decided as
 * a suspension.
 */
@Injectable()
export class AdvanceUndecidedReviewsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schedule: ScheduleRepository,
    private readonly registry: RegistryRepository,
    private readonly changes: ReviewChanges,
    private readonly clock: ReviewClock,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
    @Inject(SERVICE_ENV) private readonly env: ReviewSchedulerEnv,
  ) {}

  async execute(): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      const reviews = await this.schedule.claimUndecided(tx, new Date(now.getTime() + this.policy.reminderDays * DAY_MS), this.env.REVIEW_BATCH_SIZE);
      for (const review of reviews) await this.advance(tx, review, now);
    });
  }

  private async advance(tx: EntityManager, review: Review, now: Date): Promise<void> {
    const stage = overdueStage(this.policy, review.dueAt, now);
    if (stage === 'remind' && review.state === 'open') await this.changes.move(tx, review, 'reminded', now);
    else if (stage === 'overdue' && (review.state === 'open' || review.state === 'reminded')) await this.changes.move(tx, review, 'overdue', now);
    else if ((stage === 'escalate' || stage === 'suspend') && review.state !== 'escalated' && review.state !== 'closed') {
      // The owner's manager is asked; with no manager known, the review stays with its reviewer, marked escalated
      // (a high or critical one never goes back to the owner: reviewer-assignment.ts).
      await this.changes.escalate(tx, review, now);
    } else if (stage === 'suspend' && review.state === 'escalated') {
      const agent = await this.registry.findAgent(tx, review.agentId);
      await this.changes.decide(
        tx,
        review,
        agent,
        { decision: 'suspend', removeScopes: [], decidedBy: 'system:overdue-review', reason: 'nobody certified the agent in time' },
        now,
      );
    }
  }
}
