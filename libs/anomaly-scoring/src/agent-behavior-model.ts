import { BloomSet } from './bloom-set';
import { anscombe, DEFAULT_Z_AT_90, inverseAnscombe, scoreFromZ } from './calibration';
import { EwRobustZDetector } from './ew-robust-z-detector';
import type { DetectorPrior, EwRobustZOptions, EwRobustZState } from './ew-robust-z-detector';

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

export type FeatureName =
  | 'action-rate'
  | 'records-touched'
  | 'denied-share'
  | 'new-action'
  | 'new-resource-type'
  | 'new-tool'
  | 'new-hour';

export interface FeatureExplanation {
  name: FeatureName;
  expected: number | string;
  observed: number | string;
  /** This feature's own score in [0, 1]. */
  score: number;
  /** Its part of the combined score (contributions sum to the score). */
  contribution: number;
}

export interface AnomalyAssessment {
  score: number;
  /** Every feature, highest contribution first. */
  features: FeatureExplanation[];
}

export interface PeerPrior {
  rate?: DetectorPrior;
  records?: DetectorPrior;
  deniedShare: number;
  /** Base64 Bloom set of items most peers have used. */
  seen: string;
  /** 24-bit mask of hours (of day) most peers are active in. */
  hours: number;
  peers: number;
}

export interface AgentBehaviorModelOptions {
  /** Time constant of the decayed window counters (mean lifetime of an event in the window). */
  windowMs?: number;
  /** Events scored 0 on the rate/records/denied features while the baseline forms (no prior). */
  warmupEvents?: number;
  /** Events before a never-seen action/resource/tool counts as novel (no prior). */
  noveltyMinEvents?: number;
  /** History before a never-seen hour counts as novel (no prior). */
  hourMinHistoryMs?: number;
  /** Hour-of-day offset from UTC, in minutes (e.g. the agent owner's zone). */
  utcOffsetMinutes?: number;
  zAt90?: number;
  /** A rate/records level that stays abnormal this long is learnt as the new normal (growth); shorter is a burst. */
  shiftAbsorbAfterMs?: number;
  /** Scores of a first use, once the agent is mature. Below 0.9 alone by design: novelty alerts, bursts contain. */
  novelty?: { action: number; resourceType: number; tool: number; hour: number };
  /** Each further feature scoring at least boostFloor adds boostWeight·score of the remaining headroom. */
  boostFloor?: number;
  boostWeight?: number;
  prior?: PeerPrior;
}

type ResolvedOptions = Required<Omit<AgentBehaviorModelOptions, 'prior'>>;

export const AGENT_MODEL_DEFAULTS: ResolvedOptions = {
  windowMs: 10 * 60_000,
  warmupEvents: 30,
  noveltyMinEvents: 50,
  hourMinHistoryMs: 7 * 24 * 3_600_000,
  utcOffsetMinutes: 0,
  zAt90: DEFAULT_Z_AT_90,
  shiftAbsorbAfterMs: 2 * 3_600_000,
  novelty: { action: 0.7, resourceType: 0.6, tool: 0.75, hour: 0.6 },
  boostFloor: 0.5,
  boostWeight: 0.5,
};

/** Long-run denied/error share: EW rate per event, and a pseudo-variance of 1 so one denial is not an alarm. */
const DENIED_ALPHA = 0.01;
const DENIED_PSEUDO_VARIANCE = 1;

/** Serialised state; short keys because it is stored per agent. */
export interface AgentBehaviorState {
  v: 1;
  /** Last event time, first event time, events seen. */
  last: number;
  first: number;
  events: number;
  /** Decayed window sums: events, records, denied+error. */
  wn: number;
  wr: number;
  wb: number;
  /** Long-run denied/error share. */
  p: number;
  rate: EwRobustZState;
  recs: EwRobustZState;
  seen: string;
  hours: number;
  /** 1 when started from a peer prior (novelty and hour features are live from the first event). */
  prior: 0 | 1;
}

/**
 * Per-agent behaviour baseline. `update(event)` scores the event against what the agent did before (and then
 * learns from it) and names the features that drove the score. Combined score: the highest feature score s1,
 * plus, for each other feature scoring at least boostFloor, boostWeight·s_i of the remaining headroom (1 - s1),
 * capped at 1: several moderately odd things at once add up, one odd thing stays what it is.
 */
