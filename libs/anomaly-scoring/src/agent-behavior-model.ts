import { BloomSet } from './bloom-set';
import { anscombe, inverseAnscombe } from './calibration';
import { EPISODE_QUIET_MS } from './episode-tracker';
import { EwRobustZDetector, STEP_IN, STEP_OUT, type DetectorPrior, type EwRobustZOptions, type EwRobustZState } from './ew-robust-z-detector';
import { scoreFromRate } from './rarity';
import { ENV_IO, hourOfDay, SeasonalEnvelope, type SeasonalEnvelopeState } from './seasonal-envelope';
import { TailCalibrator } from './tail-calibrator';

// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { exp, floor, round, sqrt } = Math;
const POS_INF = Number.POSITIVE_INFINITY,
  NAN = Number.NaN;

export type ActivityOutcome = 'allowed' | 'denied' | 'error';

export interface ActivityEvent {
  /** Epoch milliseconds. */
  t: number;
  action: string;
  resourceType: string;
  tool?: string;
  recordsTouched: number;
  outcome: ActivityOutcome;
}

export type FeatureName = 'action-rate' | 'records-touched' | 'denied-share' | 'new-action' | 'new-resource-type' | 'new-tool' | 'new-hour';

export interface FeatureExplanation {
  name: FeatureName;
  /**
   * For the volume features, counts in the analyst's units: observed = events (records, denied or failed events) in
   * the last 10 minutes, expected = what is usual in 10 minutes at this time. Otherwise what was seen and what is known.
   */
  expected: number | string;
  observed: number | string;
  /** This feature's own score in [0, 1]. */
  score: number;
  /** Its part of the combined score (contributions sum to the score). */
  contribution: number;
  /** Volume features: the unit of expected and observed, e.g. "records in 10 min". */
  unit?: string;
  /** Volume features: the top of the usual range in 10 minutes at this time, and the usual total a day. */
  usualHigh?: number;
  usualPerDay?: number;
  /** Volume features: mean days between windows this unusual on this agent's own history (Infinity: none). */
  onceInDays?: number;
}

export interface AnomalyAssessment {
  score: number;
  /** Every feature, highest contribution first. */
  features: FeatureExplanation[];
  /** One line an analyst can judge in seconds, e.g. "500 records touched in 10 min; usually about 15 a day ...". */
  summary: string;
}

export interface PeerPrior {
  rate?: DetectorPrior;
  records?: DetectorPrior;
  deniedShare: number;
  /** Base64 Bloom set of items most peers have used. */
  seen: string;
  /** 24-bit mask of hours (of day) peers are active in. */
  hours: number;
  /** Base64 median seasonal profile of the peers (hour of day and time of week), when they have one. */
  seasonal?: string;
  peers: number;
}

export interface AgentBehaviorModelOptions {
  /** Time constant of the decayed window counters (mean lifetime of an event in the window). */
  windowMs?: number;
  /**
   * After this long without any event the windows start afresh rather than keep an exponential tail: what an agent
   * did before a quiet quarter of an hour is not "the last ten minutes", and a burst that ended does not make the
   * next ordinary event look like part of it (a second alarm for the same incident).
   */
  windowResetMs?: number;
  /** Events scored 0 on the rate/records/denied features while the baseline forms (no prior). */
  warmupEvents?: number;
  /** Events before a never-seen action/resource/tool counts as novel (no prior). */
  noveltyMinEvents?: number;
  /** History before a never-seen hour counts as novel (no prior). */
  hourMinHistoryMs?: number;
  /** Hour-of-day offset from UTC, in minutes (e.g. the agent owner's zone). */
  utcOffsetMinutes?: number;
  /** A rate/records level that stays abnormal this long is learnt as the new normal (growth); shorter is a burst. */
  shiftAbsorbAfterMs?: number;
  /**
   * Scores of a first use once the agent is mature and its repertoire stable. A never-seen tool, action or resource
   * type, or activity at a never-active hour, is an alarm on its own (≥ 0.9); see noveltyMemoryMs for the discount.
   */
  novelty?: { action: number; resourceType: number; tool: number; hour: number };
  /**
   * Recent discoveries discount novelty: each first use adds 1 to a count that decays with this time constant, and
   * a first use scores novelty·1/(1 + (count/noveltyHalfCount)²). An agent that is still exploring (young, or just
   * redeployed with new tools) raises one alarm, not one per new item.
   */
  noveltyMemoryMs?: number;
  noveltyHalfCount?: number;
  /** History before hour-of-day seasonality is used (no prior); time-of-week seasonality needs twice this. */
  seasonalMinHistoryMs?: number;
  /** Smoothing rate per visit of the hour-of-day and time-of-week profiles. */
  seasonalDailyRate?: number;
  seasonalWeeklyRate?: number;
  /** Relative uncertainty of a seasonal level: spread added in quadrature = this × (seasonal level − baseline). */
  seasonalSpread?: number;
  /** Smoothing rate per active hour of the typical active-hour peak (the bursty-but-normal envelope). */
  peakRate?: number;
  /** A never-active hour right next to an active one (the working day starting an hour early) scores this share. */
  adjacentHourFactor?: number;
  /** Each further feature scoring at least boostFloor adds boostWeight·score of the remaining headroom. */
  boostFloor?: number;
  boostWeight?: number;
  prior?: PeerPrior;
}

