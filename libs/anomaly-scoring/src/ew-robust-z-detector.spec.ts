import { EwRobustZDetector } from './ew-robust-z-detector';
import { gaussian, seededRandom } from './testing/seeded-random';

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
