import { EPISODE_QUIET_MS } from './episode-tracker';
import { scoreFromRate } from './rarity';
import { TailCalibrator, type TailState } from './tail-calibrator';

// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { abs, floor, max, min } = Math;
const NAN = Number.NaN;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: shift so that day 0 of the week is Monday. */
const EPOCH_WEEKDAY_MS = 3 * DAY_MS;
const MAD_TO_SIGMA = 1.2533;

export type StreamDirection = 'both' | 'up' | 'down';

export interface StreamDetectorOptions {
  /** Which deviations score: 'up' only values above what is expected, 'down' only below, 'both' either. */
  direction?: StreamDirection;
  /** Clock offset from UTC for time of day and week, in minutes. */
  utcOffsetMinutes?: number;
}

export interface StreamPoint {
  /** Epoch milliseconds. */
  t: number;
  value: number;
}

/** What the last point was measured against, in the stream's own units. */
export interface StreamAssessment {
  score: number;
  observed: number;
  /** The value expected at this time (level, time of day and of week). */
  expected: number;
  /** The usual range at this time: expected ± 2 typical deviations. */
  usualLow: number;
  usualHigh: number;
  /** Which evidence drove the score: the point itself, or a shift of the recent level. */
  evidence: 'point' | 'shift' | 'none';
  /** Mean days between points at least this surprising on this stream. */
  onceInDays: number;
}

export interface StreamDetectorState {
  v: 1;
  /** Points seen, last time, typical interval (ms). */
  n: number;
  t: number | null;
  dt: number;
  /** Fast level, slow reference level (both without the seasonal part). */
  l: number;
  r: number;
  /** Typical absolute point residual and level difference, and the slow-memory point spread. */
  s1: number;
  s2: number;
  ss: number;
  /** Value resolution (smallest change seen) and typical magnitude. */
  q: number;
  m: number;
  /** Time the level difference turned extreme (null outside one) and the points since. */
  x: number | null;
  xp: number;
  /** Last value seen. */
  lv: number | null;
  /** Hour-of-day (24) and day-of-week (7) offsets. */
  d: number[];
  w: number[];
  c1: TailState;
  c2: TailState;
}

/** Points scored 0 while the level and spread form. */
const WARMUP = 30;
/** Learning rates per point: fast level, slow reference level, spreads. */
const LEVEL_RATE = 0.2;
const REFERENCE_RATE = 0.01;
const SPREAD_RATE = 0.02;
/** Residuals are learnt clipped at this many typical deviations (Huber), so a burst barely moves the baselines. */
const HUBER = 3;
/**
 * The spread never falls below SLOW_SHARE of a slow-memory spread (SLOW_RATE per point): after a flat or idle
 * stretch the ordinary noise that returns is not taken for an outlier a thousand deviations out.
 */
const SLOW_SHARE = 0.5;
const SLOW_RATE = 0.001;
/** Seasonal offsets move by about this share of their error per day (hour of day) and per week (day of week). */
const DAILY_RATE_PER_DAY = 0.2;
const WEEKLY_RATE_PER_WEEK = 0.2;
/** Tail threshold of both kinds of evidence, in typical deviations. */
const TAIL_THRESHOLD = 3;
/** Exceedances closer than this (or three sampling intervals) are one occurrence, as an alarm episode would be. */
const QUIET_MS = EPISODE_QUIET_MS;
/** A shift whose evidence stays this rare for SHIFT_ABSORB_MS (and SHIFT_ABSORB_POINTS) becomes the new normal. */
const SHIFT_EXTREME_RATE = 0.1;
const SHIFT_ABSORB_MS = 2 * HOUR_MS;
const SHIFT_ABSORB_POINTS = 12;
/** Floor of the spread relative to the stream's typical magnitude (values below it are resolution, not signal). */
const RELATIVE_FLOOR = 1e-3;
/** The two kinds of evidence are combined as the smaller p-value times their number (Bonferroni). */
const EVIDENCE_KINDS = 2;

const UP = 1;
const DOWN = 2;
const BOTH = 3;

