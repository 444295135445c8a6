export interface RetrySchedule {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with jitter (half fixed, half random, so a failing receiver's retries spread out but
 * never come sooner than half the nominal delay), never sooner than the receiver's own Retry-After.
 */
export function nextRetryDelayMs(schedule: RetrySchedule, failedAttempts: number, retryAfterMs = 0, random: () => number = Math.random): number {
  const nominal = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(30, Math.max(0, failedAttempts - 1)));
  const jittered = nominal / 2 + (nominal / 2) * random();
  return Math.round(Math.min(schedule.maxMs, Math.max(jittered, retryAfterMs)));
}
