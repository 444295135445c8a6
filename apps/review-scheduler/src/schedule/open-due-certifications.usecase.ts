import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { RegistryRepository } from '../registry/registry.repository';
import { ReviewChanges } from '../reviews/review-changes';
import { ScheduleRepository } from './schedule.repository';

/** Opens the certifications that have fallen due (at most REVIEW_BATCH_SIZE per call). */
@Injectable()
export class OpenDueCertificationsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schedule: ScheduleRepository,
    private readonly registry: RegistryRepository,
    private readonly changes: ReviewChanges,
    private readonly clock: ReviewClock,
    @Inject(SERVICE_ENV) private readonly env: ReviewSchedulerEnv,
  ) {}

  async execute(): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (tx) => {
      for (const agentId of await this.schedule.claimDueCertifications(tx, now, this.env.REVIEW_BATCH_SIZE)) {
        const agent = await this.registry.findAgent(tx, agentId);
        if (!agent) continue;
        await this.changes.open(tx, agent, 'scheduled', now);
        // The next date is set by the certification that closes the review.
        await this.registry.setNextReview(tx, agent.agentId, null);
      }
    });
  }
}