export class AgentBehaviorModel {
  private readonly o: ResolvedOptions;
  private s: AgentBehaviorState;
  private rate: EwRobustZDetector;
  private recs: EwRobustZDetector;
  private seen: BloomSet;

  constructor(options: AgentBehaviorModelOptions = {}) {
    const { prior, ...rest } = options;
    this.o = { ...AGENT_MODEL_DEFAULTS, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) };
    this.rate = new EwRobustZDetector({ ...this.detectorOptions(), prior: prior?.rate });
    this.recs = new EwRobustZDetector({ ...this.detectorOptions(), prior: prior?.records });
    this.seen = prior ? BloomSet.fromBase64(prior.seen) : BloomSet.empty();
    this.s = {
      v: 1,
      last: Number.NaN,
      first: Number.NaN,
      events: 0,
      wn: 0,
      wr: 0,
      wb: 0,
      p: prior?.deniedShare ?? 0,
      rate: this.rate.toJSON(),
      recs: this.recs.toJSON(),
      seen: this.seen.toBase64(),
      hours: prior?.hours ?? 0,
      prior: prior ? 1 : 0,
    };
  }

  /** Options are configuration, not state: pass the same options the model was built with (prior excepted). */
  static fromJSON(json: unknown, options: Omit<AgentBehaviorModelOptions, 'prior'> = {}): AgentBehaviorModel {
    const s = json as AgentBehaviorState;
    if (!s || s.v !== 1) throw new Error('AgentBehaviorModel.fromJSON: unknown state version');
    const m = new AgentBehaviorModel(options);
    m.rate = EwRobustZDetector.fromJSON(s.rate, m.detectorOptions());
    m.recs = EwRobustZDetector.fromJSON(s.recs, m.detectorOptions());
    m.seen = BloomSet.fromBase64(s.seen);
    m.s = {
      ...s,
      last: s.last ?? Number.NaN,
      first: s.first ?? Number.NaN,
      rate: m.rate.toJSON(),
      recs: m.recs.toJSON(),
    };
    return m;
  }

  get eventsSeen(): number {
    return this.s.events;
  }

  /** What a peer prior is built from. */
  get baseline(): { rate?: DetectorPrior; records?: DetectorPrior; deniedShare: number; seen: BloomSet; hours: number; warm: boolean } {
    const warm = this.rate.isWarm && this.recs.isWarm;
    return {
      rate: this.rate.isWarm ? this.rate.baseline : undefined,
      records: this.recs.isWarm ? this.recs.baseline : undefined,
      deniedShare: this.s.p,
      seen: this.seen,
      hours: this.s.hours,
      warm,
    };
  }

  update(e: ActivityEvent): AnomalyAssessment {
    const s = this.s;
    const o = this.o;
    const t = e.t;
    const records = Number.isFinite(e.recordsTouched) ? Math.max(0, e.recordsTouched) : 0;
    const bad = e.outcome === 'allowed' ? 0 : 1;

    const decay = Number.isNaN(s.last) ? 0 : Math.exp(-Math.max(0, t - s.last) / o.windowMs);
    s.wn = s.wn * decay + 1;
    s.wr = s.wr * decay + records;
    s.wb = s.wb * decay + bad;
    if (Number.isNaN(s.last) || t > s.last) s.last = t;
    if (Number.isNaN(s.first)) s.first = t;

    const features: Omit<FeatureExplanation, 'contribution'>[] = [];

    const rateExpected = this.rate.isWarm ? inverseAnscombe(this.rate.baseline.mean) : Number.NaN;
    const rateScore = this.rate.update({ t, value: anscombe(s.wn) });
    features.push({ name: 'action-rate', expected: round(rateExpected), observed: round(s.wn), score: rateScore });

    const recsExpected = this.recs.isWarm ? inverseAnscombe(this.recs.baseline.mean) : Number.NaN;
    const recsScore = this.recs.update({ t, value: anscombe(s.wr) });
    features.push({ name: 'records-touched', expected: round(recsExpected), observed: round(s.wr), score: recsScore });

    const deniedLive = s.prior === 1 || s.events >= o.warmupEvents;
    const zDenied = (s.wb - s.wn * s.p) / Math.sqrt(s.wn * s.p * (1 - s.p) + DENIED_PSEUDO_VARIANCE);
    features.push({
      name: 'denied-share',
      expected: round(s.p),
      observed: round(s.wb / s.wn),
      score: deniedLive && zDenied > 0 ? scoreFromZ(zDenied, o.zAt90) : 0,
    });
    s.p += DENIED_ALPHA * (bad - s.p);

    const noveltyLive = s.prior === 1 || s.events >= o.noveltyMinEvents;
    const items: Array<[FeatureName, string, string | undefined, number]> = [
      ['new-action', 'a', e.action, o.novelty.action],
      ['new-resource-type', 'r', e.resourceType, o.novelty.resourceType],
      ['new-tool', 't', e.tool, o.novelty.tool],
    ];
    for (const [name, kind, value, weight] of items) {
      if (value === undefined) continue;
      const key = `${kind}:${value}`;
      const isNew = !this.seen.has(key);
      features.push({ name, expected: 'previously seen', observed: value, score: noveltyLive && isNew ? weight : 0 });
      if (isNew) this.seen.add(key);
    }

    const hour = hourOfDay(t, o.utcOffsetMinutes);
    const hourBit = 1 << hour;
    const hourLive = s.prior === 1 || t - s.first >= o.hourMinHistoryMs;
    features.push({
      name: 'new-hour',
      expected: describeHours(s.hours),
      observed: hour,
      score: hourLive && (s.hours & hourBit) === 0 ? o.novelty.hour : 0,
    });
    s.hours = (s.hours | hourBit) >>> 0;

    s.events += 1;
    s.rate = this.rate.toJSON();
    s.recs = this.recs.toJSON();
    s.seen = this.seen.toBase64();
    return combine(features, o.boostFloor, o.boostWeight);
  }

  toJSON(): AgentBehaviorState {
    return { ...this.s, rate: this.rate.toJSON(), recs: this.recs.toJSON(), seen: this.seen.toBase64() };
  }

  private detectorOptions(): EwRobustZOptions {
    // Counts are scored on the Anscombe scale, where Poisson noise has σ ≈ 1: that is the deviation floor.
    // A burst is frozen out of the baseline; only a shift that persists shiftMinMs is learnt as the new normal.
    return {
      warmup: this.o.warmupEvents,
      zAt90: this.o.zAt90,
      minDeviation: 1 / Math.sqrt(Math.PI / 2),
      shiftMinMs: this.o.shiftAbsorbAfterMs,
    };
  }
}

