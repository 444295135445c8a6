import { DEFAULT_Z_AT_90, MAD_TO_SIGMA, scoreFromZ } from './calibration';

// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { abs, max, sqrt } = Math;
const NEG_INF = Number.NEGATIVE_INFINITY,
  NAN = Number.NaN;

export interface DataPoint {
  /** Epoch milliseconds. */
  t: number;
  value: number;
}

export interface OnlineDetector {
  /** Scores the point (in [0, 1]) against what was learned so far, then learns from it. */
  update(point: DataPoint): number;
  toJSON(): unknown;
}

/** A baseline to start from instead of warming up (e.g. the median of peers' baselines). */
export interface DetectorPrior {
  mean: number;
  /** Mean absolute deviation around the mean. */
  deviation: number;
}

/** Which deviations score: 'up' only values above the baseline, 'down' only below, 'both' either. */
export type DetectorDirection = 'both' | 'up' | 'down';

export interface EwRobustZOptions {
  /** EW learning rate once warm (≈ 1 / memory in points). */
  alpha?: number;
  /** Points scored 0 while the baseline forms; skipped when a prior is given. */
  warmup?: number;
  /** A point further than huberK·σ from the mean is learned only as if it were at huberK·σ. */
  huberK?: number;
  /** z at which the score is 0.9 (see calibration.ts). */
  zAt90?: number;
  /** Floor on the mean absolute deviation, so a flat stream does not make every wiggle infinite. */
  minDeviation?: number;
  /** EW rate of the signed-z "drift" that tells a persistent level shift from a burst. */
  shiftRate?: number;
  /** |drift| above which the shift is taken as the new normal and absorbed. */
  shiftThreshold?: number;
  /** Learning rate of the mean while a shift is being absorbed. */
  shiftAlpha?: number;
  /**
   * How long (ms of point time) the drift must stay beyond shiftThreshold before the shift is absorbed; until
   * then the baseline is frozen, so a burst is neither learnt nor allowed to inflate the deviation. 0 absorbs
   * as soon as the drift crosses the threshold (memory counted in points only).
   */
  shiftMinMs?: number;
  /** Which deviations score (learning is the same either way). Default 'both'. */
  direction?: DetectorDirection;
  prior?: DetectorPrior;
}

type ResolvedOptions = Required<Omit<EwRobustZOptions, 'prior'>>;

export interface EwRobustZState {
  n: number;
  mean: number;
  dev: number;
  drift: number;
  /** Point time at which the current drift episode began, null outside one. */
  since: number | null;
}

export const EW_ROBUST_Z_DEFAULTS: ResolvedOptions = {
  alpha: 0.02,
  warmup: 20,
  huberK: 3,
  zAt90: DEFAULT_Z_AT_90,
  minDeviation: 1e-9,
  shiftRate: 0.05,
  shiftThreshold: 2,
  shiftAlpha: 0.1,
  shiftMinMs: 0,
  direction: 'both',
};

const Z_CLAMP = 10;
/**
 * Registers of EwRobustZDetector.stepIn(). In, STEP_IN: [0] t, [1] value, [2] floor, [3] floorSpread, [4] weight (as
 * for updateValue), [5] a seasonal level and [6] its relative spread: when the seasonal level lies above the mean it
 * raises the floor to itself, with spread relativeSpread × (seasonal − mean) added in quadrature, and above mean + σ
 * the point is not learnt by the mean (the season explains it); -Infinity for none. Out, STEP_OUT: [0] score,
 * [1] the level the value was compared with.
 */
export const STEP_IN = new Float64Array(7);
export const STEP_OUT = new Float64Array(2);
const UP = 1;
const DOWN = 2;
const BOTH = 3;