type ResolvedOptions = Required<Omit<AgentBehaviorModelOptions, 'prior'>>;

export const AGENT_MODEL_DEFAULTS: ResolvedOptions = {
  windowMs: 10 * 60_000,
  windowResetMs: 15 * 60_000,
  warmupEvents: 30,
  noveltyMinEvents: 50,
  hourMinHistoryMs: 7 * 24 * 3_600_000,
  utcOffsetMinutes: 0,
  shiftAbsorbAfterMs: 2 * 3_600_000,
  novelty: { action: 0.95, resourceType: 0.95, tool: 0.95, hour: 0.95 },
  noveltyMemoryMs: 2 * 24 * 3_600_000,
  noveltyHalfCount: 0.5,
  seasonalMinHistoryMs: 7 * 24 * 3_600_000,
  seasonalDailyRate: 0.3,
  seasonalWeeklyRate: 0.5,
  seasonalSpread: 0.25,
  peakRate: 0.05,
  adjacentHourFactor: 0.5,
  boostFloor: 0.5,
  boostWeight: 0.5,
};

/** Long-run denied/error share: a running mean for the first events, then EW with this rate per event. */
const DENIED_ALPHA = 0.002;
/** A peer prior's denied share counts as this many events. */
const DENIED_PRIOR_EVENTS = 50;
/** While the denied share is already abnormal (z above this) it is learnt ten times slower. */
const DENIED_LEARN_Z = 3;
const EMPTY_LEVEL = anscombe(0);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * Evidence (a z on the variance-stabilised scale) above this starts a cluster in the calibrated tails: the score of
 * each volume feature is how rarely, on this agent's own history, a cluster this far out begins (see rarity.ts).
 */
const TAIL_THRESHOLD = 3;
/** Smoothing rate per day of the usual daily totals (explanations only). */
const DAILY_TOTAL_RATE = 0.2;
/** Empty days a gap in activity counts at most (explanations only). */
const MAX_EMPTY_DAYS = 30;
/** Exact counts for explanations: events and records in each of the last RING_MINUTES clock minutes. */
const RING_MINUTES = 10;
const MINUTE_MS = 60_000;

const F_RATE = 0;
const F_RECORDS = 1;
const F_DENIED = 2;
const F_ACTION = 3;
const F_RESOURCE = 4;
const F_TOOL = 5;
const F_HOUR = 6;
const FEATURES = 7;
const K_ACTION = 0;
const K_RESOURCE = 1;
const K_TOOL = 2;

/** Serialised state; short keys because it is stored per agent. */
export interface AgentBehaviorState {
  v: 3;
  /** Last event time, first event time, events seen. */
  last: number | null;
  first: number | null;
  events: number;
  /** Decayed window sums: events, records, denied+error. */
  wn: number;
  wr: number;
  wb: number;
  /** Long-run denied/error share. */
  p: number;
  rate: EwRobustZState;
  recs: EwRobustZState;
  /** Seasonal envelope of the rate and records signals. */
  sea: SeasonalEnvelopeState;
  seen: string;
  /** 24-bit masks of the hours of day the agent has been active in, and (until it has its own history) its peers. */
  hours: number;
  peerHours: number;
  /** Recent discoveries (decayed count and the time it refers to): items, then hours. */
  nd: number;
  ndT: number;
  hd: number;
  hdT: number;
  /** 1 when started from a peer prior (novelty, hours and seasonality are live from the first event). */
  prior: 0 | 1;
  /**
   * Calibrated tails of the rate, records and denied evidence (see TailCalibrator). They learn at the same events, so
   * their clock (days observed, points, last time) is stored once: [days, points, last time, then per tail clusters,
   * peaks, Σ excess, Σ excess², open peak, its time].
   */
  tl: Array<number | null>;
  /** Day index (offset applied), events and records so far that day, and their usual totals a day (EW). */
  day: number | null;
  de: number;
  dr: number;
  ue: number | null;
  ur: number | null;
  /** Minute index of the newest slot, then events and records in each of the last 10 clock minutes (ring). */
  min: number | null;
  me: number[];
  mr: number[];
}

/** The version-2 state (before calibrated tails and daily totals), still accepted by fromJSON. */
export type AgentBehaviorStateV2 = Omit<AgentBehaviorState, 'v' | 'tl' | 'day' | 'de' | 'dr' | 'ue' | 'ur' | 'min' | 'me' | 'mr'> & { v: 2 };

/** The version-1 state (before seasonality), still accepted by fromJSON. */
export type AgentBehaviorStateV1 = Omit<AgentBehaviorStateV2, 'v' | 'sea' | 'peerHours' | 'nd' | 'ndT' | 'hd' | 'hdT'> & { v: 1 };

/** Discovery count a migrated v1 state starts with: its repertoire is re-learnt without alarms. */
const V1_NOVELTY_DISCOUNT = 20;

