import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from '../reviews/review-changes';
import { REVIEW_POLICY, ReviewPolicy } from '../reviews/review-policy';
import { ScheduleRepository } from './schedule.repository';

const DAY_MS = 86_400_000;

/** Puts up for review the active agents not seen for `staleAfterDays` (never seen: since registration), once per silence. */
@Injectable()
export class OpenStaleReviewsUseCase {
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
      const stale = await this.schedule.claimStale(tx, new Date(now.getTime() - this.policy.staleAfterDays * DAY_MS), this.env.REVIEW_BATCH_SIZE);
      for (const agentId of stale) {
        const agent = await this.registry.findAgent(tx, agentId);
        if (agent) await this.changes.open(tx, agent, 'stale', now);
        // Flagged even when another review was already open: that review covers the silence too.
        await this.schedule.markStaleFlagged(tx, agentId, now);
      }
    });
  }
}
