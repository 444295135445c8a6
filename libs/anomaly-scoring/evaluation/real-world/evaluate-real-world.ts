/**
 * The real-world evaluation: every series of a corpus half through StreamDetector with its shipped defaults (one
 * detector per series, nothing tuned per series), and every count-valued series replayed as agent activity through
 * AgentBehaviorModel and EpisodeTracker (see count-replay.ts), judged by the window rules of window-scoring.ts.
 */
import { EwRobustZDetector } from '../../src/ew-robust-z-detector';
import { StreamDetector } from '../../src/stream-detector';
import { loadCorpus, type CorpusHalf, type Series } from './corpus';
import { eventsIn, isCountSeries, replayCountSeries } from './count-replay';
import { labelInformedBound, maxFalseFor, seriesFrontier, type BoundRow, type SeriesFrontier } from './label-informed-bound';
import { PRODUCT_THRESHOLDS, scoreSeries, summarise, SWEEP, windowJudge, type SeriesScoring, type Summary, type ThresholdRow } from './window-scoring';

export type { ThresholdRow } from './window-scoring';

export const TARGETS = {
  /** At 0.97: at most this many false alarms per 1,000 series-days, and at least this share of windows caught. */
  containFalseAlarmsPer1000Days: 5,
  containRecall: 0.7,
  /** At the 0.9 reporting floor. */
  floorFalseAlarmsPer1000Days: 20,
  /** Share of anomaly-free points scoring at least 0.9. */
  quietPointsAtFloor: 0.001,
} as const;

/** False-alarm budgets (per 1,000 series-days) at which the label-informed bound is reported: none, and the two targets. */
export const BOUND_BUDGETS = [0, TARGETS.containFalseAlarmsPer1000Days, TARGETS.floorFalseAlarmsPer1000Days] as const;

export interface EvaluatedSet {
  series: number;
  seriesDays: number;
  windows: number;
  pointsAtFloorShare: number;
  /** At 0.9, 0.95, 0.97 and 0.99. */
  product: ThresholdRow[];
  /** The single corpus-wide threshold with the best window F1. */
  best: ThresholdRow;
}

export interface SeriesRow {
  name: string;
  days: number;
  windows: number;
  /** Caught and false alarms at 0.9 and at 0.97. */
  caught90: number;
  falseAlarms90: number;
  caught97: number;
  falseAlarms97: number;
}

export interface RealWorldResult {
  half: CorpusHalf;
  streams: EvaluatedSet & { byCollection: Record<string, EvaluatedSet>; perSeries: SeriesRow[] };
  /** The most windows a threshold chosen per series with the labels could catch (see label-informed-bound.ts). */
  bound: BoundRow[];
  /** The previous univariate entry point (EwRobustZDetector, defaults) on the same series, for comparison. */
  previous?: EvaluatedSet;
  counts: EvaluatedSet & { events: number; perSeries: SeriesRow[] };
}

/** The passes over a half, in the order they run: StreamDetector on every series, count series replayed, the previous detector. */
export type RealWorldStage = 'streams' | 'counts' | 'previous';

export interface RealWorldOptions {
  /** Skip count series with more events than this (the CI test keeps its run to seconds). */
  maxCountEvents?: number;
  /** Also run the previous detector for comparison. */
  withPrevious?: boolean;
  /** At most this many series in each pass, spread evenly over the half: a quick check of the tooling, not a result to report. */
  maxSeries?: number;
  /** Told when a pass starts (done 0) and as it goes: series done of its series, or for `counts`, events replayed of its events. */
  onProgress?: (stage: RealWorldStage, done: number, total: number) => void;
}