/**
 * The agent model's baseline for its volume signals (not exported from the package): it supplies the robust z of
 * each window against the baseline or seasonal level, and the agent model turns that z into a score through its
 * calibrated tails (TailCalibrator, rarity.ts). Its own z-to-score map (scoreFromZ, 0.9 at z = 4) was the package's
 * univariate entry point until real streams showed that a fixed map means nothing on them; it remains only so that
 * the real-world evaluation can show what it replaced. For any (timestamp, value) stream use StreamDetector.
 *
 * Exponentially weighted robust z-score for any univariate stream: EW mean and EW mean absolute deviation,
 * Huber-clipped so that a burst moves the mean by at most alpha·huberK·σ per point and never widens the deviation;
 * a shift that persists (drift of the signed z beyond shiftThreshold) is absorbed at shiftAlpha so that growth does
 * not alarm forever. Memory is counted in points. Options are configuration, not state: pass the same options to
 * fromJSON.
 *
 * `updateValue(t, value, floor, floorSpread, weight)` is the allocation-free form of `update`. Its optional `floor`
 * is an externally known expected level for this time (e.g. a seasonal envelope: "this high is normal at 2 am"):
 * when it lies above the mean, upward deviations are measured from it, with `floorSpread` added in quadrature to σ.
 * `weight` (0-1) scales how much the point is learnt from (e.g. 1/points-per-window, so that a dense burst counts
 * as a few points, not thousands); it does not change the score.
 *
 * With direction 'up' (or 'down') only deviations that way score, and only a drift that way freezes the baseline and
 * can be absorbed as a shift: values on the harmless side are learnt as usual (Huber-clipped).
 */
export class EwRobustZDetector implements OnlineDetector {
  private readonly o: ResolvedOptions;
  private readonly dir: number;
  // State, flattened into fields (one object per detector on the hot path); since is NaN outside a drift episode.
  private n = 0;
  private mean = 0;
  private dev = 0;
  private drift = 0;
  private since = NAN;
  /** Scratch (not state): what the last point was compared with, and its signed z. */
  private lastExpectedValue = NAN;
  private lastZValue = 0;
  private lastScoreValue = 0;

  constructor(options: EwRobustZOptions = {}) {
    const { prior, ...rest } = options;
    this.o = resolveOptions(rest);
    this.dir = this.o.direction === 'up' ? UP : this.o.direction === 'down' ? DOWN : BOTH;
    if (prior) {
      this.n = this.o.warmup;
      this.mean = prior.mean;
      this.dev = max(prior.deviation, this.o.minDeviation);
    }
  }

  static fromJSON(json: unknown, options: Omit<EwRobustZOptions, 'prior'> = {}): EwRobustZDetector {
    const d = new EwRobustZDetector(options);
    const s = json as EwRobustZState;
    const numbers = [s?.n, s?.mean, s?.dev, s?.drift, s?.since ?? 0];
    if (!numbers.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error('EwRobustZDetector.fromJSON: expected { n, mean, dev, drift, since } numbers');
    }
    d.n = s.n;
    d.mean = s.mean;
    d.dev = s.dev;
    d.drift = s.drift;
    d.since = s.since ?? NAN;
    return d;
  }

  get isWarm(): boolean {
    return this.n >= this.o.warmup;
  }

  /** The current baseline (mean and mean absolute deviation), e.g. to build a peer prior. */
  get baseline(): DetectorPrior {
    return { mean: this.mean, deviation: this.dev };
  }

  /** The current baseline mean (allocation-free). */
  get level(): number {
    return this.mean;
  }

  /** The current σ (1.2533 × mean absolute deviation, floored). */
  get sigma(): number {
    return (this.dev > this.o.minDeviation ? this.dev : this.o.minDeviation) * MAD_TO_SIGMA;
  }

  /** The level the last point was compared with (NaN while warming up). */
  get lastExpected(): number {
    return this.lastExpectedValue;
  }

  /** Signed z of the last point (0 while warming up). */
  get lastZ(): number {
    return this.lastZValue;
  }

  /** Signed z of a value against the current baseline, without learning (0 while warming up). */
  zOf(value: number): number {
    if (!this.isWarm) return 0;
    return (value - this.mean) / (max(this.dev, this.o.minDeviation) * MAD_TO_SIGMA);
  }

  update(point: DataPoint): number {
    return this.updateValue(point.t, point.value);
  }

  /** Scores value at time t, then learns from it; allocation-free. See the class comment for floor and weight. */
  updateValue(t: number, x: number, floor = NEG_INF, floorSpread = 0, weight = 1): number {
    STEP_IN[0] = t;
    STEP_IN[1] = x;
    STEP_IN[2] = floor;
    STEP_IN[3] = floorSpread;
    STEP_IN[4] = weight;
    STEP_IN[5] = NEG_INF;
    STEP_IN[6] = 0;
    this.stepIn();
    return this.lastScoreValue;
  }

  /** The score of the last point. */
  get lastScore(): number {
    return this.lastScoreValue;
  }

  /** A point that gets no score (not a number, or the baseline still forming). */
  private unscored(): void {
    this.lastExpectedValue = NAN;
    this.lastZValue = 0;
    this.lastScoreValue = 0;
    STEP_OUT[0] = 0;
    STEP_OUT[1] = NAN;
  }