/**
 * Per-agent behaviour baseline. `update(event)` scores the event against what the agent did before (then learns
 * from it) and returns the combined score; `explain()` names the features that drove the last score. Combined
 * score: the highest feature score s1, plus, for each other feature scoring at least boostFloor, boostWeight·s_i of
 * the remaining headroom (1 - s1), capped at 1: several moderately odd things at once add up, one odd thing stays
 * what it is.
 *
 * update() is the hot path: it allocates nothing and keeps only a few scratch numbers for explain().
 */
export class AgentBehaviorModel {
  private readonly o: ResolvedOptions;
  private rate: EwRobustZDetector;
  private recs: EwRobustZDetector;
  private seen: BloomSet;
  private readonly env: SeasonalEnvelope;

  private last = NAN;
  private first = NAN;
  private events = 0;
  private wn = 0;
  private wr = 0;
  private wb = 0;
  private p = 0;
  private hours = 0;
  private peerHours = 0;
  private nd = 0;
  private ndT = 0;
  private hd = 0;
  private hdT = 0;
  private fromPrior: 0 | 1 = 0;
  private tailRate = new TailCalibrator(TAIL_THRESHOLD, EPISODE_QUIET_MS);
  private tailRecs = new TailCalibrator(TAIL_THRESHOLD, EPISODE_QUIET_MS);
  private tailDenied = new TailCalibrator(TAIL_THRESHOLD, EPISODE_QUIET_MS);
  private day = NAN;
  private de = 0;
  private dr = 0;
  private ue = NAN;
  private ur = NAN;
  private minute = NAN;
  private readonly ringEvents = new Float64Array(RING_MINUTES);
  private readonly ringRecords = new Float64Array(RING_MINUTES);

  // Last values seen per kind (already in the Bloom set; not state: a restored model just hashes once more).
  private prevAction: string | undefined;
  private prevResource: string | undefined;
  private prevTool: string | undefined;

  // Inputs shared by the phases of update() (not state).
  private curT = 0;
  private curBad = 0;
  private curHour = 0;
  private readonly offsetMs: number;

  // Scratch of the last update, for explain() (not state).
  private readonly sc = new Float64Array(FEATURES);
  private lastScore = 0;
  private updated = false;
  /** Whether the last event named a tool (prevTool keeps the last tool named). */
  private lastHadTool = false;
  private xRateExpected = NAN;
  private xRecsExpected = NAN;
  private xWn = 0;
  private xWr = 0;
  private xWb = 0;
  private xP = 0;
  private xHours = 0;
  private xHour = 0;
  private readonly xHigh = new Float64Array(2);
  private readonly xRateDay = new Float64Array(3);

  constructor(options: AgentBehaviorModelOptions = {}) {
    const { prior, ...rest } = options;
    this.o = resolveOptions(rest);
    this.offsetMs = this.o.utcOffsetMinutes * 60_000;
    this.rate = new EwRobustZDetector({ ...this.detectorOptions(), prior: prior?.rate });
    this.recs = new EwRobustZDetector({ ...this.detectorOptions(), prior: prior?.records });
    this.seen = prior ? BloomSet.fromBase64(prior.seen) : BloomSet.empty();
    this.env = new SeasonalEnvelope({
      features: 2,
      emptyLevel: EMPTY_LEVEL,
      dailyRate: this.o.seasonalDailyRate,
      weeklyRate: this.o.seasonalWeeklyRate,
      peakRate: this.o.peakRate,
      utcOffsetMinutes: this.o.utcOffsetMinutes,
    });
    if (prior) {
      this.fromPrior = 1;
      this.p = prior.deniedShare;
      this.peerHours = prior.hours >>> 0;
      if (prior.seasonal) this.env.setProfile(new Uint8Array(Buffer.from(prior.seasonal, 'base64')));
    }
  }

  /** Options are configuration, not state: pass the same options the model was built with (prior excepted). */
  static fromJSON(json: unknown, options: Omit<AgentBehaviorModelOptions, 'prior'> = {}): AgentBehaviorModel {
    const v = (json as { v?: unknown } | null)?.v;
    if (v === 1) return AgentBehaviorModel.fromV1(json as AgentBehaviorStateV1, options);
    const s = json as AgentBehaviorState;
    if (!s || (v !== 2 && v !== 3)) throw new Error('AgentBehaviorModel.fromJSON: unknown state version');
    const m = new AgentBehaviorModel(options);
    // A version-2 state has no tails yet: they start from their prior and learn from the next events.
    if (v === 3) {
      const tl = s.tl;
      if (!Array.isArray(tl) || tl.length !== 3 + 3 * 6) throw new Error('AgentBehaviorModel.fromJSON: expected the three tails');
      const tail = (k: number) => TailCalibrator.fromJSON([tl[0], tl[1], ...tl.slice(3 + 6 * k, 9 + 6 * k), tl[2]], TAIL_THRESHOLD, EPISODE_QUIET_MS);
      m.tailRate = tail(0);
      m.tailRecs = tail(1);
      m.tailDenied = tail(2);
      m.day = s.day ?? NAN;
      m.de = s.de;
      m.dr = s.dr;
      m.ue = s.ue ?? NAN;
      m.ur = s.ur ?? NAN;
      m.minute = s.min ?? NAN;
      if (!Array.isArray(s.me) || s.me.length !== RING_MINUTES || !Array.isArray(s.mr) || s.mr.length !== RING_MINUTES) {
        throw new Error("AgentBehaviorModel.fromJSON: expected the last minutes' counts");
      }
      m.ringEvents.set(s.me);
      m.ringRecords.set(s.mr);
    }
    m.rate = EwRobustZDetector.fromJSON(s.rate, m.detectorOptions());
    m.recs = EwRobustZDetector.fromJSON(s.recs, m.detectorOptions());
    m.seen = BloomSet.fromBase64(s.seen);
    m.env.restore(s.sea);
    m.last = s.last ?? NAN;
    m.first = s.first ?? NAN;
    m.events = s.events;
    m.wn = s.wn;
    m.wr = s.wr;
    m.wb = s.wb;
    m.p = s.p;
    m.hours = s.hours >>> 0;
    m.peerHours = s.peerHours >>> 0;
    m.nd = s.nd;
    m.ndT = s.ndT;
    m.hd = s.hd;
    m.hdT = s.hdT;
    m.fromPrior = s.prior === 1 ? 1 : 0;
    return m;
  }

