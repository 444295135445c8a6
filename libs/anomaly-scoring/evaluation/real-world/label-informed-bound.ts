/**
 * What the labels allow: an upper bound on the windows any threshold could catch within a false-alarm budget.
 *
 * A detector with one threshold for every series cannot do better than one that may pick a different threshold for
 * each series, knowing where that series' labelled windows are. This module computes that second figure, exactly,
 * with the same window rules as the evaluation (window-scoring.ts):
 *
 *  1. per series and statistic, the frontier "most windows caught with at most k false alarms", over every threshold
 *     down to where the false alarms pass the whole budget;
 *  2. across series, the split of the corpus-wide budget (per 1,000 series-days) that catches the most windows
 *     (a knapsack over the frontiers, solved exactly by dynamic programming).
 *
 * Statistics: the detector's own score, and three a detector needs no model for (the value itself, high or low, and
 * the size of the step from the previous value), with the best of the four chosen per series, again with the labels.
 * A detector that calibrates its threshold per series over time is not strictly bounded by a fixed per-series
 * threshold, but one that learns without labels has far less to go on than this oracle: if the oracle cannot reach
 * a target, no calibration of these statistics will.
 */
import type { Series } from './corpus';
import { quietPeriodMs, windowJudge } from './window-scoring';

export type BoundStatistic = 'score' | 'value high' | 'value low' | 'step';
export const BOUND_STATISTICS: readonly BoundStatistic[] = ['score', 'value high', 'value low', 'step'];

export interface BoundRow {
  /** False alarms allowed per 1,000 series-days, corpus-wide. */
  budgetPer1000Days: number;
  /** Windows caught with the detector's score alone, and with the best statistic per series. */
  caughtByScore: number;
  caughtByAny: number;
  windows: number;
  recallByScore: number;
  recallByAny: number;
}

/** Per series: for each statistic, caught[k] = most windows caught with at most k false alarms (k = 0..maxFalse). */
export interface SeriesFrontier {
  days: number;
  windows: number;
  byStatistic: Record<BoundStatistic, number[]>;
}

/** The statistics of a series other than the detector's score. */
function statistic(s: Series, which: Exclude<BoundStatistic, 'score'>): Float64Array {
  const v = s.value;
  if (which === 'value high') return v;
  if (which === 'value low') return Float64Array.from(v, (x) => -x);
  const step = new Float64Array(v.length);
  for (let i = 1; i < v.length; i++) step[i] = Math.abs(v[i] - v[i - 1]);
  return step;
}

/**
 * The frontier of one statistic on one series: thresholds are tried at every distinct value from the top down
 * (sampled geometrically in rank below the first 200), until the false alarms exceed maxFalse for good.
 */
function frontierOf(s: Series, values: Float64Array, maxFalse: number): number[] {
  const judge = windowJudge(s);
  const quiet = quietPeriodMs(s);
  const order = Array.from(values.keys())
    .filter((i) => i >= judge.firstScored && Number.isFinite(values[i]))
    .sort((a, b) => values[b] - values[a]);
  const best = new Array<number>(maxFalse + 1).fill(0);
  let over = 0;
  for (let rank = 1; rank <= order.length; rank = rank < 200 ? rank + 1 : Math.ceil(rank * 1.03)) {
    // Every point at or above the value at this rank (ties included) is above the threshold.
    const threshold = values[order[rank - 1]];
    let end = rank;
    while (end < order.length && values[order[end]] >= threshold) end++;
    const above = order.slice(0, end).sort((a, b) => a - b);
    const starts: number[] = [];
    let lastAbove = Number.NEGATIVE_INFINITY;
    for (const i of above) {
      if (s.t[i] - lastAbove >= quiet) starts.push(s.t[i]);
      lastAbove = s.t[i];
    }
    const { caught, falseAlarms } = judge.judge(starts);
    if (falseAlarms <= maxFalse) {
      over = 0;
      for (let k = falseAlarms; k <= maxFalse; k++) if (caught > best[k]) best[k] = caught;
    } else if (++over >= 20) break;
    rank = end;
  }
  return best;
}

export function seriesFrontier(s: Series, scores: Float64Array, maxFalse: number): SeriesFrontier {
  const judge = windowJudge(s);
  const days = (s.t[s.t.length - 1] - s.t[judge.firstScored]) / 86_400_000;
  const byStatistic = { score: frontierOf(s, scores, maxFalse) } as Record<BoundStatistic, number[]>;
  for (const which of BOUND_STATISTICS) if (which !== 'score') byStatistic[which] = frontierOf(s, statistic(s, which), maxFalse);
  return { days, windows: judge.windows, byStatistic };
}

/** Most windows caught over all series with at most `budget` false alarms in total (exact knapsack). */
function bestSplit(frontiers: number[][], budget: number): number {
  let dp = new Array<number>(budget + 1).fill(0);
  for (const f of frontiers) {
    const next = new Array<number>(budget + 1).fill(0);
    for (let b = 0; b <= budget; b++) {
      for (let k = 0; k <= b && k < f.length; k++) {
        const v = dp[b - k] + f[k];
        if (v > next[b]) next[b] = v;
      }
    }
    dp = next;
  }
  return dp[budget];
}

export function labelInformedBound(frontiers: SeriesFrontier[], budgetsPer1000Days: readonly number[]): BoundRow[] {
  const days = frontiers.reduce((a, f) => a + f.days, 0);
  const windows = frontiers.reduce((a, f) => a + f.windows, 0);
  return budgetsPer1000Days.map((perK) => {
    const budget = Math.floor((perK * days) / 1000);
    const caughtByScore = bestSplit(
      frontiers.map((f) => f.byStatistic.score),
      budget,
    );
    const caughtByAny = bestSplit(
      frontiers.map((f) => f.byStatistic.score.map((_, k) => Math.max(...BOUND_STATISTICS.map((w) => f.byStatistic[w][k])))),
      budget,
    );
    return {
      budgetPer1000Days: perK,
      caughtByScore,
      caughtByAny,
      windows,
      recallByScore: Math.round((caughtByScore / windows) * 10_000) / 10_000,
      recallByAny: Math.round((caughtByAny / windows) * 10_000) / 10_000,
    };
  });
}

/** The largest number of false alarms any one series may need to be given: the whole budget at the largest rate. */
export function maxFalseFor(seriesDays: number, budgetsPer1000Days: readonly number[]): number {
  return Math.floor((Math.max(...budgetsPer1000Days) * seriesDays) / 1000);
}
