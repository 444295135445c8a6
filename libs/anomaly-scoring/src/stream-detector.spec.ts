import { gaussian, seededRandom } from '@agentgov/test-support';

import { scoreFromRate } from './rarity';
import { StreamDetector } from './stream-detector';

/**
 * The failure modes real operational streams showed the previous univariate detector (an EW robust z-score with an
 * absolute spread floor and a fixed z-to-score map), each as a stream of its own. Every scenario here failed there:
 * hundreds of alarming points after an idle stretch, an alarm an hour for a recurring job, one alarm in ten points on
 * heavy-tailed noise, a time-of-day anomaly missed, a sustained shift never flagged.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5);

function poisson(rand: () => number, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = rand();
  while (u > s) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}

interface Run {
  t: number[];
  score: number[];
}

function run(points: number, stepMs: number, value: (i: number, t: number) => number, detector = new StreamDetector()): Run {
  const out: Run = { t: [], score: [] };
  for (let i = 0; i < points; i++) {
    const t = T0 + i * stepMs;
    out.t.push(t);
    out.score.push(detector.updateValue(t, value(i, t)));
  }
  return out;
}

/** Alarms (episodes) starting in [from, to): a score at the threshold after 15 minutes without one. */
function alarms(r: Run, threshold: number, from: number, to: number): number {
  let n = 0;
  let last = Number.NEGATIVE_INFINITY;
  r.t.forEach((t, i) => {
    if (r.score[i] < threshold) return;
    if (t - last >= 15 * MIN && t >= from && t < to) n++;
    last = t;
  });
  return n;
}

const alarming = (scores: number[]) => scores.filter((s) => s >= 0.9).length;

describe('StreamDetector on the failure modes of real streams', () => {
  it('flags a step off a perfectly flat line once, then takes the new level as normal', () => {
    const r = run(4 * 1440, MIN, (i) => (i < 2 * 1440 ? 5 : 5.5));
    expect(r.score[2 * 1440]).toBeGreaterThanOrEqual(0.9);
    expect(alarming(r.score.slice(2 * 1440))).toBeLessThanOrEqual(3);
  });

  it('does not take ordinary noise returning after an idle (exactly flat) day for an outlier a thousand deviations out', () => {
    const rand = seededRandom(1);
    const r = run(5 * 1440, MIN, (i) => (i >= 2 * 1440 && i < 3 * 1440 ? 100 : Math.round((100 + 5 * gaussian(rand)) * 10) / 10));
    // The previous detector: 1,934 alarming points in these two days.
    expect(alarming(r.score.slice(3 * 1440))).toBeLessThanOrEqual(30);
    expect(alarms(r, 0.9, T0 + 3 * DAY, T0 + 5 * DAY)).toBeLessThanOrEqual(5);
  });

  it("scores 0/1/2 counts quietly (the spread floor is half the stream's own step) and still flags a count of 15", () => {
    const rand = seededRandom(2);
    const burstAt = 19 * 1440;
    const r = run(20 * 1440, MIN, (i) => (i === burstAt ? 15 : poisson(rand, 0.3)));
    expect(alarms(r, 0.9, T0 + 3 * DAY, T0 + 19 * DAY)).toBe(0);
    expect(alarming(r.score.slice(3 * 1440, burstAt))).toBe(0);
    expect(r.score[burstAt]).toBeGreaterThanOrEqual(0.97);
  });

  it('learns an hourly job as normal instead of alarming every hour', () => {
    const rand = seededRandom(3);
    const r = run(21 * 1440, MIN, (i) => 50 + 3 * gaussian(rand) + (i % 60 === 0 ? 60 : 0));
    expect(alarms(r, 0.9, T0, T0 + 7 * DAY)).toBeLessThanOrEqual(2);
    expect(alarms(r, 0.9, T0 + 7 * DAY, T0 + 21 * DAY)).toBe(0);
  });

  it('learns a daily cycle, and flags a value that is normal by day when it comes at night', () => {
    const rand = seededRandom(4);
    const anomalyAt = 27 * 288 + 36; // 03:00 on day 27, at the level of mid-afternoon
    const r = run(28 * 288, 5 * MIN, (i, t) => {
      if (i === anomalyAt) return 170;
      const hour = (t % DAY) / HOUR;
      return 100 + 80 * Math.sin((2 * Math.PI * (hour - 6)) / 24) + 4 * gaussian(rand);
    });
    expect(alarms(r, 0.9, T0 + 7 * DAY, T0 + 27 * DAY)).toBe(0);
    expect(r.score[anomalyAt]).toBeGreaterThanOrEqual(0.97);
  });

  it('keeps its promise on heavy-tailed noise: about one alarm in 100 days at 0.9, and no score of exactly 1', () => {
    const rand = seededRandom(5);
    const r = run(60 * 288, 5 * MIN, () => 10 + 2 * (Math.pow(rand() + 1e-12, -1 / 1.5) - 1));
    // The previous detector: 857 alarms in these 50 days.
    expect(alarms(r, 0.9, T0 + 10 * DAY, T0 + 60 * DAY)).toBeLessThanOrEqual(4);
    expect(alarms(r, 0.97, T0 + 10 * DAY, T0 + 60 * DAY)).toBeLessThanOrEqual(2);
    expect(Math.max(...r.score)).toBeLessThan(1);
  });

  it.each([1, 2, 3, 4, 5, 6])('flags a growing deviation (0.1 σ a minute) at its onset, not once it has peaked (seed %i)', (seed) => {
    const rand = seededRandom(seed);
    const onset = 10 * 1440;
    const r = run(onset + 600, MIN, (i) => 20 + gaussian(rand) + (i >= onset ? 0.1 * (i - onset) : 0));
    expect(alarming(r.score.slice(3 * 1440, onset))).toBe(0);
    // Within 45 minutes, i.e. before the deviation reaches 4.5 σ (the previous detector absorbed it as drift for good).
    const first = r.score.slice(onset).findIndex((s) => s >= 0.9);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(45);
  });

  it('flags a step of 4 σ within minutes, and then takes the new level as normal', () => {
    const rand = seededRandom(6);
    const onset = 10 * 1440;
    const r = run(onset + 600, MIN, (i) => 20 + gaussian(rand) + (i >= onset ? 4 : 0));
    const first = r.score.slice(onset).findIndex((s) => s >= 0.9);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(10);
    expect(alarming(r.score.slice(onset + 300))).toBe(0);
  });

  it('takes a gap in the data and irregular sampling in its stride', () => {
    const rand = seededRandom(11);
    const d = new StreamDetector();
    const t: number[] = [];
    const score: number[] = [];
    // Five days every minute with jitter, nothing for two days, then five more days, some points missing at random.
    for (let i = 0; i < 12 * 1440; i++) {
      if (i >= 5 * 1440 && i < 7 * 1440) continue;
      if (rand() < 0.1) continue;
      const at = T0 + i * MIN + Math.floor(rand() * 20_000);
      t.push(at);
      score.push(d.updateValue(at, 40 + 2 * gaussian(rand)));
    }
    expect(alarms({ t, score }, 0.9, T0 + 2 * DAY, T0 + 12 * DAY)).toBe(0);
    // And still sees a real spike after the gap.
    expect(d.updateValue(T0 + 12 * DAY + MIN, 80)).toBeGreaterThanOrEqual(0.97);
  });

  it('gives distinct evidence distinct scores through the top band', () => {
    const rand = seededRandom(7);
    const d = new StreamDetector();
    run(30 * 288, 5 * MIN, () => 50 + 2 * gaussian(rand), d);
    const probe = (x: number) => StreamDetector.fromJSON(d.toJSON()).updateValue(T0 + 30 * DAY, x);
    const scores = [58, 62, 70, 90, 200, 1e6].map(probe);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeGreaterThan(scores[i - 1]);
    expect(scores[scores.length - 1]).toBeLessThan(1);
    expect(scores[2]).toBeGreaterThanOrEqual(0.9);
  });
});

