/**
 * Empirical calibration of a non-negative surprise statistic y (a standardised residual, a shift statistic), in
 * occurrences per day: how often, on this stream, something at least this surprising begins.
 *
 * Points above a threshold u are grouped into clusters (exceedances less than `quietMs` apart), as an alarm groups
 * them: an incident of a hundred odd points is one occurrence, not a hundred. The calibrator learns the rate of
 * clusters per day and the distribution of their peaks, whose excess over u it models as a generalised Pareto
 * distribution (peaks over threshold, the streaming form of extreme value theory; shape ξ, scale β, by the method
 * of moments):
 *
 *   rate(y) = λ · (1 + ξ (y − u) / β)^(−1/ξ)       (λ = clusters per day; ξ = 0: λ · e^(−(y−u)/β))
 *
 * Memory is exponential in time (MEMORY_DAYS), so a stream whose noise changes is re-learnt. Guards that keep the
 * number honest on real streams:
 *  - a prior (PRIOR_DAYS days at PRIOR_RATE clusters a day, PRIOR_PEAKS peaks of a heavy tail) that the stream's own
 *    history outweighs within days: a young stream is not sure of anything yet;
 *  - no claim far beyond the history: a rate of once in EXTRAPOLATION × the days observed (divided by
 *    1 + ln(y/u), so that stronger evidence still scores higher) is added to the fitted one, so a stream seen for two
 *    days cannot call anything a once-in-a-year event;
 *  - ξ is kept in [0, MAX_SHAPE]: a bounded tail fitted on a few peaks would make every larger value impossible
 *    (a saturated score), and method-of-moments estimates need ξ < 1/2;
 *  - a peak is learnt at most at the size the current fit expects once in LEARN_CLIP_DAYS days, so a value
 *    a billion deviations out (a counter reset) does not flatten the tail for good.
 *
 * Allocation-free; the state is nine numbers.
 */
// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { exp, log, pow } = Math;

const DAY_MS = 86_400_000;
const PRIOR_DAYS = 1;
const PRIOR_RATE = 1;
const PRIOR_PEAKS = 5;
const PRIOR_SHAPE = 0.2;
const PRIOR_SCALE = 0.5;
const MAX_SHAPE = 0.45;

const MEMORY_DAYS = 30;
const EXTRAPOLATION = 100;
const BOUND_EASING = 0.03;
const LEARN_CLIP_DAYS = 1000;

/**
 * [days observed, points, clusters, peaks learnt, Σ excess, Σ excess², open cluster's peak (0: none), its last
 * exceedance's time, last time].
 */
export type TailState = [number, number, number, number, number, number, number, number, number | null];

export class TailCalibrator {
  private days = 0;
  private points = 0;
  private clusters = 0;
  private peaks = 0;
  private s1 = 0;
  private s2 = 0;
  /** The open cluster: its peak so far (0 when none is open) and the time of its last exceedance. */
  private peak = 0;
  private lastAbove = 0;
  private lastT = Number.NaN;
  // The peak fit, refreshed when a cluster closes (derived from the state, not part of it).
  private xi = PRIOR_SHAPE;
  private beta = PRIOR_SCALE;

  /**
   * @param threshold u, in the statistic's own units (for a standardised residual, a few deviations).
   * @param quietMs exceedances closer than this belong to one cluster.
   */
  constructor(
    private readonly threshold: number,
    private quietMs: number,
  ) {
    this.fit();
  }

  setQuietMs(ms: number): void {
    this.quietMs = ms;
  }

  /**
   * Expected clusters per day whose peak reaches y. Below u, where only the threshold's rate is modelled, the rate
   * is interpolated log-linearly from every point (y = 0) to the clusters above u, so the score rises continuously.
   */
  ratePerDay(y: number): number {
    const days = this.days + PRIOR_DAYS;
    const lambda = (this.clusters + PRIOR_DAYS * PRIOR_RATE) / days;
    const u = this.threshold;
    if (!(y > u)) {
      const perDay = this.points / days;
      if (!(y > 0) || !(perDay > lambda)) return perDay > lambda ? perDay : lambda;
      const f = y / u;
      return exp((1 - f) * log(perDay) + f * log(lambda));
    }
    const xi = this.xi;
    const e = y - u;
    const z = 1 + (xi * e) / this.beta;
    // A light tail (ξ < 0) ends at u + β/|ξ|: beyond it only the history bound below remains.
    const fitted = xi === 0 ? lambda * exp(-e / this.beta) : z > 0 ? lambda * pow(z, -1 / xi) : 0;
    // Added, not a maximum, and easing off slowly with the evidence: stronger evidence still scores higher, it just
    // cannot be called much rarer than the history allows.
    return fitted + 1 / (EXTRAPOLATION * days * (1 + BOUND_EASING * log(y / u)));
  }

