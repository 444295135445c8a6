/**
 * Window-based scoring of a detector on a labelled series, in the product's terms: what matters is whether an alarm
 * started when something was wrong (a labelled window), how early, and how many alarms started when nothing was.
 *
 * - Probation: the first PROBATION share of each series' points is learnt, not scored. Windows that start inside it
 *   and alarms raised inside it are not counted.
 * - Alarm: at threshold θ, an alarm starts at a point scoring ≥ θ when no point in the quiet period before it scored
 *   ≥ θ (the EpisodeTracker rule; the quiet period is EPISODE_QUIET_MS, or three sampling intervals where the
 *   series is sampled more coarsely, so that an hourly series' consecutive high points are one episode).
 * - Detection: a widened window [a, b] is caught when an alarm starts inside [a − lead, b], lead = one quiet
 *   period ("shortly before"). Delay = the first such alarm's time − the first labelled (exact) point in the window.
 * - False alarm: every alarm starting outside all [a − lead, b].
 * - Anomaly-free points: scored points outside every widened window (and its lead).
 */
import { EPISODE_QUIET_MS } from '../../src/episode-tracker';
import type { Series } from './corpus';

export const PROBATION = 0.15;
export const PRODUCT_THRESHOLDS = [0.9, 0.95, 0.97, 0.99] as const;
/** Thresholds swept for the best single corpus-wide threshold. */
export const SWEEP = Array.from({ length: 90 }, (_, i) => Math.round((0.05 + i * 0.005) * 1000) / 1000).concat(
  Array.from({ length: 200 }, (_, i) => Math.round((0.5 + i * 0.0025) * 10000) / 10000),
  Array.from({ length: 200 }, (_, i) => 1 - 10 ** -(2.4 + i * 0.05)),
);

export interface ThresholdCounts {
  threshold: number;
  windows: number;
  caught: number;
  falseAlarms: number;
  /** Sum and list of detection delays in points (negative: before the first labelled point). */
  delaysPoints: number[];
}

export interface SeriesScoring {
  name: string;
  collection: string;
  scoredDays: number;
  scoredPoints: number;
  /** Scored points outside windows, and those of them at or above 0.9. */
  quietPoints: number;
  quietAtFloor: number;
  byThreshold: ThresholdCounts[];
}

export function quietPeriodMs(s: Pick<Series, 'intervalS'>): number {
  return Math.max(EPISODE_QUIET_MS, 3 * s.intervalS * 1000);
}

/** Scores a detector's per-point scores: alarms as the EpisodeTracker would raise them, judged against the windows. */
export function scoreSeries(s: Series, scores: Float64Array, thresholds: readonly number[]): SeriesScoring {
  const quiet = quietPeriodMs(s);
  const starts = thresholds.map((threshold) => {
    const out: number[] = [];
    let lastAbove = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < scores.length; i++) {
      if (!(scores[i] >= threshold)) continue;
      if (s.t[i] - lastAbove >= quiet) out.push(s.t[i]);
      lastAbove = s.t[i];
    }
    return out;
  });
  return judgeAlarms(s, scores, thresholds, starts);
}

/**
 * Judges alarm start times (one list per threshold) against the series' windows. `pointScores` is one score per point
 * of the series (for a replay of events, the highest score of the events in that interval), for the share of
 * anomaly-free points at or above the reporting floor.
 */
export function judgeAlarms(s: Series, pointScores: Float64Array, thresholds: readonly number[], starts: number[][]): SeriesScoring {
  const n = s.t.length;
  const judge = windowJudge(s);
  let quietPoints = 0;
  let quietAtFloor = 0;
  for (let i = judge.firstScored; i < n; i++) {
    if (judge.windowAt(s.t[i]) >= 0) continue;
    quietPoints++;
    if (pointScores[i] >= 0.9) quietAtFloor++;
  }
  const byThreshold = thresholds.map((threshold, k) => ({ threshold, windows: judge.windows, ...judge.judge(starts[k]) }));
  return {
    name: s.name,
    collection: s.collection,
    scoredDays: (s.t[n - 1] - s.t[judge.firstScored]) / 86_400_000,
    scoredPoints: n - judge.firstScored,
    quietPoints,
    quietAtFloor,
    byThreshold,
  };
}

