import { seededRandom } from '@agentgov/test-support';

import { DAY, HOUR, normalDays, START } from '../test/support/agent-scenario';
import { AgentBehaviorModel, type ActivityEvent } from './agent-behavior-model';

const MIN = 60_000;

function event(t: number, recordsTouched: number, action = 'warehouse.extract'): ActivityEvent {
  return { t, action, resourceType: 'table', tool: 'sql', recordsTouched, outcome: 'allowed' };
}

/** n events spread evenly over [from, from + durationMs), each touching `records`. */
function run(from: number, n: number, durationMs: number, records: number): ActivityEvent[] {
  return Array.from({ length: n }, (_, i) => event(from + (i * durationMs) / n, records));
}

/** An ETL agent: two health checks an hour from 08:00 to 20:00, and a 40-minute batch of 300 × 100 records at 02:00. */
function etlDay(day: number, rand: () => number): ActivityEvent[] {
  const d0 = START + day * DAY;
  const checks = Array.from({ length: 24 }, (_, i) => event(d0 + 8 * HOUR + i * 30 * MIN + rand() * 20 * MIN, 0, 'metadata.read'));
  const batch = run(d0 + 2 * HOUR + rand() * 5 * MIN, Math.round(280 + rand() * 40), 40 * MIN, 100);
  return [...batch, ...checks].sort((a, b) => a.t - b.t);
}

function maxScore(m: AgentBehaviorModel, events: ActivityEvent[]): number {
  return Math.max(...events.map((e) => m.update(e)));
}

function firstFlag(m: AgentBehaviorModel, events: ActivityEvent[]): number {
  return events.findIndex((e) => m.update(e) >= 0.9);
}

describe('rate and records score only upward deviations', () => {
  it('does not flag the first event of a morning after a quiet night, nor a quiet day', () => {
    // A busy agent (~25 events in a usual 10 minutes): the first event of the day is 7σ below that.
    const rand = seededRandom(6);
    const m = new AgentBehaviorModel();
    for (let day = 0; day < 14; day++) {
      const d0 = START + day * DAY;
      const times = Array.from({ length: 1500 }, () => d0 + 8 * HOUR + rand() * 10 * HOUR).sort((a, b) => a - b);
      for (const t of times) m.update(event(t, 1, 'tickets.read'));
    }
    const morning = START + 14 * DAY + 8 * HOUR;
    expect(m.update(event(morning, 1, 'tickets.read'))).toBeLessThan(0.5);
    const a = m.explain();
    const rate = a.features.find((f) => f.name === 'action-rate')!;
    expect(rate.observed).toBeLessThan(rate.expected as number);
    expect(rate.score).toBe(0);
    // A quiet day: a single event, hours later.
    expect(m.update(event(morning + 5 * HOUR, 1, 'tickets.read'))).toBeLessThan(0.5);
  });
});

describe('seasonality', () => {
  it("learns an agent's nightly batch job, and still flags the same volume at an unusual time", () => {
    const rand = seededRandom(3);
    const m = new AgentBehaviorModel();
    for (let d = 0; d < 21; d++) etlDay(d, rand).forEach((e) => m.update(e));
    // The nightly batch after three weeks: part of the baseline.
    const night = etlDay(21, rand);
    expect(maxScore(m, night)).toBeLessThan(0.9);
    // The same batch at 14:00 the next day: an alarm, early in the run.
    const afternoon = run(START + 22 * DAY + 14 * HOUR, 300, 40 * MIN, 100);
    const flagged = firstFlag(m, afternoon);
    expect(flagged).toBeGreaterThanOrEqual(0);
    expect(flagged).toBeLessThan(20);
  });

  it('learns a Monday-morning report, and still flags the same report on a Thursday afternoon', () => {
    const rand = seededRandom(4);
    const m = new AgentBehaviorModel();
    const report = (from: number) => run(from, 120, 45 * MIN, 40);
    const weekday = (day: number) => {
      const d0 = START + day * DAY;
      return Array.from({ length: 15 }, () => event(d0 + 9 * HOUR + rand() * 8 * HOUR, 1 + Math.floor(rand() * 3), 'records.read'));
    };
    // START is a Monday. Four weeks of weekdays, each Monday with its 08:00 report.
    for (let day = 0; day < 28; day++) {
      if (day % 7 >= 5) continue;
      const events = [...weekday(day), ...(day % 7 === 0 ? report(START + day * DAY + 8 * HOUR) : [])].sort((a, b) => a.t - b.t);
      events.forEach((e) => m.update(e));
    }
    expect(maxScore(m, report(START + 28 * DAY + 8 * HOUR))).toBeLessThan(0.9);
    weekday(28)
      .filter((e) => e.t > START + 28 * DAY + 9 * HOUR)
      .forEach((e) => m.update(e));
    const flagged = firstFlag(m, report(START + 31 * DAY + 15 * HOUR));
    expect(flagged).toBeGreaterThanOrEqual(0);
    expect(flagged).toBeLessThan(20);
  });

  it('does not alarm forever on slow growth (+10% a week for 12 weeks)', () => {
    const rand = seededRandom(5);
    const m = new AgentBehaviorModel();
    const scores: Array<{ t: number; s: number }> = [];
    for (let day = 0; day < 84; day++) {
      const n = Math.round(200 * Math.pow(1.1, day / 7));
      const d0 = START + day * DAY;
      const times = Array.from({ length: n }, () => d0 + 8 * HOUR + rand() * 10 * HOUR).sort((a, b) => a - b);
      for (const t of times) scores.push({ t, s: m.update(event(t, 1 + Math.floor(rand() * 2), 'tickets.read')) });
    }
    const lateAlarms = scores.filter((x) => x.t >= START + 28 * DAY && x.s >= 0.9).length;
    expect(lateAlarms).toBe(0);
  });
});

