/**
 * The scheduler's notion of now. Production reads the system clock; with CLOCK_CONTROL (refused in production)
 * an admin can move it forward, so tests see a review fall due in seconds instead of months.
 */
export class ReviewClock {
  private offsetMs = 0;

  constructor(readonly controllable: boolean) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves this instance's clock so that now() is `at`; never backwards (a schedule must not fire twice). */
  travelTo(at: Date): Date {
    if (!this.controllable) throw new Error('the clock is not controllable');
    this.offsetMs = Math.max(this.offsetMs, at.getTime() - Date.now());
    return this.now();
  }
}
