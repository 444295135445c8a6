import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ClockModule } from '../clock/clock.module';
import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { RegistryModule } from '../registry/registry.module';
import { DecideReviewUseCase } from './decide-review.usecase';
import { ListReviewsUseCase } from './list-reviews.usecase';
import { ReviewChanges } from './review-changes';
import { REVIEW_POLICY, reviewPolicyFrom } from './review-policy';
import { ReviewsController } from './reviews.controller';
import { ReviewsRepository } from './reviews.repository';

/** The review workflow (open, move, decide, each with its event), the review policy and the reviewers' API. */
@Module({
  imports: [ClockModule, RegistryModule],
  controllers: [ReviewsController],
  providers: [
    DecideReviewUseCase,
    ListReviewsUseCase,
    { provide: REVIEW_POLICY, inject: [SERVICE_ENV], useFactory: (env: ReviewSchedulerEnv) => reviewPolicyFrom(env.REVIEW_POLICY) },
    ReviewChanges,
    ReviewsRepository,
  ],
  exports: [REVIEW_POLICY, ReviewChanges],
})
export class ReviewsModule {}