  /**
   * updateValue for hot loops: the arguments are read from STEP_IN and the score and expected level written to
   * STEP_OUT (see there). A double passed to or returned from a call that the JIT does not inline is boxed, i.e.
   * allocated; typed-array and field stores are not.
   */
  stepIn(): void {
    const t = STEP_IN[0];
    const x = STEP_IN[1];
    let floor = STEP_IN[2];
    let floorSpread = STEP_IN[3];
    let weight = STEP_IN[4];
    const seasonalLevel = STEP_IN[5];
    const o = this.o;
    if (!(x - x === 0)) {
      // NaN or ±Infinity: not a value.
      this.unscored();
      return;
    }
    if (this.n < o.warmup) {
      // Plain running mean and mean absolute deviation until warm.
      if (this.n === 0) {
        this.mean = x;
      } else {
        const r = x - this.mean;
        this.mean += r / (this.n + 1);
        this.dev += (abs(r) - this.dev) / this.n;
      }
      this.n += 1;
      this.unscored();
      return;
    }
    const mean = this.mean;
    const sigma = (this.dev > o.minDeviation ? this.dev : o.minDeviation) * MAD_TO_SIGMA;
    if (seasonalLevel > mean) {
      const ss = STEP_IN[6] * (seasonalLevel - mean);
      if (ss > 0) floorSpread = sqrt(ss * ss + floorSpread * floorSpread);
      if (seasonalLevel > floor) floor = seasonalLevel;
      if (seasonalLevel > mean + sigma) weight = 0;
    }
    const raised = floor > mean;
    let z: number;
    if (raised && x >= floor) {
      z = (x - floor) / (floorSpread > 0 ? sqrt(sigma * sigma + floorSpread * floorSpread) : sigma);
    } else if (raised && x >= mean) {
      z = 0;
    } else {
      z = (x - mean) / sigma;
    }
    const dir = this.dir;
    this.lastExpectedValue = raised ? floor : mean;
    this.lastZValue = z;
    const score = dir === BOTH ? scoreFromZ(z < 0 ? -z : z, o.zAt90) : dir === UP ? (z > 0 ? scoreFromZ(z, o.zAt90) : 0) : z < 0 ? scoreFromZ(-z, o.zAt90) : 0;
    this.lastScoreValue = score;
    STEP_OUT[0] = score;
    STEP_OUT[1] = raised ? floor : mean;

    const r = x - mean;
    const absR = r < 0 ? -r : r;
    const cap = o.huberK * sigma;
    // The drift only follows deviations in the scored direction(s).
    let zd = z > Z_CLAMP ? Z_CLAMP : z < -Z_CLAMP ? -Z_CLAMP : z;
    if ((dir === UP && zd < 0) || (dir === DOWN && zd > 0)) zd = 0;
    const drift = this.drift + o.shiftRate * (zd - this.drift);
    this.drift = drift;
    const a = weight >= 1 ? o.alpha : weight > 0 ? o.alpha * weight : 0;
    if ((drift < 0 ? -drift : drift) <= o.shiftThreshold) {
      this.since = NAN;
      this.mean = mean + a * (r > cap ? cap : r < -cap ? -cap : r);
      // An outlier does not widen the deviation: a run of them would otherwise inflate it geometrically.
      if (absR <= cap) this.dev += a * (absR - this.dev);
    } else {
      if (this.since !== this.since) this.since = t;
      if (t - this.since >= o.shiftMinMs) {
        this.mean = mean + o.shiftAlpha * r;
        this.dev += o.alpha * ((absR < cap ? absR : cap) - this.dev);
      }
    }
    this.n += 1;
  }

  toJSON(): EwRobustZState {
    return { n: this.n, mean: this.mean, dev: this.dev, drift: this.drift, since: this.since === this.since ? this.since : null };
  }
}

/** Resolved options are shared between detectors configured alike (fewer objects on the hot path). */
const resolved = new Map<string, ResolvedOptions>();

function resolveOptions(rest: Omit<EwRobustZOptions, 'prior'>): ResolvedOptions {
  const o: ResolvedOptions = { ...EW_ROBUST_Z_DEFAULTS, ...stripUndefined(rest) };
  const key = JSON.stringify(o);
  const hit = resolved.get(key);
  if (hit) return hit;
  if (resolved.size > 100) resolved.clear();
  resolved.set(key, Object.freeze(o) as ResolvedOptions);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
