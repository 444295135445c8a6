import { Module } from '@nestjs/common';

import { ClockModule } from '../clock/clock.module';
import { RegistryModule } from '../registry/registry.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { AdvanceUndecidedReviewsUseCase } from './advance-undecided-reviews.usecase';
import { DeprovisionExpiredAgentsUseCase } from './deprovision-expired-agents.usecase';
import { OpenDueCertificationsUseCase } from './open-due-certifications.usecase';
import { OpenStaleReviewsUseCase } from './open-stale-reviews.usecase';
import { ReviewTicker } from './review-ticker';
import { ScheduleRepository } from './schedule.repository';

/** The durable schedule: what time alone makes happen, ticked by every replica. */
@Module({
  imports: [ClockModule, RegistryModule, ReviewsModule],
  providers: [
    AdvanceUndecidedReviewsUseCase,
    DeprovisionExpiredAgentsUseCase,
    OpenDueCertificationsUseCase,
    OpenStaleReviewsUseCase,
    ReviewTicker,
    ScheduleRepository,
  ],
})
export class ScheduleModule {}