  /**
   * Migrates a version-1 state: the baselines, denied share, hours and history carry over; the seen-items set used
   * another hash and cannot, so it restarts empty with its novelty discounted as for a young agent (re-learning the
   * repertoire raises no alarms); the seasonal profile starts empty and fills in over the next days.
   */
  private static fromV1(s: AgentBehaviorStateV1, options: Omit<AgentBehaviorModelOptions, 'prior'>): AgentBehaviorModel {
    const m = new AgentBehaviorModel(options);
    m.rate = EwRobustZDetector.fromJSON(s.rate, m.detectorOptions());
    m.recs = EwRobustZDetector.fromJSON(s.recs, m.detectorOptions());
    m.last = s.last ?? NAN;
    m.first = s.first ?? NAN;
    m.events = s.events;
    m.wn = s.wn;
    m.wr = s.wr;
    m.wb = s.wb;
    m.p = s.p;
    m.hours = s.hours >>> 0;
    m.fromPrior = s.prior === 1 ? 1 : 0;
    m.nd = V1_NOVELTY_DISCOUNT;
    m.ndT = Number.isNaN(m.last) ? 0 : m.last;
    return m;
  }

  get eventsSeen(): number {
    return this.events;
  }

  /** What a peer prior is built from. */
  get baseline(): {
    rate?: DetectorPrior;
    records?: DetectorPrior;
    deniedShare: number;
    seen: BloomSet;
    hours: number;
    /** The seasonal profile bytes, once seasonality is live for this agent. */
    seasonal?: Uint8Array;
    warm: boolean;
  } {
    const warm = this.rate.isWarm && this.recs.isWarm;
    return {
      rate: this.rate.isWarm ? this.rate.baseline : undefined,
      records: this.recs.isWarm ? this.recs.baseline : undefined,
      deniedShare: this.p,
      seen: this.seen,
      hours: this.hours,
      seasonal: this.seasonalLive(this.last, 1) ? this.env.profileBytes() : undefined,
      warm,
    };
  }

  /** Actions a day the model holds usual (daily totals smoothed over days, empty ones included); undefined before its first full day. */
  get usualActionsPerDay(): number | undefined {
    return this.ue === this.ue ? round2(this.ue) : undefined;
  }

  /**
   * What the model holds usual for the agent's actions in 10 minutes at time t, as it stands now (nothing is learnt):
   * `expected` is the level an event then would be measured from (the baseline or, where higher, what is normal at
   * that hour of the day and week and in an active hour), `high` the top of the usual range (that level + 2σ), both
   * as counts, as explain() gives them. Undefined until the rate baseline is warm. For charts of the agent's activity
   * against its learnt range.
   */
  usualActionsIn10Minutes(t: number): { expected: number; high: number } | undefined {
    const d = this.rate;
    if (!d.isWarm) return undefined;
    const history = this.first === this.first ? t - this.first : 0;
    const o = this.o;
    this.env.lookup(
      F_RATE,
      floor((t + this.offsetMs) / HOUR_MS),
      this.fromPrior === 1 || history >= o.seasonalMinHistoryMs,
      this.fromPrior === 1 || history >= 2 * o.seasonalMinHistoryMs,
    );
    // As volume() and the detector's stepIn() see it: the higher of the baseline, the active-hour peak and the season.
    let level = d.level;
    if (ENV_IO[2] > level) level = ENV_IO[2];
    if (ENV_IO[1] > level) level = ENV_IO[1];
    return { expected: round2(expectedCount(level)), high: round2(expectedCount(level + 2 * d.sigma)) };
  }

  /** Scores the event against the agent's baseline (in [0, 1]), then learns from it. See explain(). */
  update(e: ActivityEvent): number {
    // The phases share their inputs through fields, not arguments: small methods the JIT optimises whole, with no
    // double passed across a call (which would be boxed, i.e. allocated).
    this.updated = true;
    this.windows(e);
    this.volume();
    this.denied();
    this.firstUses(e);
    this.newHour();
    this.events += 1;
    this.combine();
    return this.lastScore;
  }

