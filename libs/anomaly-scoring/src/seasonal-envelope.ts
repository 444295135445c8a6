/**
 * What level of a non-negative per-event signal (e.g. an Anscombe-scaled window count) is normal at this hour of the
 * day and at this time of the week: for each clock hour the peak value seen in it is one sample (an hour without
 * events is a sample of `emptyLevel`), and two profiles learn from those samples by exponential smoothing:
 *
 *  - hour of day: 24 buckets, one sample a day each (rate `dailyRate`);
 *  - time of week: 84 two-hour blocks (Monday 00:00-02:00 first), one sample a week each (rate `weeklyRate`);
 *  - any active hour: the typical peak of an hour with activity, and its mean absolute deviation (rate `peakRate`,
 *    Huber-clipped at 3 deviations), whatever the time: "sessions this busy are normal for this agent".
 *
 * A bucket's first sample is taken as it is; later samples are smoothed in. Lookups take the highest of the hour
 * itself and its two neighbours (schedules drift by minutes, and a 10-minute window carries one hour into the next).
 *
 * Because every clock hour is one sample whatever the number of events in it, a recurring burst (a nightly batch, a
 * Monday-morning report) is learnt within a few periods, while a one-off burst is a single sample: it raises that
 * bucket by at most one step, which decays again on the following visits.
 *
 * Levels are stored as one byte each on a log scale (code = round(36·ln(1 + level)), about 3% resolution, up to
 * ≈ 1,190), so that the state is small and serialises exactly: a restored envelope behaves bit for bit as the
 * original. Several signals (features) share the clock; each has its own profiles.
 */
// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { exp, floor, log1p, round } = Math;
const NEG_INF = Number.NEGATIVE_INFINITY,
  POS_INF = Number.POSITIVE_INFINITY;

export const HOURS_PER_DAY = 24;
export const WEEK_BLOCKS = 84;
const PEAK = HOURS_PER_DAY + WEEK_BLOCKS;
const PEAK_DEV = PEAK + 1;
const BUCKETS = PEAK + 2;
const HOUR_MS = 3_600_000;
const CODE_SCALE = 36;
/** How many empty hours a gap in activity is worked through at most (one full week touches every bucket). */
const MAX_GAP_HOURS = 168;

/**
 * Input/output registers of the allocation-free hot-path methods (a double passed to or returned from a call the JIT
 * does not inline is boxed): observeIn() reads the value from ENV_IO[0]; lookup() writes the seasonal level, the
 * active-hour peak and its spread to ENV_IO[1..3].
 */
export const ENV_IO = new Float64Array(4);

const DECODE = new Float64Array(256);
const UPPER = new Float64Array(256);
for (let c = 0; c < 256; c++) {
  DECODE[c] = exp(c / CODE_SCALE) - 1;
  UPPER[c] = c === 255 ? POS_INF : exp((c + 0.5) / CODE_SCALE) - 1;
}

export function encodeLevel(level: number): number {
  if (!(level > 0)) return 0;
  const c = round(CODE_SCALE * log1p(level));
  return c > 255 ? 255 : c;
}

export function decodeLevel(code: number): number {
  return DECODE[code];
}

export interface SeasonalEnvelopeOptions {
  features: number;
  /** Level of an hour without any event. */
  emptyLevel: number;
  dailyRate: number;
  weeklyRate: number;
  peakRate: number;
  /** Clock offset from UTC in minutes (the agent's or its owner's time zone). */
  utcOffsetMinutes: number;
}

export interface SeasonalEnvelopeState {
  /** Current clock hour (hours since the epoch, offset applied), -1 before the first value. */
  h: number;
  /** Per feature: peak code in the current hour, then in the current two-hour block. */
  c: number[];
  /** Base64 of the profile codes: per feature 24 hour-of-day, 84 time-of-week, then peak level and deviation. */
  p: string;
}