  /** Learns y at time t (epoch ms), after it was scored. */
  learn(t: number, y: number): void {
    const last = this.lastT;
    if (last === last && t > last) {
      const dtDays = (t - last) / DAY_MS;
      const keep = exp(-dtDays / MEMORY_DAYS);
      this.days = this.days * keep + dtDays;
      this.points *= keep;
      this.clusters *= keep;
    }
    this.points += 1;
    if (!(t <= last)) this.lastT = t;
    if (this.peak > 0 && t - this.lastAbove >= this.quietMs) this.close();
    if (!(y > this.threshold)) return;
    if (y > this.peak) this.peak = y;
    this.lastAbove = t;
  }

  /**
   * A cluster ended: it counts, and its peak (clipped) joins the fit; peaks are forgotten at the pace clusters are.
   * (Counted when it ends, not when it starts, so an incident in progress is judged against the history before it.)
   */
  private close(): void {
    let e = this.peak - this.threshold;
    this.peak = 0;
    const lambda = (this.clusters + PRIOR_DAYS * PRIOR_RATE) / (this.days + PRIOR_DAYS);
    this.clusters += 1;
    const clip = this.excessAt(1 / (LEARN_CLIP_DAYS * lambda));
    if (e > clip) e = clip;
    const keep = 1 - 1 / (this.clusters + PRIOR_PEAKS + 1);
    const k = keep > 0.999 ? 0.999 : keep;
    this.peaks = this.peaks * k + 1;
    this.s1 = this.s1 * k + e;
    this.s2 = this.s2 * k + e * e;
    this.fit();
  }

  private fit(): void {
    const n = this.peaks + PRIOR_PEAKS;
    const m1 = (this.s1 + PRIOR_PEAKS * PRIOR_M1) / n;
    const m2 = (this.s2 + PRIOR_PEAKS * PRIOR_M2) / n;
    const v = m2 - m1 * m1;
    // Method of moments for the generalised Pareto: ξ = (1 − m²/v)/2, β = m (1 − ξ).
    let xi = v > 0 ? 0.5 * (1 - (m1 * m1) / v) : 0;
    if (xi < 0) xi = 0;
    else if (xi > MAX_SHAPE) xi = MAX_SHAPE;
    this.xi = xi;
    this.beta = m1 * (1 - xi);
  }

  /** The excess over u that the current fit puts at ratio r = rate(u + e) / λ. */
  private excessAt(r: number): number {
    if (r >= 1) return 0;
    const xi = this.xi;
    // (For ξ < 0 this stays below the endpoint β/|ξ|.)
    return xi === 0 ? -this.beta * log(r) : (this.beta / xi) * (pow(r, -xi) - 1);
  }

  toJSON(): TailState {
    return [this.days, this.points, this.clusters, this.peaks, this.s1, this.s2, this.peak, this.lastAbove, this.lastT === this.lastT ? this.lastT : null];
  }

  static fromJSON(s: unknown, threshold: number, quietMs: number): TailCalibrator {
    if (!Array.isArray(s) || s.length !== 9 || !s.every((v, i) => (typeof v === 'number' && Number.isFinite(v)) || (i === 8 && v === null))) {
      throw new Error('TailCalibrator.fromJSON: expected 9 numbers');
    }
    const c = new TailCalibrator(threshold, quietMs);
    [c.days, c.points, c.clusters, c.peaks, c.s1, c.s2, c.peak, c.lastAbove] = s as number[];
    c.lastT = s[8] ?? Number.NaN;
    c.fit();
    return c;
  }
}

// Moments of the prior generalised Pareto: E[e] = β/(1−ξ), E[e²] = 2β²/((1−ξ)(1−2ξ)).
const PRIOR_M1 = PRIOR_SCALE / (1 - PRIOR_SHAPE);
const PRIOR_M2 = (2 * PRIOR_SCALE * PRIOR_SCALE) / ((1 - PRIOR_SHAPE) * (1 - 2 * PRIOR_SHAPE));