  /** Decayed 10-minute window sums of events, records and denied/failed events; the clock hour. */
  private windows(e: ActivityEvent): void {
    const t = e.t;
    const rec = e.recordsTouched;
    const records = rec > 0 && rec < POS_INF ? rec : 0;
    const bad = e.outcome === 'allowed' ? 0 : 1;
    const fresh = this.last !== this.last; // NaN: first event
    const gap = t - this.last;
    const decay = fresh || gap >= this.o.windowResetMs ? 0 : gap > 0 ? exp(-gap / this.o.windowMs) : 1;
    this.wn = this.wn * decay + 1;
    this.wr = this.wr * decay + records;
    this.wb = this.wb * decay + bad;
    this.curT = t;
    this.curBad = bad;
    if (fresh || t > this.last) this.last = t;
    if (this.first !== this.first) this.first = t;
    this.curHour = floor((t + this.offsetMs) / HOUR_MS);
    this.env.advance(this.curHour);
    this.dailyTotals(floor((t + this.offsetMs) / DAY_MS), records);
    this.lastMinutes(floor(t / MINUTE_MS), records);
  }

  /** Exact events and records in each of the last RING_MINUTES clock minutes (explanations only). */
  private lastMinutes(minute: number, records: number): void {
    const cur = this.minute;
    if (cur !== cur || minute - cur >= RING_MINUTES) {
      this.ringEvents.fill(0);
      this.ringRecords.fill(0);
      this.minute = minute;
    } else if (minute > cur) {
      for (let m = cur + 1; m <= minute; m++) {
        this.ringEvents[m % RING_MINUTES] = 0;
        this.ringRecords[m % RING_MINUTES] = 0;
      }
      this.minute = minute;
    }
    // An event older than the ring (out of order) is counted in the oldest slot.
    const slot = (minute > this.minute - RING_MINUTES ? minute : this.minute - RING_MINUTES + 1) % RING_MINUTES;
    this.ringEvents[slot] += 1;
    this.ringRecords[slot] += records;
  }

  /** Events and records a day, and what is usual (EW over days, empty days included): for explanations only. */
  private dailyTotals(day: number, records: number): void {
    const cur = this.day;
    if (cur !== cur) this.day = day;
    else if (day > cur) {
      let ue = this.ue;
      let ur = this.ur;
      // The first complete day is taken as it is; later days (empty ones too) are smoothed in.
      ue = ue !== ue ? this.de : ue + DAILY_TOTAL_RATE * (this.de - ue);
      ur = ur !== ur ? this.dr : ur + DAILY_TOTAL_RATE * (this.dr - ur);
      const empty = day - cur - 1 < MAX_EMPTY_DAYS ? day - cur - 1 : MAX_EMPTY_DAYS;
      if (empty > 0) {
        const keep = (1 - DAILY_TOTAL_RATE) ** empty;
        ue *= keep;
        ur *= keep;
      }
      this.ue = ue;
      this.ur = ur;
      this.day = day;
      this.de = 0;
      this.dr = 0;
    }
    this.de += 1;
    this.dr += records;
  }

  /**
   * Rate and records, on the Anscombe scale, against the baseline or, where higher, what is normal at this time of
   * day or week (once live) or in an active hour of this agent (the seasonal envelope). At a seasonally busy time
   * (seasonal level above baseline + σ) the baseline does not learn the point: the season explains it. Learning
   * weight 1/wn: each 10-minute window of activity counts about once, so a dense burst is a few points.
   */
  private volume(): void {
    const o = this.o;
    const env = this.env;
    const sc = this.sc;
    const t = this.curT;
    const hour = this.curHour;
    const xRate = 2 * sqrt(this.wn + 0.375);
    const xRecs = 2 * sqrt(this.wr + 0.375);
    const weight = 1 / this.wn;
    const daily = this.fromPrior === 1 || t - this.first >= o.seasonalMinHistoryMs;
    const weekly = this.fromPrior === 1 || t - this.first >= 2 * o.seasonalMinHistoryMs;
    for (let f = F_RATE; f <= F_RECORDS; f++) {
      const d = f === F_RATE ? this.rate : this.recs;
      env.lookup(f, hour, daily, weekly);
      STEP_IN[0] = t;
      STEP_IN[1] = f === F_RATE ? xRate : xRecs;
      STEP_IN[2] = ENV_IO[2];
      STEP_IN[3] = ENV_IO[3];
      STEP_IN[4] = weight;
      STEP_IN[5] = ENV_IO[1];
      STEP_IN[6] = o.seasonalSpread;
      d.stepIn();
      const z = d.lastZ;
      const y = z > 0 ? z : 0;
      const tail = f === F_RATE ? this.tailRate : this.tailRecs;
      // Scored only once the baseline is warm (z is 0 before), from the agent's own calibrated tail; a window at or
      // below its expected level scores 0 without asking the tail (most events: the hot path stays cheap).
      const rate = y > 0 ? tail.ratePerDay(y) : NAN;
      sc[f] = y > 0 ? scoreFromRate(rate) : 0;
      tail.learn(t, y);
      this.xRateDay[f] = rate;
      this.xHigh[f] = STEP_OUT[1] + 2 * d.sigma;
      if (f === F_RATE) this.xRateExpected = STEP_OUT[1];
      else this.xRecsExpected = STEP_OUT[1];
    }
    ENV_IO[0] = xRate;
    env.observeIn(F_RATE);
    ENV_IO[0] = xRecs;
    env.observeIn(F_RECORDS);
  }

