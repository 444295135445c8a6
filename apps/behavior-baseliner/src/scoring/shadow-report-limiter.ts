/**
 * How many agents nobody registered one source (a gateway, by its ce_source) may have reported per hour, in event
 * time. A flood of invented agent ids (each a shadow-agent incident for the SOC) from one source is reported up to
 * the rate; an id held back is reported on its next activity once the source is under the rate again, never lost.
 * A token bucket per source: `perHour` tokens, refilled continuously. In memory per scoring thread (a restart
 * starts with full buckets, which errs on the side of reporting).
 */
export const SHADOW_REPORTS_PER_HOUR = 60;
const HOUR_MS = 3_600_000;
/** Sources remembered at most (a flood of invented sources is itself bounded). */
const MAX_SOURCES = 1000;

export class ShadowReportLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perHour = SHADOW_REPORTS_PER_HOUR) {}

  /** Whether a new shadow agent from `source`, seen at event time `t`, may be reported now (and counts it). */
  allow(source: string, t: number): boolean {
    let bucket = this.buckets.get(source);
    if (!bucket) {
      if (this.buckets.size >= MAX_SOURCES) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = { tokens: this.perHour, at: t };
      this.buckets.set(source, bucket);
    }
    if (t > bucket.at) {
      bucket.tokens = Math.min(this.perHour, bucket.tokens + ((t - bucket.at) / HOUR_MS) * this.perHour);
      bucket.at = t;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
