import { gaussian, seededRandom } from '@agentgov/test-support';

import { EwRobustZDetector } from './ew-robust-z-detector';

const MIN = 60_000;

function stream(seed: number, n: number, level = 100, sd = 5): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => level + sd * gaussian(rand));
}

describe('EwRobustZDetector', () => {
  it('scores 0 during warm-up', () => {
    const d = new EwRobustZDetector({ warmup: 25 });
    const scores = stream(1, 25).map((value, i) => d.update({ t: i * MIN, value: i === 10 ? 1e6 : value }));
    expect(scores.every((s) => s === 0)).toBe(true);
    expect(d.update({ t: 25 * MIN, value: 1e6 })).toBeGreaterThan(0.99);
  });

  it.each([11, 22, 33])('raises few false alarms on a stationary noisy stream (seed %i)', (seed) => {
    const d = new EwRobustZDetector();
    const scores = stream(seed, 20_000).map((value, i) => d.update({ t: i * MIN, value }));
    const alarms = scores.slice(100).filter((s) => s > 0.9).length;
    expect(alarms / (scores.length - 100)).toBeLessThan(0.005);
  });

  it('scores an injected spike above 0.9, and the spike does not poison the baseline', () => {
    const d = new EwRobustZDetector();
    const values = stream(4, 3000);
    const spikes = new Set([500, 900, 901, 1500, 2200]);
    const scores = values.map((v, i) => d.update({ t: i * MIN, value: spikes.has(i) ? v + 60 : v }));
    for (const i of spikes) expect(scores[i]).toBeGreaterThan(0.9);
    // Right after the spikes normal points stay normal.
    expect(Math.max(...[902, 903, 904, 1501, 2201].map((i) => scores[i]))).toBeLessThan(0.5);
  });

  it('absorbs a persistent level shift: it alarms at first, then stops', () => {
    const d = new EwRobustZDetector();
    const values = [...stream(5, 1000, 100), ...stream(6, 1000, 140)];
    const scores = values.map((value, i) => d.update({ t: i * MIN, value }));
    expect(scores[1000]).toBeGreaterThan(0.9);
    const firstQuiet = scores.slice(1000).findIndex((s, i, a) => a.slice(i, i + 50).every((x) => x < 0.9));
    expect(firstQuiet).toBeGreaterThan(0);
    expect(firstQuiet).toBeLessThan(60);
    expect(scores.slice(1100).filter((s) => s > 0.9).length).toBeLessThan(5);
  });

  it('starts from a prior without warming up', () => {
    const d = new EwRobustZDetector({ prior: { mean: 100, deviation: 4 } });
    expect(d.update({ t: 0, value: 101 })).toBeLessThan(0.1);
    expect(d.update({ t: 1, value: 160 })).toBeGreaterThan(0.9);
  });

  it('round-trips through JSON and scores the next point exactly as the original', () => {
    const a = new EwRobustZDetector();
    stream(7, 500).forEach((value, i) => a.update({ t: i, value }));
    const b = EwRobustZDetector.fromJSON(JSON.parse(JSON.stringify(a)));
    for (const value of stream(8, 200)) expect(b.update({ t: 0, value })).toBe(a.update({ t: 0, value }));
    expect(b.toJSON()).toEqual(a.toJSON());
  });
});

describe('EwRobustZDetector options', () => {
  it("with direction 'up' scores only high values, 'down' only low ones, 'both' either", () => {
    const make = (direction: 'up' | 'down' | 'both') => {
      const d = new EwRobustZDetector({ direction });
      stream(9, 500).forEach((value, i) => d.update({ t: i * MIN, value }));
      return d;
    };
    for (const [direction, high, low] of [
      ['up', true, false],
      ['down', false, true],
      ['both', true, true],
    ] as const) {
      expect(make(direction).update({ t: 500 * MIN, value: 160 }) > 0.9).toBe(high);
      expect(make(direction).update({ t: 500 * MIN, value: 40 }) > 0.9).toBe(low);
    }
  });

  it("with direction 'up', a drop to a lower level is learnt without an alarm (two-sided, it alarms)", () => {
    const values = [...stream(10, 500, 100), ...stream(11, 500, 60)];
    const run = (direction: 'up' | 'both') => {
      const d = new EwRobustZDetector({ direction, shiftMinMs: 60 * MIN });
      return { d, scores: values.map((value, i) => d.update({ t: i * MIN, value })) };
    };
    const up = run('up');
    expect(up.scores.slice(500).filter((s) => s > 0.9)).toEqual([]);
    expect(up.d.baseline.mean).toBeLessThan(65);
    expect(up.d.update({ t: 1000 * MIN, value: 100 })).toBeGreaterThan(0.9);
    expect(
      run('both')
        .scores.slice(500)
        .filter((s) => s > 0.9).length,
    ).toBeGreaterThan(10);
  });

  it('measures upward deviations from a floor above the mean, with its spread', () => {
    const d = new EwRobustZDetector();
    stream(12, 500).forEach((value, i) => d.update({ t: i * MIN, value }));
    const base = EwRobustZDetector.fromJSON(d.toJSON());
    expect(base.updateValue(500 * MIN, 150)).toBeGreaterThan(0.99);
    const floored = EwRobustZDetector.fromJSON(d.toJSON());
    expect(floored.updateValue(500 * MIN, 150, 145, 5)).toBeLessThan(0.5);
    expect(floored.lastExpected).toBe(145);
    // A floor below the mean changes nothing.
    expect(EwRobustZDetector.fromJSON(d.toJSON()).updateValue(500 * MIN, 150, 50, 5)).toBe(base.lastScore);
  });

  it('learns a point with weight 0 not at all, and with weight w as w points', () => {
    const d = new EwRobustZDetector();
    stream(13, 500).forEach((value, i) => d.update({ t: i * MIN, value }));
    const frozen = EwRobustZDetector.fromJSON(d.toJSON());
    frozen.updateValue(500 * MIN, 105, Number.NEGATIVE_INFINITY, 0, 0);
    expect(frozen.baseline).toEqual(d.baseline);
    const half = EwRobustZDetector.fromJSON(d.toJSON());
    const full = EwRobustZDetector.fromJSON(d.toJSON());
    half.updateValue(500 * MIN, 105, Number.NEGATIVE_INFINITY, 0, 0.5);
    full.updateValue(500 * MIN, 105);
    expect(half.baseline.mean - d.baseline.mean).toBeCloseTo((full.baseline.mean - d.baseline.mean) / 2, 12);
  });

  it('ignores non-finite values', () => {
    const d = new EwRobustZDetector();
    stream(14, 100).forEach((value, i) => d.update({ t: i * MIN, value }));
    const before = d.toJSON();
    expect(d.update({ t: 100 * MIN, value: Number.NaN })).toBe(0);
    expect(d.update({ t: 101 * MIN, value: Number.POSITIVE_INFINITY })).toBe(0);
    expect(d.toJSON()).toEqual(before);
  });
});