  /** Denied or failed actions in the window against the long-run share: Freeman-Tukey residual of the count. */
  private denied(): void {
    const o = this.o;
    const p = this.p;
    const wb = this.wb;
    const zDenied = sqrt(wb) + sqrt(wb + 1) - sqrt(4 * this.wn * p + 1);
    const live = this.fromPrior === 1 || this.events >= o.warmupEvents;
    const y = live && zDenied > 0 ? zDenied : 0;
    const rate = y > 0 ? this.tailDenied.ratePerDay(y) : NAN;
    this.sc[F_DENIED] = y > 0 ? scoreFromRate(rate) : 0;
    this.tailDenied.learn(this.curT, y);
    this.xRateDay[F_DENIED] = rate;
    let a = 1 / (this.events + 1 + this.fromPrior * DENIED_PRIOR_EVENTS);
    if (a < DENIED_ALPHA) a = DENIED_ALPHA;
    if (zDenied > DENIED_LEARN_Z) a *= 0.1;
    this.p = p + a * (this.curBad - p);
    this.xP = p;
  }

  /**
   * First use of an action, resource type or tool, discounted by recent discoveries. (A value equal to the previous
   * one of its kind is in the set already: it is not hashed again.)
   */
  private firstUses(e: ActivityEvent): void {
    const o = this.o;
    const sc = this.sc;
    const seen = this.seen;
    const action = e.action;
    const resource = e.resourceType;
    const tool = e.tool;
    const newAction = action !== this.prevAction && seen.testAndAdd(K_ACTION, action);
    const newResource = resource !== this.prevResource && seen.testAndAdd(K_RESOURCE, resource);
    const newTool = tool !== undefined && tool !== this.prevTool && seen.testAndAdd(K_TOOL, tool);
    // Assigned only when they differ: the model outlives many young-generation collections, and holding on to
    // each event's own copy of an unchanged string would carry every one of them into the old generation.
    if (action !== this.prevAction) this.prevAction = action;
    if (resource !== this.prevResource) this.prevResource = resource;
    if (tool !== undefined && tool !== this.prevTool) this.prevTool = tool;
    this.lastHadTool = tool !== undefined;
    sc[F_ACTION] = 0;
    sc[F_RESOURCE] = 0;
    sc[F_TOOL] = 0;
    if (newAction || newResource || newTool) {
      const t = this.curT;
      const nd = t > this.ndT ? this.nd * exp(-(t - this.ndT) / o.noveltyMemoryMs) : this.nd;
      if (this.fromPrior === 1 || this.events >= o.noveltyMinEvents) {
        const r = nd / o.noveltyHalfCount;
        const f = 1 / (1 + r * r);
        if (newAction) sc[F_ACTION] = o.novelty.action * f;
        if (newResource) sc[F_RESOURCE] = o.novelty.resourceType * f;
        if (newTool) sc[F_TOOL] = o.novelty.tool * f;
      }
      this.nd = nd + (newAction ? 1 : 0) + (newResource ? 1 : 0) + (newTool ? 1 : 0);
      if (t > this.ndT) this.ndT = t;
    }
  }

  /**
   * Activity at an hour of day the agent has never been active in. Less (adjacentHourFactor) if it is right next to
   * an active hour (a long working day) or inside the agent's working window, i.e. not in its longest daily stretch
   * without activity (a gap in a sparsely sampled day, not its night).
   */
  private newHour(): void {
    const o = this.o;
    const t = this.curT;
    const hod = hourOfDay(this.curHour);
    const bit = 1 << hod;
    // Peers' hours stand in for the agent's own until it has hourMinHistoryMs of its own history.
    const ownHistory = t - this.first >= o.hourMinHistoryMs;
    const mask = ownHistory ? this.hours : (this.hours | this.peerHours) >>> 0;
    this.xHours = mask;
    this.xHour = hod;
    this.sc[F_HOUR] = 0;
    if ((mask & bit) === 0) {
      const adjacent = (mask & ((hod === 0 ? 1 << 23 : bit >>> 1) | (hod === 23 ? 1 : bit << 1))) !== 0 || !inLongestGap(mask, hod);
      const hd = t > this.hdT ? this.hd * exp(-(t - this.hdT) / o.noveltyMemoryMs) : this.hd;
      if (mask !== 0 && (this.fromPrior === 1 || ownHistory)) {
        const r = hd / o.noveltyHalfCount;
        this.sc[F_HOUR] = (o.novelty.hour * (adjacent ? o.adjacentHourFactor : 1)) / (1 + r * r);
      }
      // Extending the working day by an hour is not a discovery that should discount the next one.
      if (!adjacent) {
        this.hd = hd + 1;
        if (t > this.hdT) this.hdT = t;
      }
    }
    this.hours = (this.hours | bit) >>> 0;
  }