describe('explain()', () => {
  it('explains the last update: same score, contributions highest first summing to the score', () => {
    const m = new AgentBehaviorModel();
    normalDays(8, 14).forEach((e) => m.update(e));
    const score = m.update({
      t: START + 14 * DAY + 10 * HOUR,
      action: 'iam.keys.create',
      resourceType: 'secret',
      tool: 'shell',
      recordsTouched: 1,
      outcome: 'denied',
    });
    const a = m.explain();
    expect(a.score).toBe(score);
    expect(score).toBeGreaterThan(0.9);
    const contributions = a.features.map((f) => f.contribution);
    expect(contributions).toEqual([...contributions].sort((x, y) => y - x));
    expect(contributions.reduce((x, y) => x + y, 0)).toBeCloseTo(score, 9);
    expect(a.features.map((f) => f.name)).toEqual(
      expect.arrayContaining(['new-tool', 'new-action', 'new-resource-type', 'action-rate', 'records-touched', 'denied-share', 'new-hour']),
    );
  });

  it('is empty before any update', () => {
    expect(new AgentBehaviorModel().explain()).toEqual({ score: 0, features: [], summary: 'no activity scored yet' });
  });
});

describe('state', () => {
  it('migrates a version-1 state: baselines carry over, re-learning the repertoire raises no alarm', () => {
    const v1 = {
      v: 1,
      last: START + 13 * DAY + 16 * HOUR,
      first: START,
      events: 100,
      wn: 1,
      wr: 2,
      wb: 0,
      p: 0.02,
      rate: { n: 100, mean: 2.4, dev: 0.3, drift: 0, since: null },
      recs: { n: 100, mean: 3.1, dev: 0.5, drift: 0, since: null },
      seen: Buffer.alloc(64).toString('base64'),
      hours: 0x1fe00,
      prior: 0,
    };
    const m = AgentBehaviorModel.fromJSON(v1);
    expect(m.baseline.rate).toEqual({ mean: 2.4, deviation: 0.3 });
    const scores = normalDays(9, 5, START + 14 * DAY).map((e) => m.update(e));
    expect(Math.max(...scores)).toBeLessThan(0.9);
    expect(JSON.parse(JSON.stringify(m.toJSON())).v).toBe(3);
  });

  it('migrates a version-2 state: its tails start from their prior and a restored model stays exact', () => {
    const m = new AgentBehaviorModel();
    normalDays(4, 10).forEach((e) => m.update(e));
    const { tl: _tl, day: _day, de: _de, dr: _dr, ue: _ue, ur: _ur, min: _min, me: _me, mr: _mr, ...rest } = m.toJSON();
    const migrated = AgentBehaviorModel.fromJSON({ ...rest, v: 2 });
    const scores = normalDays(5, 3, START + 10 * DAY).map((e) => migrated.update(e));
    expect(Math.max(...scores)).toBeLessThan(0.9);
    const restored = AgentBehaviorModel.fromJSON(JSON.parse(JSON.stringify(migrated.toJSON())));
    for (const e of normalDays(6, 1, START + 13 * DAY)) expect(restored.update(e)).toBe(migrated.update(e));
  });

  it('rejects an unknown state version', () => {
    expect(() => AgentBehaviorModel.fromJSON({ v: 4 })).toThrow(/unknown state version/);
    expect(() => AgentBehaviorModel.fromJSON({ ...new AgentBehaviorModel().toJSON(), tl: [1, 2] })).toThrow(/expected the three tails/);
    const tl = new AgentBehaviorModel().toJSON().tl.map((x, i) => (i === 5 ? 'x' : x));
    expect(() => AgentBehaviorModel.fromJSON({ ...new AgentBehaviorModel().toJSON(), tl })).toThrow(/expected 9 numbers/);
  });
});