export class SeasonalEnvelope {
  private hour = -1;
  /** Per feature BUCKETS profile codes, then (at `curAt`) per feature the current hour's and block's peak codes. */
  private readonly codes: Uint8Array;
  private readonly curAt: number;
  private readonly features: number;
  private readonly emptyCode: number;
  private readonly offsetMs: number;
  private readonly dailyRate: number;
  private readonly weeklyRate: number;
  private readonly peakRate: number;

  constructor(o: SeasonalEnvelopeOptions) {
    this.features = o.features;
    this.curAt = BUCKETS * o.features;
    this.codes = new Uint8Array(this.curAt + 2 * o.features);
    this.emptyCode = encodeLevel(o.emptyLevel);
    this.offsetMs = o.utcOffsetMinutes * 60_000;
    this.dailyRate = o.dailyRate;
    this.weeklyRate = o.weeklyRate;
    this.peakRate = o.peakRate;
  }

  /** A copy of the profile bytes (for a peer prior). */
  profileBytes(): Uint8Array {
    return this.codes.slice(0, this.curAt);
  }

  /** Starts from a (peer) profile; the length must be BUCKETS × features. */
  setProfile(bytes: Uint8Array): void {
    if (bytes.length !== this.curAt) throw new Error('SeasonalEnvelope: profile of the wrong size');
    this.codes.set(bytes);
  }

  /** The clock hour (since the epoch, offset applied) of time t. */
  hourOf(t: number): number {
    return floor((t + this.offsetMs) / HOUR_MS);
  }

  /**
   * Moves the clock to hour `hour` (from hourOf), learning from every hour completed since the last call. An
   * earlier hour (an out-of-order event) is counted in the current one.
   */
  advance(hour: number): void {
    const prev = this.hour;
    if (hour <= prev) return;
    this.hour = hour;
    if (prev < 0) return;
    this.finishHour(prev, false);
    let k = prev + 1;
    if (hour - k > MAX_GAP_HOURS) k = hour - MAX_GAP_HOURS;
    for (; k < hour; k++) this.finishHour(k, true);
  }

  /** Records feature f's value in the current hour (call after advance). */
  observe(f: number, value: number): void {
    ENV_IO[0] = value;
    this.observeIn(f);
  }

  /** observe() with the value in ENV_IO[0]. */
  observeIn(f: number): void {
    const value = ENV_IO[0];
    const i = this.curAt + 2 * f;
    const cur = this.codes;
    if (value > UPPER[cur[i]]) {
      const c = encodeLevel(value);
      cur[i] = c;
      if (c > cur[i + 1]) cur[i + 1] = c;
    }
  }

  /**
   * Everything the scorer needs for feature f at clock hour `hour`, into ENV_IO: [1] the seasonal level (the higher of
   * daily() and weekly() where enabled, -Infinity if neither), [2] peak(), [3] peakSpread().
   */
  lookup(f: number, hour: number, daily: boolean, weekly: boolean): void {
    let seasonal = NEG_INF;
    if (daily) seasonal = this.daily(f, hour);
    if (weekly) {
      const w = this.weekly(f, hour);
      if (w > seasonal) seasonal = w;
    }
    ENV_IO[1] = seasonal;
    ENV_IO[2] = this.peak(f);
    ENV_IO[3] = this.peakSpread(f);
  }

  /** Hour-of-day level of feature f around clock hour `hour` (the highest of the hour and its neighbours). */
  daily(f: number, hour: number): number {
    const base = f * BUCKETS;
    const h = hourOfDay(hour);
    const c = this.codes;
    return DECODE[max3(c[base + (h === 0 ? 23 : h - 1)], c[base + h], c[base + (h === 23 ? 0 : h + 1)])];
  }

  /** Time-of-week level of feature f around clock hour `hour` (its block, and the blocks of the hours either side). */
  weekly(f: number, hour: number): number {
    const base = f * BUCKETS + HOURS_PER_DAY;
    const c = this.codes;
    return DECODE[max3(c[base + weekBlock(hour - 1)], c[base + weekBlock(hour)], c[base + weekBlock(hour + 1)])];
  }