  /**
   * Combined score: top feature plus boosts from the others, without sorting. Rate and records are two views of the
   * same activity (a burst raises both): only the higher of the two takes part.
   */
  private combine(): void {
    const o = this.o;
    const sc = this.sc;
    const volumeLow = sc[F_RATE] < sc[F_RECORDS] ? F_RATE : F_RECORDS;
    let top = 0;
    let topI = 0;
    for (let i = 0; i < FEATURES; i++) {
      if (sc[i] > top) {
        top = sc[i];
        topI = i;
      }
    }
    const headroom = 1 - top;
    let boost = 0;
    for (let i = 0; i < FEATURES; i++) if (i !== topI && i !== volumeLow && sc[i] >= o.boostFloor) boost += headroom * o.boostWeight * sc[i];
    this.lastScore = boost > headroom ? 1 : top + boost;
    this.xWn = this.wn;
    this.xWr = this.wr;
    this.xWb = this.wb;
  }

  /** The explanation of the last update(): every feature, expected against observed, highest contribution first. */
  explain(): AnomalyAssessment {
    if (!this.updated) return { score: 0, features: [], summary: 'no activity scored yet' };
    const sc = this.sc;
    let events = 0;
    let records = 0;
    for (let i = 0; i < RING_MINUTES; i++) {
      events += this.ringEvents[i];
      records += this.ringRecords[i];
    }
    const items: Array<Omit<FeatureExplanation, 'contribution'>> = [
      this.volumeItem('action-rate', F_RATE, events, this.xRateExpected, this.ue),
      this.volumeItem('records-touched', F_RECORDS, records, this.xRecsExpected, this.ur),
      {
        name: 'denied-share',
        expected: round2(this.xP),
        observed: round2(this.xWb / this.xWn),
        score: sc[F_DENIED],
        onceInDays: onceIn(this.xRateDay[F_DENIED]),
      },
      { name: 'new-action', expected: 'previously seen', observed: this.prevAction as string, score: sc[F_ACTION] },
      { name: 'new-resource-type', expected: 'previously seen', observed: this.prevResource as string, score: sc[F_RESOURCE] },
    ];
    if (this.lastHadTool) items.push({ name: 'new-tool', expected: 'previously seen', observed: this.prevTool as string, score: sc[F_TOOL] });
    items.push({ name: 'new-hour', expected: describeHours(this.xHours), observed: this.xHour, score: sc[F_HOUR] });
    const assessed = contributions(items, this.o.boostFloor, this.o.boostWeight, this.lastScore);
    return { ...assessed, summary: summarise(assessed.features) };
  }

  /**
   * A volume feature in the analyst's units: exact events (records) in the last 10 clock minutes against what is
   * usual in 10 minutes at this time (the level it was scored against, from the decayed window, whose steady state is
   * the count per 10 minutes) and the top of the usual range (level + 2σ), with the usual total a day.
   */
  private volumeItem(
    name: 'action-rate' | 'records-touched',
    f: number,
    observed: number,
    level: number,
    perDay: number,
  ): Omit<FeatureExplanation, 'contribution'> {
    return {
      name,
      expected: round2(expectedCount(level)),
      observed,
      score: this.sc[f],
      unit: name === 'action-rate' ? 'actions in 10 min' : 'records in 10 min',
      usualHigh: round2(expectedCount(this.xHigh[f])),
      usualPerDay: perDay === perDay ? round2(perDay) : NAN,
      onceInDays: onceIn(this.xRateDay[f]),
    };
  }

  toJSON(): AgentBehaviorState {
    return {
      v: 3,
      last: Number.isNaN(this.last) ? null : this.last,
      first: Number.isNaN(this.first) ? null : this.first,
      events: this.events,
      wn: this.wn,
      wr: this.wr,
      wb: this.wb,
      p: this.p,
      rate: this.rate.toJSON(),
      recs: this.recs.toJSON(),
      sea: this.env.toJSON(),
      seen: this.seen.toBase64(),
      hours: this.hours,
      peerHours: this.peerHours,
      nd: this.nd,
      ndT: this.ndT,
      hd: this.hd,
      hdT: this.hdT,
      prior: this.fromPrior,
      tl: this.tailsJSON(),
      day: this.day === this.day ? this.day : null,
      de: this.de,
      dr: this.dr,
      ue: this.ue === this.ue ? this.ue : null,
      ur: this.ur === this.ur ? this.ur : null,
      min: this.minute === this.minute ? this.minute : null,
      me: Array.from(this.ringEvents),
      mr: Array.from(this.ringRecords),
    };
  }

  /** The three tails with their shared clock once (see AgentBehaviorState.tl). */
  private tailsJSON(): Array<number | null> {
    const [days, points, , , , , , , last] = this.tailRate.toJSON();
    const own = (t: TailCalibrator) => t.toJSON().slice(2, 8) as number[];
    return [days, points, last, ...own(this.tailRate), ...own(this.tailRecs), ...own(this.tailDenied)];
  }

  /** Whether hour-of-day (level 1) or time-of-week (level 2) seasonality is used at time t. */
  private seasonalLive(t: number, level: 1 | 2): boolean {
    return this.fromPrior === 1 || t - this.first >= level * this.o.seasonalMinHistoryMs;
  }

  private detectorOptions(): EwRobustZOptions {
    // Counts are scored on the Anscombe scale, where Poisson noise has σ ≈ 1: that is the deviation floor.
    // A burst is frozen out of the baseline; only a shift that persists shiftMinMs is learnt as the new normal.
    // Unusually low activity is not a security anomaly: only upward deviations score.
    return {
      warmup: this.o.warmupEvents,
      minDeviation: 1 / sqrt(Math.PI / 2),
      shiftMinMs: this.o.shiftAbsorbAfterMs,
      direction: 'up',
    };
  }
}