describe('StreamDetector', () => {
  it('restores exactly from its JSON state', () => {
    const rand = seededRandom(8);
    const value = () => 10 + 3 * gaussian(rand);
    const a = new StreamDetector();
    run(3 * 288, 5 * MIN, value, a);
    const b = StreamDetector.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    for (let i = 0; i < 500; i++) {
      const t = T0 + 3 * DAY + i * 5 * MIN;
      const x = i === 250 ? 60 : value();
      expect(b.updateValue(t, x)).toBe(a.updateValue(t, x));
    }
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    expect(Buffer.byteLength(JSON.stringify(a.toJSON()))).toBeLessThan(2048);
  });

  it('rejects a state that is not its own', () => {
    expect(() => StreamDetector.fromJSON({ v: 1, n: 'x' })).toThrow(/finite numbers/);
    expect(() => StreamDetector.fromJSON(null)).toThrow(/version-1 state/);
  });

  it("explains a point in the stream's own units", () => {
    const rand = seededRandom(9);
    const d = new StreamDetector();
    run(10 * 288, 5 * MIN, () => 200 + 10 * gaussian(rand), d);
    d.updateValue(T0 + 10 * DAY, 400);
    const e = d.explain();
    expect(e.observed).toBe(400);
    expect(e.expected).toBeGreaterThan(190);
    expect(e.expected).toBeLessThan(210);
    expect(e.usualHigh).toBeGreaterThan(e.expected);
    expect(e.usualHigh).toBeLessThan(250);
    expect(e.evidence).toBe('point');
    expect(e.onceInDays).toBeGreaterThan(50);
    expect(e.score).toBeGreaterThanOrEqual(0.9);
  });

  it('scores only the chosen direction', () => {
    const rand = seededRandom(10);
    const up = new StreamDetector({ direction: 'up' });
    run(5 * 288, 5 * MIN, () => 100 + 5 * gaussian(rand), up);
    expect(StreamDetector.fromJSON(up.toJSON(), { direction: 'up' }).updateValue(T0 + 5 * DAY, 20)).toBe(0);
    expect(StreamDetector.fromJSON(up.toJSON(), { direction: 'up' }).updateValue(T0 + 5 * DAY, 180)).toBeGreaterThan(0.9);
  });

  it('ignores values that are not numbers', () => {
    const d = new StreamDetector();
    expect(d.updateValue(T0, Number.NaN)).toBe(0);
    expect(d.updateValue(T0, Number.POSITIVE_INFINITY)).toBe(0);
    expect(d.toJSON().n).toBe(0);
  });
});

describe('scoreFromRate', () => {
  it('maps once in 100, 333 and 1,000 days to 0.9, 0.97 and 0.99, and never reaches 1', () => {
    expect(scoreFromRate(1 / 100)).toBeCloseTo(0.9, 12);
    expect(scoreFromRate(1 / 333)).toBeCloseTo(0.97, 4);
    expect(scoreFromRate(1 / 1000)).toBeCloseTo(0.99, 12);
    expect(scoreFromRate(1)).toBe(0);
    expect(scoreFromRate(Number.NaN)).toBe(0);
    expect(scoreFromRate(1e-12)).toBeLessThan(1);
    expect(scoreFromRate(1e-12)).toBeGreaterThan(scoreFromRate(1e-11));
  });
});
