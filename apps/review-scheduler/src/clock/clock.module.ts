import { Module } from '@nestjs/common';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ReviewSchedulerEnv } from '../config/review-scheduler.env';
import { ClockControlGuard } from './clock-control.guard';
import { ClockController } from './clock.controller';
import { MoveClockUseCase } from './move-clock.usecase';
import { ReviewClock } from './review-clock';

/** The scheduler's one clock (every module importing this one shares the instance) and, with CLOCK_CONTROL, the route that moves it. */
@Module({
  controllers: [ClockController],
  providers: [
    ClockControlGuard,
    MoveClockUseCase,
    { provide: ReviewClock, inject: [SERVICE_ENV], useFactory: (env: ReviewSchedulerEnv) => new ReviewClock(env.CLOCK_CONTROL) },
  ],
  exports: [ReviewClock],
})
export class ClockModule {}
