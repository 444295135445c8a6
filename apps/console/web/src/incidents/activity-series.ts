/** The baseliner's `activity` (GET /agents/{agentId}/baseline): actions per usage window against what is usual then. */
export interface Activity {
  from: string;
  to: string;
  windowMinutes: number;
  windows: Array<{ start: string; end: string; actions: number; open: boolean }>;
  usual: Array<{ start: string; expected: number; high: number }>;
}

export interface Baseline {
  agentId: string;
  warm: boolean;
  eventsLearnt: number;
  baseline: { actionsPer10Minutes: number | null; recordsPer10Minutes: number | null; deniedShare: number; activeHoursUtc: number[] };
  episode: { id: string; startedAt: string; lastAboveAt: string; peakScore: number } | null;
  activity: Activity;
}

/** The chart's columns: one point per window from `from` to `to` (seconds), its actions (0 without activity) and usual range. */
export interface ChartSeries {
  x: number[];
  actions: number[];
  expected: Array<number | null>;
  high: Array<number | null>;
  windowSeconds: number;
}

export function chartSeries(activity: Activity): ChartSeries {
  const step = activity.windowMinutes * 60;
  const from = Math.floor(Date.parse(activity.from) / 1000 / step) * step;
  const to = Date.parse(activity.to) / 1000;
  const byStart = new Map(activity.windows.map((w) => [Math.floor(Date.parse(w.start) / 1000 / step) * step, w.actions]));
  const usual = new Map(activity.usual.map((u) => [Math.floor(Date.parse(u.start) / 1000), u]));
  const series: ChartSeries = { x: [], actions: [], expected: [], high: [], windowSeconds: step };
  for (let t = from; t < to; t += step) {
    series.x.push(t);
    series.actions.push(byStart.get(t) ?? 0);
    series.expected.push(usual.get(t)?.expected ?? null);
    series.high.push(usual.get(t)?.high ?? null);
  }
  return series;
}

/**
 * The anomalous stretch to highlight (seconds): from the start of the window the episode (or the incident) began in,
 * to the end of the window it was last above the reporting floor in.
 */
export function anomalousStretch(series: Pick<ChartSeries, 'windowSeconds'>, incident: { openedAt: string }, episode: Baseline['episode']): [number, number] {
  const step = series.windowSeconds;
  const opened = Date.parse(incident.openedAt) / 1000;
  const began = episode ? Math.min(Date.parse(episode.startedAt) / 1000, opened) : opened;
  const lastAbove = episode ? Math.max(Date.parse(episode.lastAboveAt) / 1000, opened) : opened;
  return [Math.floor(began / step) * step, Math.floor(lastAbove / step) * step + step];
}

/** The chart in a sentence, for those who do not see it. */
export function describeChart(series: ChartSeries, stretch: [number, number], windowWords: string): string {
  const inside = series.x.map((t, i) => (t >= stretch[0] && t < stretch[1] ? series.actions[i] : -1)).filter((n) => n >= 0);
  const peak = inside.length ? Math.max(...inside) : 0;
  const usualHigh = series.high.filter((h, i) => h !== null && !(series.x[i] >= stretch[0] && series.x[i] < stretch[1])) as number[];
  const typical = series.actions.filter((n, i) => n > 0 && !(series.x[i] >= stretch[0] && series.x[i] < stretch[1]));
  const median = typical.length ? typical.sort((a, b) => a - b)[Math.floor(typical.length / 2)] : 0;
  const top = usualHigh.length ? Math.round(Math.max(...usualHigh)) : undefined;
  const days = Math.max(1, Math.round((series.x.length * series.windowSeconds) / 86_400));
  return (
    `Over the last ${days === 1 ? 'day' : `${days} days`} it usually did about ${median} actions ${windowWords} when active` +
    `${top !== undefined ? `; its learnt usual range tops at ${top} ${windowWords}` : ''}; during the anomaly it did ${peak} ${windowWords}.`
  );
}
