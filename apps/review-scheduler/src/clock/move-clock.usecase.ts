import { Injectable } from '@nestjs/common';

import { ReviewClock } from './review-clock';

/** Moves this instance's clock forward to `at` (never back); only with CLOCK_CONTROL (see ClockControlGuard). */
@Injectable()
export class MoveClockUseCase {
  constructor(private readonly clock: ReviewClock) {}

  execute(at: Date): { now: string } {
    return { now: this.clock.travelTo(at).toISOString() };
  }
}
