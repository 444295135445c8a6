import type { Series } from './corpus';
import { labelInformedBound, seriesFrontier, type SeriesFrontier } from './label-informed-bound';

const MINUTE = 60_000;

/** 1,000 one-minute points of 0 with spikes at the given indices; windows are [start, end] point indices. */
function series(spikes: Record<number, number>, windows: Array<[number, number]>): Series {
  const t = Float64Array.from({ length: 1000 }, (_, i) => i * MINUTE);
  const value = Float64Array.from({ length: 1000 }, (_, i) => spikes[i] ?? 0);
  const w = windows.map(([a, b]) => [a * MINUTE, b * MINUTE] as [number, number]);
  return { name: 't/x.csv', collection: 't', intervalS: 60, syntheticTime: true, t, value, windows: w, widened: w };
}

describe('label-informed bound', () => {
  // Two windows with a spike of 10 each; outside them one spike of 20, which any threshold catching them also alarms on.
  const s = series({ 300: 10, 600: 10, 800: 20 }, [
    [290, 320],
    [590, 620],
  ]);

  it('finds, per statistic, the most windows caught with at most k false alarms', () => {
    // A score that is high only inside the windows: both caught with no false alarm.
    const score = Float64Array.from(s.value, (_, i) => (i === 300 || i === 600 ? 0.8 : 0.1));
    const f = seriesFrontier(s, score, 3);
    expect(f.windows).toBe(2);
    expect(f.byStatistic.score).toEqual([2, 2, 2, 2]);
    // The value: catching the windows (threshold 10) also raises the alarm at 20.
    expect(f.byStatistic['value high']).toEqual([0, 2, 2, 2]);
    // The step up and back down at 800 is 20, larger than the windows' steps: the same trade.
    expect(f.byStatistic.step).toEqual([0, 2, 2, 2]);
  });

  it('ignores what happens during probation', () => {
    const early = series({ 100: 50, 300: 10 }, [[290, 320]]);
    const f = seriesFrontier(early, early.value, 1);
    expect(f.byStatistic['value high']).toEqual([1, 1]);
  });

  it('splits the corpus-wide budget across series where it catches the most', () => {
    const frontier = (days: number, windows: number, score: number[], any: number[]): SeriesFrontier => ({
      days,
      windows,
      byStatistic: { score, 'value high': any, 'value low': score.map(() => 0), step: score.map(() => 0) },
    });
    // 1,000 series-days in all: a budget of 1 per 1,000 series-days is one false alarm.
    const frontiers = [frontier(500, 3, [0, 2, 2], [1, 2, 3]), frontier(500, 3, [1, 1, 3], [0, 0, 0])];
    const [none, one, two] = labelInformedBound(frontiers, [0, 1, 2]);
    expect(none).toMatchObject({ budgetPer1000Days: 0, caughtByScore: 1, caughtByAny: 2, windows: 6 });
    expect(one).toMatchObject({ caughtByScore: 3, caughtByAny: 3 });
    // Two false alarms: both to the second series' score (0 + 3), or one each (2 + 1); the best of either statistic per series gives 3 + 1.
    expect(two).toMatchObject({ caughtByScore: 3, caughtByAny: 4, recallByAny: 0.6667 });
  });
});
