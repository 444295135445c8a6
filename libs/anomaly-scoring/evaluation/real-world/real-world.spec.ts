import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { checkTargets, evaluateRealWorld, type RealWorldResult, type RealWorldStage } from './evaluate-real-world';

/**
 * Recomputes the hold-out figures of the real-world report (every hold-out series through StreamDetector, and the
 * hold-out count series up to a million events replayed through the agent model) and holds them to the committed
 * report: a change to the scoring that moves any figure fails here until `npm run evaluate:scoring` is run again and
 * the new report committed, so the report and the README quoting it always describe the code. Every target the
 * report meets must stay met. Deterministic; a few seconds.
 */
const committed = (JSON.parse(readFileSync(join(__dirname, 'report.json'), 'utf8')) as { results: RealWorldResult[] }).results.find(
  (r) => r.half === 'holdout',
) as RealWorldResult;

describe('real-world scoring, hold-out half', () => {
  let now: RealWorldResult;
  const progress: Array<{ stage: RealWorldStage; done: number; total: number }> = [];

  beforeAll(() => {
    now = evaluateRealWorld('holdout', { maxCountEvents: 1_000_000, onProgress: (stage, done, total) => progress.push({ stage, done, total }) });
  }, 120_000);

  it('tells how far each pass is as it goes (npm run evaluate:scoring shows it): from nothing to every series, or every event', () => {
    expect([...new Set(progress.map((p) => p.stage))]).toEqual(['streams', 'counts']);
    const totals = { streams: now.streams.series, counts: now.counts.events };
    for (const stage of ['streams', 'counts'] as const) {
      const mine = progress.filter((p) => p.stage === stage);
      expect(mine.every((p) => p.total === totals[stage])).toBe(true);
      expect(mine[0].done).toBe(0);
      expect(mine[mine.length - 1].done).toBe(totals[stage]);
      expect(mine.every((p, i) => i === 0 || p.done >= mine[i - 1].done)).toBe(true);
    }
    // More than one step per series in the count pass: its longest series are millions of events.
    expect(progress.filter((p) => p.stage === 'counts').length).toBeGreaterThan(now.counts.series + 1);
  });

  it('takes a few series spread over the half when asked (a quick check of the tooling)', () => {
    const few = evaluateRealWorld('holdout', { maxSeries: 3, maxCountEvents: 30_000 });
    expect(few.streams.series).toBe(3);
    expect(few.counts.series).toBeGreaterThan(0);
    expect(few.counts.series).toBeLessThanOrEqual(3);
    expect(few.streams.perSeries.map((r) => r.name)).toEqual([0, 1, 2].map((i) => now.streams.perSeries[Math.floor((i * now.streams.series) / 3)].name));
  });

  it('scores enough real series and windows to mean something', () => {
    expect(now.streams.series).toBeGreaterThanOrEqual(90);
    expect(now.streams.windows).toBeGreaterThanOrEqual(500);
    expect(now.streams.seriesDays).toBeGreaterThan(1500);
    expect(now.counts.series).toBeGreaterThanOrEqual(5);
  });

  it('reproduces the committed report: windows caught, false alarms and delays at every product threshold, and the best threshold', () => {
    const { perSeries, byCollection, ...summary } = now.streams;
    const { perSeries: committedPerSeries, byCollection: committedByCollection, ...committedSummary } = committed.streams;
    expect(summary).toEqual(committedSummary);
    expect(byCollection).toEqual(committedByCollection);
    expect(perSeries).toEqual(committedPerSeries);
  });

  it('reproduces what the labels allow: the per-series oracle bound at each false-alarm budget', () => {
    expect(now.bound).toEqual(committed.bound);
    // Thresholds chosen per series with the labels, within the 0.97 target's budget, catch more than the shipped single threshold.
    const at97 = now.streams.product.find((p) => p.threshold === 0.97);
    const atBudget = now.bound.find((b) => b.budgetPer1000Days === 5);
    expect(atBudget?.caughtByScore).toBeGreaterThanOrEqual(at97?.caught ?? Infinity);
  });

  it('reproduces the committed count-stream figures of every series it replays', () => {
    const byName = new Map(committed.counts.perSeries.map((r) => [r.name, r]));
    expect(now.counts.perSeries.length).toBeGreaterThan(0);
    for (const row of now.counts.perSeries) expect(row).toEqual(byName.get(row.name));
  });

  it('keeps every target the committed report meets', () => {
    const met = (checks: ReturnType<typeof checkTargets>) => checks.filter((c) => c.met).map((c) => c.name);
    expect(met(checkTargets(now.streams))).toEqual(met(checkTargets(committed.streams)));
    // The anomaly-free share is met today: a regression would put real streams back in constant alarm.
    expect(now.streams.pointsAtFloorShare).toBeLessThan(0.001);
  });
});
