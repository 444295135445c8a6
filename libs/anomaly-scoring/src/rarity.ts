/**
 * One meaning for every score: how rarely, on this stream, something at least this surprising begins. A detector
 * turns its evidence into a rate (occurrences per day, from the stream's own calibrated tail, see TailCalibrator) and
 * the score is
 *
 *   score = 1 − 10 × rate        (equivalently 1 − 10 / D for D, the mean days between such occurrences)
 *
 * so 0.9 is "about once in 100 days of this stream", 0.95 once in 200 days, 0.97 once in about 333 days and 0.99
 * once in 1,000 days; anything that happens every ten days or more often scores 0. Because the rate is per day, not
 * per point, a stream sampled every minute and one sampled every hour raise the same number of alarms at the same
 * threshold, and one threshold means the same for every agent and feature. The score never reaches 1 for a positive
 * rate, so stronger evidence keeps a higher score through the top band (detectors never claim a rate of 0: see the
 * history bound in TailCalibrator).
 *
 * The anchor (100 days at 0.9) was chosen on the development half of the real-world corpus and on the synthetic agent
 * suite: real streams carry more surprises than any model of them expects (unlabelled incidents, regime changes), so
 * the rate that can be promised at 0.9 is below what the fitted tails alone would claim (see evaluation/).
 */
/** score = 1 − DAYS_PER_SCORE × rate. */
const DAYS_PER_SCORE = 10;

/** Score of an occurrence rate (expected occurrences per day of something at least this surprising). */
export function scoreFromRate(ratePerDay: number): number {
  if (!(ratePerDay >= 0)) return 0;
  const s = 1 - DAYS_PER_SCORE * ratePerDay;
  return s > 0 ? s : 0;
}

/** Inverse of scoreFromRate: the mean days between occurrences that a score stands for (Infinity at 1). */
export function daysBetweenAt(score: number): number {
  return DAYS_PER_SCORE / (1 - score);
}