  /** Typical peak level of an active hour of feature f (0 before any). */
  peak(f: number): number {
    return DECODE[this.codes[f * BUCKETS + PEAK]];
  }

  /** Spread of that peak level: the level one mean absolute deviation above it, minus it, as a σ (× 1.25). */
  peakSpread(f: number): number {
    const c = this.codes[f * BUCKETS + PEAK];
    const d = c + this.codes[f * BUCKETS + PEAK_DEV];
    return 1.25 * (DECODE[d > 255 ? 255 : d] - DECODE[c]);
  }

  toJSON(): SeasonalEnvelopeState {
    return { h: this.hour, c: Array.from(this.codes.subarray(this.curAt)), p: Buffer.from(this.codes.subarray(0, this.curAt)).toString('base64') };
  }

  restore(s: SeasonalEnvelopeState): void {
    const bytes = Buffer.from(s.p, 'base64');
    if (bytes.length !== this.curAt || !Array.isArray(s.c) || s.c.length !== 2 * this.features || typeof s.h !== 'number') {
      throw new Error('SeasonalEnvelope: malformed state');
    }
    this.hour = s.h;
    this.codes.set(bytes);
    for (let i = 0; i < s.c.length; i++) this.codes[this.curAt + i] = s.c[i];
  }

  private finishHour(hour: number, empty: boolean): void {
    const hod = hourOfDay(hour);
    const blockEnds = (hod & 1) === 1;
    const block = weekBlock(hour);
    const codes = this.codes;
    for (let f = 0; f < this.features; f++) {
      const i = this.curAt + 2 * f;
      const peakCode = empty ? 0 : codes[i];
      const sample = peakCode < this.emptyCode ? this.emptyCode : peakCode;
      const base = f * BUCKETS;
      if (peakCode > 0) {
        // An hour with activity: learn the typical active-hour peak (Huber-clipped at 3 deviations).
        const level = codes[base + PEAK];
        if (level === 0) {
          codes[base + PEAK] = peakCode;
        } else {
          const dev = codes[base + PEAK_DEV];
          const cap = 3 * (dev > 2 ? dev : 2);
          const x = peakCode > level + cap ? level + cap : peakCode < level - cap ? level - cap : peakCode;
          codes[base + PEAK] = step(level, x, this.peakRate);
          codes[base + PEAK_DEV] = step(dev, x > level ? x - level : level - x, this.peakRate, false);
        }
      }
      codes[base + hod] = step(codes[base + hod], sample, this.dailyRate);
      const blockPeak = codes[i + 1] > sample ? codes[i + 1] : sample;
      if (blockEnds) {
        codes[base + HOURS_PER_DAY + block] = step(codes[base + HOURS_PER_DAY + block], blockPeak, this.weeklyRate);
        codes[i + 1] = 0;
      } else {
        codes[i + 1] = blockPeak;
      }
      codes[i] = 0;
    }
  }
}

export function hourOfDay(hour: number): number {
  const h = hour % HOURS_PER_DAY;
  return h < 0 ? h + HOURS_PER_DAY : h;
}

/** Two-hour block of the week, Monday 00:00 = 0 (1970-01-01 was a Thursday). */
export function weekBlock(hour: number): number {
  const day = floor(hour / HOURS_PER_DAY);
  let dow = (day + 3) % 7;
  if (dow < 0) dow += 7;
  return dow * 12 + (hourOfDay(hour) >> 1);
}

function max3(a: number, b: number, c: number): number {
  return a > b ? (a > c ? a : c) : b > c ? b : c;
}

/**
 * One smoothing step in code space; always moves at least one code towards the sample, so it cannot stall. A bucket
 * never visited (code 0: every sample is at least the empty level) takes its first sample as it is.
 */
function step(code: number, sample: number, rate: number, firstIsSample = true): number {
  if (code === 0 && firstIsSample) return sample;
  const d = sample - code;
  if (d === 0) return code;
  const m = round(rate * d);
  return code + (d > 0 ? (m > 1 ? m : 1) : m < -1 ? m : -1);
}
