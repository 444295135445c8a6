import { seededRandom } from '@agentgov/test-support';

import { DAY, HOUR, START } from '../test/support/agent-scenario';
import { AgentBehaviorModel, type ActivityEvent } from './agent-behavior-model';

const MIN = 60_000;

function event(t: number): ActivityEvent {
  return { t, action: 'crm.read', resourceType: 'crm.contact', tool: 'crm-api', recordsTouched: 1, outcome: 'allowed' };
}

/** An ETL-like agent: a few reads an hour all day, and a 40-minute batch of about 300 reads at 02:00. */
function day(d: number, rand: () => number): ActivityEvent[] {
  const d0 = START + d * DAY;
  const reads = Array.from({ length: 48 }, (_, i) => event(d0 + i * 30 * MIN + rand() * 20 * MIN));
  const batch = Array.from({ length: 300 }, (_, i) => event(d0 + 2 * HOUR + (i * 40 * MIN) / 300));
  return [...reads, ...batch].sort((a, b) => a.t - b.t);
}

describe('AgentBehaviorModel.usualActionsIn10Minutes', () => {
  it('has nothing to say before the rate baseline is warm', () => {
    const m = new AgentBehaviorModel();
    m.update(event(START));
    expect(m.usualActionsIn10Minutes(START + MIN)).toBeUndefined();
    expect(m.usualActionsPerDay).toBeUndefined();
  });

  it('is the level and top of the usual range that explain() measures an event against, and learns nothing', () => {
    const rand = seededRandom(11);
    const m = new AgentBehaviorModel();
    for (let d = 0; d < 21; d++) day(d, rand).forEach((e) => m.update(e));
    const t = START + 21 * DAY + 13 * HOUR;
    const before = JSON.stringify(m.toJSON());
    const usual = m.usualActionsIn10Minutes(t)!;
    expect(JSON.stringify(m.toJSON())).toBe(before);

    m.update(event(t));
    const rate = m.explain().features.find((f) => f.name === 'action-rate')!;
    expect(usual).toEqual({ expected: rate.expected, high: rate.usualHigh });
    expect(m.usualActionsPerDay).toBe(rate.usualPerDay);
    expect(usual.high).toBeGreaterThan(usual.expected);
  });

  it('holds more usual at the hour of the nightly batch than in the afternoon', () => {
    const rand = seededRandom(12);
    const m = new AgentBehaviorModel();
    for (let d = 0; d < 21; d++) day(d, rand).forEach((e) => m.update(e));
    const next = START + 21 * DAY;
    expect(m.usualActionsIn10Minutes(next + 2 * HOUR)!.expected).toBeGreaterThan(m.usualActionsIn10Minutes(next + 15 * HOUR)!.expected * 2);
  });
});
