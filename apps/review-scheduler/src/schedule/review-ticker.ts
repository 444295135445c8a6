import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { AdvanceUndecidedReviewsUseCase } from './advance-undecided-reviews.usecase';
import { DeprovisionExpiredAgentsUseCase } from './deprovision-expired-agents.usecase';
import { OpenDueCertificationsUseCase } from './open-due-certifications.usecase';
import { OpenStaleReviewsUseCase } from './open-stale-reviews.usecase';

/**
 * What time alone makes happen, worked off from the tables (never from in-memory timers) by every replica:
 * certifications falling due, reminders, overdue reviews escalating and then suspending, expired agents
 * deprovisioned. Each item is claimed with FOR UPDATE SKIP LOCKED in its replica's transaction, so two
 * replicas never handle one twice, and at most REVIEW_BATCH_SIZE of each kind per tick, so a replica back
 * from downtime catches up in steps instead of a storm. Thin, like an event handler: each kind is a use case.
 */
@Injectable()
export class ReviewTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ReviewTicker');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly openDueCertifications: OpenDueCertificationsUseCase,
    private readonly openStaleReviews: OpenStaleReviewsUseCase,
    private readonly advanceUndecidedReviews: AdvanceUndecidedReviewsUseCase,
    private readonly deprovisionExpiredAgents: DeprovisionExpiredAgentsUseCase,
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
        await this.openDueCertifications.execute();
        await this.openStaleReviews.execute();
        await this.advanceUndecidedReviews.execute();
        await this.deprovisionExpiredAgents.execute();
      } catch (error) {
        this.logger.warn(`review pass failed, will retry: ${(error as Error).message}`);
      }
    });
    return this.running;
  }
}