/**
 * An anomaly detector for any (timestamp, value) stream, with the same defaults for every stream: it learns what is
 * normal (level, daily and weekly seasonality, slow drift, its own noise and heavy tails, level shifts) and scores
 * each point by how rarely something this surprising happens on this stream (see rarity.ts), from the stream's own
 * calibrated tail (see TailCalibrator). Score first, then learn.
 *
 * What is expected: a fast level (EW, LEVEL_RATE per point) plus hour-of-day and day-of-week offsets (interpolated
 * between hours), learnt Holt-Winters style with Huber-clipped residuals so that one burst barely moves them.
 *
 * Two kinds of evidence, each calibrated on its own tail:
 *  - the point: |residual| / its typical size (EW mean absolute residual, floored by the stream's resolution and
 *    magnitude: an idle counter or a two-level signal has a spread of at least half its smallest step, never an
 *    absolute epsilon);
 *  - a shift: the fast level against a slow reference (REFERENCE_RATE), scaled by its own typical size. A change of
 *    level is seen within a few points of its onset, before any single point is extreme. While the shift is extreme
 *    the reference is frozen; once it has lasted SHIFT_ABSORB_MS and SHIFT_ABSORB_POINTS it is the new normal.
 *
 * Recurring spikes (an hourly job) are learnt by the calibration: they are part of the stream's own tail, so once
 * they have recurred for a few days they stop scoring.
 */
export class StreamDetector {
  private readonly dir: number;
  private readonly offsetMs: number;
  private n = 0;
  private lastT = NAN;
  private dt = NAN;
  private level = 0;
  private ref = 0;
  private s1 = 0;
  private s2 = 0;
  private q = Number.POSITIVE_INFINITY;
  private mag = 0;
  private since = NAN;
  private shiftPoints = 0;
  private sSlow = 0;
  private lastValue = NAN;
  private readonly daily = new Float64Array(24);
  private readonly weekly = new Float64Array(7);
  private pointTail = new TailCalibrator(TAIL_THRESHOLD, QUIET_MS);
  private shiftTail = new TailCalibrator(TAIL_THRESHOLD, QUIET_MS);

  // Scratch of the last update (not state).
  private xScore = 0;
  private xObserved = NAN;
  private xExpected = NAN;
  private xSpread = NAN;
  private xEvidence: StreamAssessment['evidence'] = 'none';
  private xRate = 0;

  constructor(options: StreamDetectorOptions = {}) {
    const d = options.direction ?? 'both';
    this.dir = d === 'up' ? UP : d === 'down' ? DOWN : BOTH;
    this.offsetMs = (options.utcOffsetMinutes ?? 0) * 60_000;
  }

  update(point: StreamPoint): number {
    return this.updateValue(point.t, point.value);
  }

