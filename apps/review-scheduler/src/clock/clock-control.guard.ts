import { CanActivate, Injectable } from '@nestjs/common';

import { ClockError, ClockErrorCode } from './clock.errors';
import { ReviewClock } from './review-clock';

/**
 * Without CLOCK_CONTROL the clock routes answer 404 CLOCK_NOT_CONTROLLABLE to an authorised caller, before the
 * request body is looked at.
 */
@Injectable()
export class ClockControlGuard implements CanActivate {
  constructor(private readonly clock: ReviewClock) {}

  canActivate(): boolean {
    if (!this.clock.controllable) throw new ClockError(ClockErrorCode.ClockNotControllable, 'CLOCK_CONTROL is off');
    return true;
  }
}