export function evaluateRealWorld(half: CorpusHalf, options: RealWorldOptions = {}): RealWorldResult {
  const whole = loadCorpus(half);
  const corpus = spread(whole, options.maxSeries);
  const progress = options.onProgress ?? (() => undefined);
  /** `score` over every series of `list`, telling how far the pass is. */
  const pass = <T>(stage: RealWorldStage, list: Series[], score: (s: Series) => T): T[] => {
    progress(stage, 0, list.length);
    return list.map((s, i) => {
      const result = score(s);
      progress(stage, i + 1, list.length);
      return result;
    });
  };
  const thresholds = [...PRODUCT_THRESHOLDS, ...SWEEP];
  const corpusDays = corpus.reduce((a, s) => a + (s.t[s.t.length - 1] - s.t[windowJudge(s).firstScored]) / 86_400_000, 0);
  const maxFalse = maxFalseFor(corpusDays, BOUND_BUDGETS);
  const frontiers: SeriesFrontier[] = [];
  const streams = pass('streams', corpus, (s) => {
    const scores = scoreAll(s, new StreamDetector());
    frontiers.push(seriesFrontier(s, scores, maxFalse));
    return scoreSeries(s, scores, thresholds);
  });
  const byCollection: Record<string, EvaluatedSet> = {};
  for (const c of [...new Set(corpus.map((s) => s.collection))].sort()) byCollection[c] = evaluated(streams.filter((r) => r.collection === c));
  const countSeries = spread(
    whole.filter(isCountSeries).filter((s) => eventsIn(s) <= (options.maxCountEvents ?? Number.POSITIVE_INFINITY)),
    options.maxSeries,
  );
  const countEvents = countSeries.map(eventsIn);
  const totalEvents = countEvents.reduce((a, b) => a + b, 0);
  let replayedBefore = 0;
  progress('counts', 0, totalEvents);
  const counts = countSeries.map((s, i) => {
    const result = replayCountSeries(s, thresholds, (replayed) => progress('counts', replayedBefore + replayed, totalEvents));
    replayedBefore += countEvents[i];
    return result;
  });
  return {
    half,
    streams: { ...evaluated(streams), byCollection, perSeries: streams.map(row) },
    bound: labelInformedBound(frontiers, BOUND_BUDGETS),
    previous: options.withPrevious ? evaluated(pass('previous', corpus, (s) => scoreSeries(s, scoreAll(s, new EwRobustZDetector()), thresholds))) : undefined,
    counts: { ...evaluated(counts), events: totalEvents, perSeries: counts.map(row) },
  };
}

export interface TargetCheck {
  name: string;
  value: number;
  target: string;
  met: boolean;
}

export function checkTargets(set: EvaluatedSet): TargetCheck[] {
  const at = (th: number) => set.product.find((p) => p.threshold === th) as ThresholdRow;
  return [
    {
      name: 'false alarms per 1,000 series-days at 0.97',
      value: at(0.97).falseAlarmsPer1000Days,
      target: `≤ ${TARGETS.containFalseAlarmsPer1000Days}`,
      met: at(0.97).falseAlarmsPer1000Days <= TARGETS.containFalseAlarmsPer1000Days,
    },
    { name: 'windows caught at 0.97', value: at(0.97).recall, target: `≥ ${TARGETS.containRecall}`, met: at(0.97).recall >= TARGETS.containRecall },
    {
      name: 'false alarms per 1,000 series-days at 0.9',
      value: at(0.9).falseAlarmsPer1000Days,
      target: `≤ ${TARGETS.floorFalseAlarmsPer1000Days}`,
      met: at(0.9).falseAlarmsPer1000Days <= TARGETS.floorFalseAlarmsPer1000Days,
    },
    {
      name: 'anomaly-free points scoring ≥ 0.9',
      value: set.pointsAtFloorShare,
      target: `< ${TARGETS.quietPointsAtFloor * 100}%`,
      met: set.pointsAtFloorShare < TARGETS.quietPointsAtFloor,
    },
  ];
}

/** `n` of the series, evenly spaced in corpus order (all of them without `n`). */
function spread(series: Series[], n: number | undefined): Series[] {
  if (n === undefined || n >= series.length) return series;
  return Array.from({ length: Math.max(0, n) }, (_, i) => series[Math.floor((i * series.length) / n)]);
}

function scoreAll(s: Series, detector: { updateValue(t: number, x: number): number }): Float64Array {
  const scores = new Float64Array(s.t.length);
  for (let i = 0; i < s.t.length; i++) scores[i] = detector.updateValue(s.t[i], s.value[i]);
  return scores;
}

function evaluated(results: SeriesScoring[]): EvaluatedSet {
  const sum: Summary = summarise(results);
  const rows = sum.byThreshold;
  const product = rows.filter((r) => (PRODUCT_THRESHOLDS as readonly number[]).includes(r.threshold)).slice(0, PRODUCT_THRESHOLDS.length);
  const best = rows.reduce((a, b) => (b.f1 > a.f1 ? b : a), rows[0]);
  return { series: sum.series, seriesDays: sum.seriesDays, windows: sum.windows, pointsAtFloorShare: round(sum.pointsAtFloorShare, 7), product, best };
}

function row(r: SeriesScoring): SeriesRow {
  const at = (k: number) => r.byThreshold[k];
  return {
    name: r.name,
    days: round(r.scoredDays, 1),
    windows: at(0).windows,
    caught90: at(0).caught,
    falseAlarms90: at(0).falseAlarms,
    caught97: at(2).caught,
    falseAlarms97: at(2).falseAlarms,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
