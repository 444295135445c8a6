import { seededRandom } from '@agentgov/test-support';

import { TailCalibrator } from './tail-calibrator';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);

/** Feeds `days` of one point a minute with statistic y = sample(); returns the calibrator. */
function feed(days: number, sample: (i: number) => number, c = new TailCalibrator(3, 15 * MIN)): TailCalibrator {
  for (let i = 0; i < days * 1440; i++) c.learn(T0 + i * MIN, sample(i));
  return c;
}

describe('TailCalibrator', () => {
  it('estimates how often a level is reached, in occurrences a day, within a factor of two where the history shows it', () => {
    const rand = seededRandom(1);
    // Exponential statistic: P(Y > y) = e^(-y), one point a minute, so e.g. y ≥ 7 happens about 1440·e^-7 ≈ 1.3 times a day.
    const c = feed(30, () => -Math.log(rand() + 1e-300));
    for (const y of [5, 6, 7, 8]) {
      const truth = 1440 * Math.exp(-y);
      const estimate = c.ratePerDay(y);
      // Points, not clusters: close exceedances merge, so the estimate may sit somewhat below the point rate.
      expect(estimate).toBeGreaterThan(truth / 2.5);
      expect(estimate).toBeLessThan(truth * 2);
    }
  });

  it('counts an incident of many points as one occurrence', () => {
    const quiet = feed(10, () => 0);
    const incident = feed(10, (i) => (i >= 5 * 1440 && i < 5 * 1440 + 120 ? 10 : 0));
    const once = feed(10, (i) => (i === 5 * 1440 ? 10 : 0));
    expect(incident.ratePerDay(10) / once.ratePerDay(10)).toBeCloseTo(1, 1);
    expect(incident.ratePerDay(10)).toBeGreaterThan(quiet.ratePerDay(10));
  });

  it('judges an incident in progress against the history before it', () => {
    const c = feed(10, () => 0);
    const before = c.ratePerDay(9);
    for (let i = 0; i < 60; i++) c.learn(T0 + 10 * DAY + i * MIN, 9);
    expect(c.ratePerDay(9)).toBeCloseTo(before, 2);
  });

  it('never calls anything far rarer than its history: a young stream stays modest, stronger evidence still ranks higher', () => {
    const young = feed(2, () => 0);
    const old = feed(30, () => 0);
    // Two days seen (plus the prior's one): at most about 100 × 3 days between occurrences, whatever the evidence.
    expect(1 / young.ratePerDay(50)).toBeLessThan(100 * 3 * 1.2);
    expect(1 / old.ratePerDay(50)).toBeGreaterThan(1 / young.ratePerDay(50));
    expect(young.ratePerDay(1e6)).toBeLessThan(young.ratePerDay(50));
  });

  it('rises continuously below the threshold instead of jumping from nothing to an alarm', () => {
    const c = feed(10, () => 0);
    const rates = [0, 1, 2, 2.9, 3.1, 4].map((y) => c.ratePerDay(y));
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1]);
    expect(rates[0]).toBeGreaterThan(1000);
  });

  it('restores exactly and rejects what is not its state', () => {
    const rand = seededRandom(2);
    const a = feed(3, () => 3 * rand() ** 4 * 3);
    const b = TailCalibrator.fromJSON(JSON.parse(JSON.stringify(a.toJSON())), 3, 15 * MIN);
    for (let i = 0; i < 2000; i++) {
      const y = 10 * rand() ** 6;
      const t = T0 + 3 * DAY + i * MIN;
      expect(b.ratePerDay(y)).toBe(a.ratePerDay(y));
      a.learn(t, y);
      b.learn(t, y);
    }
    expect(() => TailCalibrator.fromJSON([1, 2, 3], 3, 1)).toThrow(/9 numbers/);
  });
});
