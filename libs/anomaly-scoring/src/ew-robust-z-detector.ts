import { DEFAULT_Z_AT_90, MAD_TO_SIGMA, scoreFromZ } from './calibration';

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
};

const Z_CLAMP = 10;

/**
 * Exponentially weighted robust z-score: EW mean and EW mean absolute deviation, Huber-clipped so that a burst
 * moves the mean by at most alpha·huberK·σ per point and never widens the deviation; a shift that persists (drift of the signed z beyond
 * shiftThreshold) is absorbed at shiftAlpha so that growth does not alarm forever. Time is not used: the memory
 * is counted in points. Options are configuration, not state: pass the same options to fromJSON.
 */
export class EwRobustZDetector implements OnlineDetector {
  private readonly o: ResolvedOptions;
  private s: EwRobustZState;

  constructor(options: EwRobustZOptions = {}) {
    const { prior, ...rest } = options;
    this.o = { ...EW_ROBUST_Z_DEFAULTS, ...stripUndefined(rest) };
    this.s = prior
      ? { n: this.o.warmup, mean: prior.mean, dev: Math.max(prior.deviation, this.o.minDeviation), drift: 0, since: null }
      : { n: 0, mean: 0, dev: 0, drift: 0, since: null };
  }

  static fromJSON(json: unknown, options: Omit<EwRobustZOptions, 'prior'> = {}): EwRobustZDetector {
    const d = new EwRobustZDetector(options);
    const s = json as EwRobustZState;
    const numbers = [s?.n, s?.mean, s?.dev, s?.drift, s?.since ?? 0];
    if (!numbers.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error('EwRobustZDetector.fromJSON: expected { n, mean, dev, drift, since } numbers');
    }
    d.s = { n: s.n, mean: s.mean, dev: s.dev, drift: s.drift, since: s.since ?? null };
    return d;
  }

  get isWarm(): boolean {
    return this.s.n >= this.o.warmup;
  }

  /** The current baseline (mean and mean absolute deviation), e.g. to build a peer prior. */
  get baseline(): DetectorPrior {
    return { mean: this.s.mean, deviation: this.s.dev };
  }

  /** Signed z of a value against the current baseline, without learning (0 while warming up). */
  zOf(value: number): number {
    if (!this.isWarm) return 0;
    return (value - this.s.mean) / (Math.max(this.s.dev, this.o.minDeviation) * MAD_TO_SIGMA);
  }

  update(point: DataPoint): number {
    const x = point.value;
    if (!Number.isFinite(x)) return 0;
    const s = this.s;
    if (!this.isWarm) {
      // Plain running mean and mean absolute deviation until warm.
      if (s.n === 0) {
        s.mean = x;
      } else {
        const r = x - s.mean;
        s.mean += r / (s.n + 1);
        s.dev += (Math.abs(r) - s.dev) / s.n;
      }
      s.n += 1;
      return 0;
    }
    const z = this.zOf(x);
    const score = scoreFromZ(Math.abs(z), this.o.zAt90);

    const sigma = Math.max(s.dev, this.o.minDeviation) * MAD_TO_SIGMA;
    const r = x - s.mean;
    const cap = this.o.huberK * sigma;
    s.drift += this.o.shiftRate * (clamp(z, -Z_CLAMP, Z_CLAMP) - s.drift);
    if (Math.abs(s.drift) <= this.o.shiftThreshold) {
      s.since = null;
      s.mean += this.o.alpha * clamp(r, -cap, cap);
      // An outlier does not widen the deviation: a run of them would otherwise inflate it geometrically.
      if (Math.abs(r) <= cap) s.dev += this.o.alpha * (Math.abs(r) - s.dev);
    } else {
      if (s.since === null) s.since = point.t;
      if (point.t - s.since >= this.o.shiftMinMs) {
        s.mean += this.o.shiftAlpha * r;
        s.dev += this.o.alpha * (Math.min(Math.abs(r), cap) - s.dev);
      }
    }
    s.n += 1;
    return score;
  }

  toJSON(): EwRobustZState {
    return { ...this.s };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