/** Resolved options are shared between models configured alike (fewer objects on the hot path). */
const resolvedOptions = new Map<string, ResolvedOptions>();

function resolveOptions(rest: Omit<AgentBehaviorModelOptions, 'prior'>): ResolvedOptions {
  const o = { ...AGENT_MODEL_DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) } as ResolvedOptions;
  const key = JSON.stringify(o);
  const hit = resolvedOptions.get(key);
  if (hit) return hit;
  if (resolvedOptions.size > 100) resolvedOptions.clear();
  resolvedOptions.set(key, o);
  return o;
}

function contributions(
  features: Omit<FeatureExplanation, 'contribution'>[],
  boostFloor: number,
  boostWeight: number,
  score: number,
): Omit<AnomalyAssessment, 'summary'> {
  const sorted = [...features].sort((a, b) => b.score - a.score);
  const top = sorted[0]?.score ?? 0;
  const headroom = 1 - top;
  // The lower of action-rate and records-touched does not boost (the same activity seen twice).
  const volume = sorted.filter((f) => f.name === 'action-rate' || f.name === 'records-touched');
  const volumeLow = volume[1];
  let boostSum = 0;
  const raw = sorted.map((f, i) => {
    const c = i === 0 ? top : f !== volumeLow && f.score >= boostFloor ? headroom * boostWeight * f.score : 0;
    if (i > 0) boostSum += c;
    return c;
  });
  // Cap at 1 by scaling the boosts (keeps contributions summing to the score).
  const scale = boostSum > headroom && boostSum > 0 ? headroom / boostSum : 1;
  const out = sorted.map((f, i) => ({ ...f, contribution: i === 0 ? raw[i] : raw[i] * scale }));
  return { score, features: out.sort((a, b) => b.contribution - a.contribution) };
}

/** Whether hour h (not in mask) lies in the longest circular run of hours outside mask (or one as long). */
function inLongestGap(mask: number, h: number): boolean {
  let longest = 0;
  let mine = 0;
  // Walk two days so that runs wrapping midnight are whole; measure each run from its first hour.
  let run = 0;
  let start = -1;
  for (let i = 0; i < 48; i++) {
    const hour = i % 24;
    if ((mask & (1 << hour)) === 0) {
      if (run === 0) start = i;
      run++;
      if (run > 24) return true; // empty mask
    } else {
      if (run > 0 && start < 24 + 24) {
        if (run > longest) longest = run;
        for (let k = start; k < start + run; k++) if (k % 24 === h) mine = run;
      }
      run = 0;
    }
  }
  return mine >= longest;
}

function expectedCount(anscombeLevel: number): number {
  return anscombeLevel - anscombeLevel === 0 ? inverseAnscombe(anscombeLevel) : NAN;
}

function describeHours(mask: number): string {
  const hours: number[] = [];
  for (let h = 0; h < 24; h++) if (mask & (1 << h)) hours.push(h);
  return hours.length ? `active hours ${hours.join(',')}` : 'no history';
}

function round2(x: number): number {
  return x - x === 0 ? round(x * 100) / 100 : 0;
}

function onceIn(ratePerDay: number): number {
  return ratePerDay > 0 ? round2(1 / ratePerDay) : Number.POSITIVE_INFINITY;
}

/** One line for the analyst, from the feature that drove the score. */
function summarise(features: FeatureExplanation[]): string {
  const top = features[0];
  if (!top || top.score <= 0) return 'nothing unusual';
  const rarity =
    top.onceInDays !== undefined && top.onceInDays < Number.POSITIVE_INFINITY ? `; on its own history, about once in ${formatCount(top.onceInDays)} days` : '';
  switch (top.name) {
    case 'action-rate':
    case 'records-touched': {
      const what = top.name === 'action-rate' ? 'actions' : 'records touched';
      const perDay = top.usualPerDay !== undefined && top.usualPerDay === top.usualPerDay ? `usually about ${formatCount(top.usualPerDay)} a day, ` : '';
      return `${formatCount(top.observed as number)} ${what} in 10 min; ${perDay}up to ${formatCount(top.usualHigh ?? 0)} in 10 min at this time${rarity}`;
    }
    case 'denied-share':
      return `${Math.round((top.observed as number) * 100)}% of recent actions denied or failed; usually ${Math.round((top.expected as number) * 100)}%${rarity}`;
    case 'new-hour':
      return `active at ${String(top.observed).padStart(2, '0')}:00, an hour it has never worked in (${top.expected})`;
    case 'new-action':
      return `first use of action ${top.observed}`;
    case 'new-resource-type':
      return `first access to resource type ${top.observed}`;
    case 'new-tool':
      return `first use of tool ${top.observed}`;
  }
}

/** 0.4 -> "0.4", 14.6 -> "15", 1234 -> "1,234". */
function formatCount(x: number): string {
  if (!(x - x === 0)) return String(x);
  return x < 10 ? String(Math.round(x * 10) / 10) : Math.round(x).toLocaleString('en-US');
}
