import { burst, DAY, HOUR, normalDays, START } from '../test/support/agent-scenario';
import { AgentBehaviorModel } from './agent-behavior-model';

describe('an agent touching ~15 records a day, then 500 in ten minutes', () => {
  it.each([1, 2, 3, 4, 5])('is flagged well before the 50th record of the burst, and its normal days are quiet (seed %i)', (seed) => {
    const model = new AgentBehaviorModel();
    const normal = normalDays(seed, 14);
    const normalScores = normal.map((e) => model.update(e));

    const judged = normalScores.slice(30); // past warm-up
    expect(judged.filter((s) => s > 0.9).length / judged.length).toBeLessThan(0.02);

    const burstScores = burst(START + 14 * DAY + 11 * HOUR, 500, 10 * 60_000).map((e) => ({ score: model.update(e), explained: model.explain() }));
    const firstFlag = burstScores.findIndex((a) => a.score > 0.9);
    expect(firstFlag).toBeGreaterThanOrEqual(0);
    expect(firstFlag).toBeLessThan(49);
    const top = burstScores[firstFlag].explained.features[0];
    expect(['action-rate', 'records-touched']).toContain(top.name);
    expect(top.observed).toBeGreaterThan(top.expected as number);
    // The burst keeps scoring high while it lasts rather than being learnt as the new normal.
    expect(burstScores.slice(firstFlag, 200).every((a) => a.score > 0.9)).toBe(true);
  });

  it("explains the burst in records per 10 minutes against the agent's usual day, not in transformed units", () => {
    const model = new AgentBehaviorModel();
    const normal = normalDays(3, 14);
    normal.forEach((e) => model.update(e));
    const recordsPerDay = normal.reduce((n, e) => n + e.recordsTouched, 0) / 14;
    // All 500 records in ten minutes: the explanation at the last one.
    burst(START + 14 * DAY + 11 * HOUR, 500, 10 * 60_000).forEach((e) => model.update(e));
    const { features, summary } = model.explain();
    const records = features.find((f) => f.name === 'records-touched')!;
    expect(records.observed).toBe(500);
    expect(records.unit).toBe('records in 10 min');
    expect(records.usualPerDay).toBeGreaterThan(recordsPerDay * 0.6);
    expect(records.usualPerDay).toBeLessThan(recordsPerDay * 1.4);
    expect(records.usualHigh).toBeLessThan(20);
    expect(summary).toMatch(/^500 (records touched|actions) in 10 min; usually about [\d.]+ a day, up to [\d.]+ in 10 min at this time/);
  });
});
