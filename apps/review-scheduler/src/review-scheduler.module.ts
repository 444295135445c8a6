import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { Campaigns } from './campaigns/campaigns';
import { CampaignsAndReportsController } from './campaigns/campaigns-and-reports.controller';
import { ReviewClock } from './clock/review-clock';
import { ReviewSchedulerEnv } from './config/review-scheduler.env';
import { ReviewRegistry } from './registry/review-registry';
import { ReviewTriggersHandler } from './registry/review-triggers.handler';
import { reviewPolicyFrom } from './reviews/review-policy';
import { REVIEW_POLICY, Reviews } from './reviews/reviews';
import { ReviewsController } from './reviews/reviews.controller';
import { ReviewTicker } from './schedule/review-ticker';

/** Certification schedules, the review workflow, campaigns, reports and the reviewers' API. */
@Module({
  controllers: [ReviewsController, CampaignsAndReportsController],
  providers: [
    { provide: REVIEW_POLICY, inject: [SERVICE_ENV], useFactory: (env: ReviewSchedulerEnv) => reviewPolicyFrom(env.REVIEW_POLICY) },
    { provide: ReviewClock, inject: [SERVICE_ENV], useFactory: (env: ReviewSchedulerEnv) => new ReviewClock(env.CLOCK_CONTROL) },
    ReviewRegistry,
    Reviews,
    ReviewTriggersHandler,
    ReviewTicker,
    Campaigns,
  ],
})
export class ReviewSchedulerModule {}
