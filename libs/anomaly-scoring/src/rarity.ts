/**
 * One meaning for every score: how rarely, on this stream, something at least this surprising happens. A detector
 * turns its evidence into a probability per point (from its own calibrated tail, see TailCalibrator), multiplies by
 * the points the stream has per day, and maps that rate of occurrences per day to a score:
 *
 *   score = 1 − 0.1 · (rate × 50 days)^0.77
 *
 * so 0.9 is "about once in 50 days of this stream", 0.95 once in about 120 days, 0.97 once in about 240 days and
 * 0.99 once in about 1,000 days; anything that happens more than about twice a week scores 0. Because the rate is
 * per day, not per point, a stream sampled every minute and one sampled every hour raise the same number of alarms
 * at the same threshold. The mapping never reaches 1 for any finite evidence (it is capped at MAX_RARITY_DECADES
 * decades beyond once in 50 days, about 1 − 1e-13), so stronger evidence keeps a higher score through the top band.
 */
// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { log10, pow } = Math;

export const SCORE_AT_ONCE_IN_50_DAYS = 0.9;
const SLOPE = 0.77;
const MAX_RARITY_DECADES = 16;
const MIN_RATE = 1e-300;

/** Score of an occurrence rate (expected occurrences per day of something at least this surprising). */
export function scoreFromRate(ratePerDay: number): number {
  if (!(ratePerDay > MIN_RATE)) return ratePerDay === ratePerDay ? scoreFromDecades(MAX_RARITY_DECADES) : 0;
  return scoreFromDecades(-log10(ratePerDay * 50));
}

/** decades = log10 of (50 days ÷ the mean time between occurrences); 0 is once in 50 days, i.e. 0.9. */
function scoreFromDecades(decades: number): number {
  const d = decades > MAX_RARITY_DECADES ? MAX_RARITY_DECADES : decades;
  const s = 1 - 0.1 * pow(10, -SLOPE * d);
  return s > 0 ? s : 0;
}

/** Inverse of scoreFromRate: the mean days between occurrences that a score stands for. */
export function daysBetweenAt(score: number): number {
  return 50 * pow(10, -log10((1 - score) / 0.1) / SLOPE);
}