function combine(
  features: Omit<FeatureExplanation, 'contribution'>[],
  boostFloor: number,
  boostWeight: number,
): AnomalyAssessment {
  const sorted = [...features].sort((a, b) => b.score - a.score);
  const top = sorted[0]?.score ?? 0;
  const headroom = 1 - top;
  let boostSum = 0;
  const raw = sorted.map((f, i) => {
    const c = i === 0 ? top : f.score >= boostFloor ? headroom * boostWeight * f.score : 0;
    if (i > 0) boostSum += c;
    return c;
  });
  // Cap at 1 by scaling the boosts (keeps contributions summing to the score).
  const scale = boostSum > headroom && boostSum > 0 ? headroom / boostSum : 1;
  const out = sorted.map((f, i) => ({ ...f, contribution: i === 0 ? raw[i] : raw[i] * scale }));
  const score = Math.min(1, out.reduce((a, f) => a + f.contribution, 0));
  return { score, features: out };
}

function hourOfDay(t: number, offsetMinutes: number): number {
  const h = Math.floor((t + offsetMinutes * 60_000) / 3_600_000) % 24;
  return h < 0 ? h + 24 : h;
}

function describeHours(mask: number): string {
  const hours: number[] = [];
  for (let h = 0; h < 24; h++) if (mask & (1 << h)) hours.push(h);
  return hours.length ? `active hours ${hours.join(',')}` : 'no history';
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : 0;
}
