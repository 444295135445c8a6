/**
 * The count-stream check: a count-valued series (events per interval) replayed as individual activity events through
 * AgentBehaviorModel and EpisodeTracker, one model per series, exactly as the behaviour-baseliner scores an agent:
 * the c events of an interval are spread evenly over it, each scored then learnt, and an alarm is an episode the
 * tracker starts at the threshold. Every event is the same ordinary action (one record, allowed), so only the volume
 * features can speak: this measures the rate and records evidence and their calibration on real traffic.
 */
import { AgentBehaviorModel } from '../../src/agent-behavior-model';
import { EpisodeTracker } from '../../src/episode-tracker';
import type { Series } from './corpus';
import { judgeAlarms, type SeriesScoring } from './window-scoring';

/** Series whose every value is a non-negative integer: counts of something per interval. */
export function isCountSeries(s: Series): boolean {
  for (let i = 0; i < s.value.length; i++) if (!(Number.isInteger(s.value[i]) && s.value[i] >= 0)) return false;
  return true;
}

export function eventsIn(s: Series): number {
  let n = 0;
  for (let i = 0; i < s.value.length; i++) n += s.value[i];
  return n;
}

/** `onEvents` (optional) is told after each point how many of the series' events have been replayed so far. */
export function replayCountSeries(s: Series, thresholds: readonly number[], onEvents?: (replayed: number) => void): SeriesScoring {
  const model = new AgentBehaviorModel();
  const trackers = thresholds.map((floor) => new EpisodeTracker({ floor }));
  const starts: number[][] = thresholds.map(() => []);
  const maxPerPoint = new Float64Array(s.t.length);
  const event = { t: 0, action: 'records.read', resourceType: 'record', recordsTouched: 1, outcome: 'allowed' as const };
  let replayed = 0;
  for (let i = 0; i < s.t.length; i++) {
    const count = s.value[i];
    const from = s.t[i];
    const span = (i + 1 < s.t.length ? Math.min(s.t[i + 1] - from, s.intervalS * 1000) : s.intervalS * 1000) - 1;
    let top = 0;
    for (let k = 0; k < count; k++) {
      event.t = from + Math.floor((k * span) / count);
      const score = model.update(event);
      if (score > top) top = score;
      for (let j = 0; j < trackers.length; j++) if (trackers[j].observe(event.t, score) === 'started') starts[j].push(event.t);
    }
    maxPerPoint[i] = top;
    replayed += count;
    onEvents?.(replayed);
  }
  return judgeAlarms(s, maxPerPoint, thresholds, starts);
}