export interface WindowJudge {
  /** Index of the first scored point (after probation). */
  firstScored: number;
  /** Windows that count (starting after probation). */
  windows: number;
  /** The counted window a time falls in (with its lead), or -1. */
  windowAt(t: number): number;
  /** Alarm start times (ascending) judged against the windows. */
  judge(starts: readonly number[]): { caught: number; falseAlarms: number; delaysPoints: number[] };
}

/** The window rules of one series, built once and applied to any number of alarm lists. */
export function windowJudge(s: Series): WindowJudge {
  const firstScored = Math.floor(s.t.length * PROBATION);
  const tStart = s.t[firstScored];
  const lead = quietPeriodMs(s);
  const windows = s.widened.filter(([a]) => a >= tStart);
  const windowAt = (t: number): number => windows.findIndex(([a, b]) => t >= a - lead && t <= b);
  const firstLabelled = windows.map(([a, b]) => (s.windows.find(([x, y]) => x >= a && y <= b) ?? [a, b])[0]);
  return {
    firstScored,
    windows: windows.length,
    windowAt,
    judge(starts) {
      const caught = new Uint8Array(windows.length);
      const delaysPoints: number[] = [];
      let falseAlarms = 0;
      for (const t of starts) {
        if (t < tStart) continue;
        const w = windowAt(t);
        if (w < 0) falseAlarms++;
        else if (!caught[w]) {
          caught[w] = 1;
          delaysPoints.push(Math.round((t - firstLabelled[w]) / (s.intervalS * 1000)));
        }
      }
      return { caught: caught.reduce((a, b) => a + b, 0), falseAlarms, delaysPoints };
    },
  };
}

/** One threshold's figures over a set of series. */
export interface ThresholdRow {
  threshold: number;
  caught: number;
  recall: number;
  falseAlarms: number;
  falseAlarmsPer1000Days: number;
  /** Window-based F1: precision = caught / (caught + false alarms). */
  f1: number;
  medianDelayPoints: number | null;
}

export interface Summary {
  series: number;
  seriesDays: number;
  windows: number;
  pointsAtFloorShare: number;
  byThreshold: ThresholdRow[];
}

export function summarise(results: SeriesScoring[]): Summary {
  const seriesDays = results.reduce((a, r) => a + r.scoredDays, 0);
  const quietPoints = results.reduce((a, r) => a + r.quietPoints, 0);
  const quietAtFloor = results.reduce((a, r) => a + r.quietAtFloor, 0);
  const thresholds = results[0]?.byThreshold.map((b) => b.threshold) ?? [];
  const windows = results.reduce((a, r) => a + (r.byThreshold[0]?.windows ?? 0), 0);
  return {
    series: results.length,
    seriesDays: round(seriesDays, 1),
    windows,
    pointsAtFloorShare: quietPoints ? quietAtFloor / quietPoints : 0,
    byThreshold: thresholds.map((threshold, k) => {
      const caught = results.reduce((a, r) => a + r.byThreshold[k].caught, 0);
      const falseAlarms = results.reduce((a, r) => a + r.byThreshold[k].falseAlarms, 0);
      const delays = results.flatMap((r) => r.byThreshold[k].delaysPoints).sort((a, b) => a - b);
      const recall = windows ? caught / windows : 0;
      const precision = caught + falseAlarms ? caught / (caught + falseAlarms) : 0;
      return {
        threshold,
        caught,
        recall: round(recall, 4),
        falseAlarms,
        falseAlarmsPer1000Days: round((1000 * falseAlarms) / seriesDays, 2),
        f1: round(precision + recall ? (2 * precision * recall) / (precision + recall) : 0, 4),
        medianDelayPoints: delays.length ? delays[Math.floor(delays.length / 2)] : null,
      };
    }),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