  /** Scores value x at time t (epoch ms) in [0, 1), then learns from it. */
  updateValue(t: number, x: number): number {
    if (!(x - x === 0) || !(t - t === 0)) {
      this.xScore = 0;
      this.xEvidence = 'none';
      return 0;
    }
    this.cadence(t);
    // Where in the day (fractional hour, interpolated between two bins) and week.
    const local = t + this.offsetMs;
    const hf = (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
    const h0 = floor(hf);
    const h1 = h0 === 23 ? 0 : h0 + 1;
    const w1 = hf - h0;
    const w0 = 1 - w1;
    const dow = floor(((((local + EPOCH_WEEKDAY_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS) / DAY_MS);
    const seasonal = w0 * this.daily[h0] + w1 * this.daily[h1] + this.weekly[dow];

    if (this.n < WARMUP) {
      this.warmup(x - seasonal);
      this.resolution(x);
      return 0;
    }
    const floorR = this.spreadFloor();
    const floorS = SLOW_SHARE * this.sSlow;
    const floor1 = floorR > floorS ? floorR : floorS;
    const sigma1 = MAD_TO_SIGMA * (this.s1 > floor1 ? this.s1 : floor1);
    const expected = this.level + seasonal;
    const resid = x - expected;
    // Shift evidence: the fast level after this point against the slow reference.
    const dev = x - seasonal - this.level;
    const clip1 = HUBER * sigma1;
    const levelNext = this.level + LEVEL_RATE * (dev > clip1 ? clip1 : dev < -clip1 ? -clip1 : dev);
    const diff = levelNext - this.ref;
    const floor2 = floor1 * 0.5;
    const sigma2 = MAD_TO_SIGMA * (this.s2 > floor2 ? this.s2 : floor2);
    const y1 = this.directed(resid) / sigma1;
    const y2 = this.directed(diff) / sigma2;
    const p1 = this.pointTail.ratePerDay(y1);
    const p2 = this.shiftTail.ratePerDay(y2);
    const rate = EVIDENCE_KINDS * (p1 < p2 ? p1 : p2);
    const score = scoreFromRate(rate);
    this.xScore = score;
    this.xObserved = x;
    this.xExpected = expected;
    this.xSpread = sigma1;
    this.xEvidence = score <= 0 ? 'none' : p1 <= p2 ? 'point' : 'shift';
    this.xRate = rate;

    // Learn. The tails learn the evidence as scored; the baselines learn clipped residuals.
    // Nothing rarer than about once a day is learnt at its full size: an incident must not teach the tail that
    // incidents are normal, while a heavy tail that keeps producing large values still fattens the fit.
    this.pointTail.learn(t, y1);
    this.shiftTail.learn(t, y2);
    const absR = abs(resid);
    const learnt = absR < clip1 ? absR : clip1;
    this.s1 += SPREAD_RATE * (learnt - this.s1);
    this.sSlow += SLOW_RATE * (learnt - this.sSlow);
    this.level = levelNext;
    const clip2 = HUBER * sigma2;
    const absD = abs(diff);
    this.s2 += SPREAD_RATE * 0.25 * ((absD < clip2 ? absD : clip2) - this.s2);
    if (p2 < SHIFT_EXTREME_RATE) {
      // A shift in progress: the reference waits; if it lasts, it is the new normal.
      if (this.since !== this.since) this.since = t;
      if (t - this.since >= SHIFT_ABSORB_MS && this.shiftPoints >= SHIFT_ABSORB_POINTS) {
        this.ref = this.level;
        this.since = NAN;
        this.shiftPoints = 0;
      } else this.shiftPoints++;
    } else {
      this.since = NAN;
      this.shiftPoints = 0;
      const dr = x - seasonal - this.ref;
      const clipR = HUBER * sigma1;
      this.ref += REFERENCE_RATE * (dr > clipR ? clipR : dr < -clipR ? -clipR : dr);
    }
    this.learnSeasonal(x - this.level - seasonal, clip1, h0, h1, w0, w1, dow);
    this.resolution(x);
    this.n += 1;
    return score;
  }

  /** The last point's score and what it was measured against, in the stream's units. */
  explain(): StreamAssessment {
    const spread = 2 * this.xSpread;
    return {
      score: this.xScore,
      observed: this.xObserved,
      expected: this.xExpected,
      usualLow: this.xExpected - spread,
      usualHigh: this.xExpected + spread,
      evidence: this.xEvidence,
      onceInDays: this.xRate > 0 ? 1 / this.xRate : Number.POSITIVE_INFINITY,
    };
  }

  get lastScore(): number {
    return this.xScore;
  }

  /** Exact: a restored detector scores the next points bit for bit as this one would. Options are not stored. */
  toJSON(): StreamDetectorState {
    const orNull = (x: number) => (x === x && x !== Number.POSITIVE_INFINITY ? x : null);
    return {
      v: 1,
      n: this.n,
      t: orNull(this.lastT),
      dt: this.dt === this.dt ? this.dt : 0,
      l: this.level,
      r: this.ref,
      s1: this.s1,
      s2: this.s2,
      ss: this.sSlow,
      q: this.q === Number.POSITIVE_INFINITY ? 0 : this.q,
      m: this.mag,
      x: orNull(this.since),
      xp: this.shiftPoints,
      lv: orNull(this.lastValue),
      d: Array.from(this.daily),
      w: Array.from(this.weekly),
      c1: this.pointTail.toJSON(),
      c2: this.shiftTail.toJSON(),
    };
  }

  static fromJSON(json: unknown, options: StreamDetectorOptions = {}): StreamDetector {
    const s = json as StreamDetectorState;
    const numbers = [s?.n, s?.dt, s?.l, s?.r, s?.s1, s?.s2, s?.ss, s?.q, s?.m, s?.xp, s?.t ?? 0, s?.x ?? 0, s?.lv ?? 0];
    if (s?.v !== 1 || !numbers.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error('StreamDetector.fromJSON: expected a version-1 state of finite numbers');
    }
    if (!Array.isArray(s.d) || s.d.length !== 24 || !Array.isArray(s.w) || s.w.length !== 7 || ![...s.d, ...s.w].every(Number.isFinite)) {
      throw new Error('StreamDetector.fromJSON: expected 24 hour-of-day and 7 day-of-week offsets');
    }
    const d = new StreamDetector(options);
    d.n = s.n;
    d.lastT = s.t ?? NAN;
    d.dt = s.dt > 0 ? s.dt : NAN;
    d.level = s.l;
    d.ref = s.r;
    d.s1 = s.s1;
    d.s2 = s.s2;
    d.sSlow = s.ss;
    d.q = s.q > 0 ? s.q : Number.POSITIVE_INFINITY;
    d.mag = s.m;
    d.since = s.x ?? NAN;
    d.shiftPoints = s.xp;
    d.lastValue = s.lv ?? NAN;
    d.daily.set(s.d);
    d.weekly.set(s.w);
    d.pointTail = TailCalibrator.fromJSON(s.c1, TAIL_THRESHOLD, QUIET_MS);
    d.shiftTail = TailCalibrator.fromJSON(s.c2, TAIL_THRESHOLD, QUIET_MS);
    d.pointTail.setQuietMs(d.quietMs());
    d.shiftTail.setQuietMs(d.quietMs());
    return d;
  }

  /** Exceedances closer than this are one occurrence: EPISODE_QUIET_MS, or three sampling intervals if longer. */
  private quietMs(): number {
    return this.dt === this.dt && 3 * this.dt > QUIET_MS ? 3 * this.dt : QUIET_MS;
  }

  private directed(r: number): number {
    const dir = this.dir;
    return dir === BOTH ? (r < 0 ? -r : r) : dir === UP ? (r > 0 ? r : 0) : r < 0 ? -r : 0;
  }

  /** Typical interval between points (EW of the observed gaps, each clipped to 4× the current typical one). */
  private cadence(t: number): void {
    const last = this.lastT;
    if (last === last && t > last) {
      const gap = t - last;
      if (this.dt !== this.dt) this.dt = gap;
      else this.dt += 0.01 * ((gap < 4 * this.dt ? gap : 4 * this.dt) - this.dt);
      const quiet = this.quietMs();
      this.pointTail.setQuietMs(quiet);
      this.shiftTail.setQuietMs(quiet);
    }
    if (!(t <= last)) this.lastT = t;
  }

  /** The smallest change between consecutive values (the stream's resolution) and its typical magnitude. */
  private resolution(x: number): void {
    const prev = this.lastValue;
    if (prev === prev) {
      const step = abs(x - prev);
      if (step > 0 && step < this.q) this.q = step;
    }
    this.lastValue = x;
    const ax = abs(x);
    this.mag = this.n === 0 ? ax : this.mag + 0.01 * (ax - this.mag);
  }

  /** Half the resolution, or a small share of the typical magnitude where that is larger; 0 for a constant zero. */
  private spreadFloor(): number {
    const q = this.q < Number.POSITIVE_INFINITY ? 0.5 * this.q : 0;
    const rel = RELATIVE_FLOOR * this.mag;
    const f = q > rel ? q : rel;
    return f > 0 ? f : Number.MIN_VALUE;
  }

  private warmup(x: number): void {
    if (this.n === 0) {
      this.level = x;
      this.ref = x;
    } else {
      const r = x - this.level;
      this.level += r / (this.n + 1);
      this.ref = this.level;
      this.s1 += (abs(r) - this.s1) / this.n;
      this.s2 = this.s1 * 0.3;
      this.sSlow = this.s1;
    }
    this.n += 1;
  }

  /** Holt-Winters style: the hour-of-day bins (interpolated) and the day of week learn what the level does not explain. */
  private learnSeasonal(e: number, clip: number, h0: number, h1: number, w0: number, w1: number, dow: number): void {
    const r = e > clip ? clip : e < -clip ? -clip : e;
    const perDay = this.dt === this.dt ? DAY_MS / this.dt : 24;
    const gd = min(0.5, DAILY_RATE_PER_DAY / max(1, perDay / 24));
    const gw = min(0.5, WEEKLY_RATE_PER_WEEK / max(1, perDay));
    this.daily[h0] += gd * w0 * r;
    this.daily[h1] += gd * w1 * r;
    this.weekly[dow] += gw * r;
  }
}
