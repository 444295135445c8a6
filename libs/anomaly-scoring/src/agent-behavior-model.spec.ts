import { seededRandom } from '@agentgov/test-support';

import { burst, DAY, HOUR, normalDays, START } from '../test/support/agent-scenario';
import { AgentBehaviorModel, type ActivityEvent, type AnomalyAssessment } from './agent-behavior-model';
import { buildPeerPrior } from './peer-prior';

/** Scores one event and returns the explanation of that score. */
function assess(m: AgentBehaviorModel, e: ActivityEvent): AnomalyAssessment {
  const score = m.update(e);
  const a = m.explain();
  expect(a.score).toBe(score);
  return a;
}

function trained(seed: number, days = 14): AgentBehaviorModel {
  const m = new AgentBehaviorModel();
  normalDays(seed, days).forEach((e) => m.update(e));
  return m;
}

const at = START + 14 * DAY + 10 * HOUR;
const usual = { action: 'crm.records.read', resourceType: 'contact', tool: 'crm-api', recordsTouched: 1, outcome: 'allowed' as const };

describe('AgentBehaviorModel', () => {
  it('names a never-seen tool, action and resource type, and several at once score higher than one', () => {
    const one = assess(trained(1), { ...usual, t: at, tool: 'shell' });
    const newTool = one.features.find((f) => f.name === 'new-tool')!;
    expect(newTool).toMatchObject({ observed: 'shell' });
    expect(newTool.contribution).toBeGreaterThan(0.5);
    expect(one.features[0].name).toBe('new-tool');

    const three = assess(trained(1), { ...usual, t: at, tool: 'shell', action: 'iam.keys.create', resourceType: 'secret' });
    const named = three.features.filter((f) => f.contribution > 0).map((f) => f.name);
    expect(named).toEqual(expect.arrayContaining(['new-tool', 'new-action', 'new-resource-type']));
    expect(three.score).toBeGreaterThan(one.score);

    expect(trained(1).update({ ...usual, t: at })).toBeLessThan(0.5);
  });

  it('names activity at an hour the agent has never been active', () => {
    const a = assess(trained(2), { ...usual, t: START + 14 * DAY + 3 * HOUR });
    const hour = a.features.find((f) => f.name === 'new-hour')!;
    expect(hour.observed).toBe(3);
    expect(hour.contribution).toBeGreaterThan(0.5);
  });

  it('treats a never-used hour inside its working window, or next to it, as a gap, not off-hours', () => {
    // Active 08-09 and 13-20 for two weeks (a sparse, irregular schedule).
    const m = new AgentBehaviorModel();
    for (let day = 0; day < 14; day++) {
      for (const h of [8, 9, 13, 14, 15, 16, 17, 18, 19, 20]) m.update({ ...usual, t: START + day * DAY + h * HOUR + 20 * 60_000 });
    }
    const at = (h: number) => AgentBehaviorModel.fromJSON(m.toJSON()).update({ ...usual, t: START + 14 * DAY + h * HOUR + 20 * 60_000 });
    expect(at(11)).toBeLessThan(0.9); // inside the working window
    expect(at(21)).toBeLessThan(0.9); // next to an active hour
    expect(at(3)).toBeGreaterThan(0.9); // its night
  });

  it('does not raise a second alarm for a burst that ended when the agent has been quiet since', () => {
    const m = trained(10);
    const scores = burst(at, 500, 10 * 60_000).map((e) => m.update(e));
    expect(Math.max(...scores)).toBeGreaterThan(0.9);
    // The next ordinary event, 20 minutes after the burst (the episode has ended): the window starts afresh.
    expect(m.update({ ...usual, t: at + 30 * 60_000 })).toBeLessThan(0.5);
    // Without the reset the exponential window would still hold ~e^-2 of the burst.
    const noReset = new AgentBehaviorModel({ windowResetMs: Number.POSITIVE_INFINITY });
    normalDays(10, 14).forEach((e) => noReset.update(e));
    burst(at, 500, 10 * 60_000).forEach((e) => noReset.update(e));
    expect(noReset.update({ ...usual, t: at + 30 * 60_000 })).toBeGreaterThan(0.9);
  });

  it('does not call everything new while the agent is young', () => {
    const m = new AgentBehaviorModel();
    const scores = normalDays(3, 3).map((e) => m.update(e));
    expect(Math.max(...scores)).toBe(0);
  });

  it("scores a run of denials by how rare it is on the agent's own history", () => {
    // Ten denials in five minutes from an agent that is denied about once a week.
    const run = (m: AgentBehaviorModel, from: number) =>
      Array.from({ length: 10 }, (_, i) => assess(m, { ...usual, t: from + i * 30_000, outcome: 'denied' })).pop()!;
    const month = run(trained(4, 28), START + 28 * DAY + 10 * HOUR);
    expect(month.score).toBeGreaterThan(0.9);
    expect(month.features[0].name).toBe('denied-share');
    expect(month.summary).toMatch(/^100% of recent actions denied or failed; usually \d+%/);
    // The same run after two weeks of history cannot yet be called a once-in-100-days event, only a rarer one.
    const fortnight = run(trained(4), at);
    expect(fortnight.score).toBeGreaterThan(0.8);
    expect(fortnight.score).toBeLessThan(month.score);
  });

  it('keeps its state under 2 KB after weeks of varied activity, and restores it exactly', () => {
    const rand = seededRandom(9);
    const m = trained(5, 42);
    const b = burst(START + 42 * DAY + 12 * HOUR, 200, 10 * 60_000);
    b.forEach((e, i) => m.update({ ...e, tool: `tool-${i % 40}`, action: `act-${Math.floor(rand() * 60)}`, outcome: i % 7 ? 'allowed' : 'error' }));
    const json = JSON.stringify(m.toJSON());
    expect(Buffer.byteLength(json)).toBeLessThan(2048);

    const restored = AgentBehaviorModel.fromJSON(JSON.parse(json));
    const next = [...normalDays(6, 3, START + 43 * DAY), { ...usual, t: START + 47 * DAY + 2 * HOUR, tool: 'new-thing' }];
    for (const e of next) {
      expect(restored.update(e)).toBe(m.update(e));
      expect(restored.explain()).toEqual(m.explain());
    }
    expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(m.toJSON()));
  });
});

describe('a new agent started from its peers', () => {
  const peers = [11, 12, 13, 14, 15].map((seed) => trained(seed));
  const prior = buildPeerPrior(peers)!;

  it('raises no flood of alerts when it behaves like its peers', () => {
    const m = new AgentBehaviorModel({ prior });
    const scores = normalDays(21, 5, START + 20 * DAY).map((e) => m.update(e));
    expect(scores.filter((s) => s > 0.9).length).toBe(0);
    expect(scores.filter((s) => s > 0.5).length / scores.length).toBeLessThan(0.05);
  });

  it('still flags a new agent that bursts, before the 50th record', () => {
    const m = new AgentBehaviorModel({ prior });
    normalDays(22, 1, START + 20 * DAY).forEach((e) => m.update(e));
    const scores = burst(START + 21 * DAY + 10 * HOUR, 500, 10 * 60_000).map((e) => m.update(e));
    const first = scores.findIndex((s) => s > 0.9);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(49);
  });

  it('is not built from peers that are still warming up', () => {
    expect(buildPeerPrior([new AgentBehaviorModel()])).toBeUndefined();
  });
});
