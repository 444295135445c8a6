import { runEvaluation, SUITE, targetsMet, type EvaluationResult } from './evaluate';

/**
 * Regression test: a smaller, fixed-seed version of the evaluation suite (same generator, same kinds and strengths,
 * same episode counting) must still meet the product targets, so that a model change that breaks detection or
 * floods alarms fails CI. The full suite and its report: run-evaluation.ts.
 */
describe('the evaluation suite (small, fixed seed)', () => {
  let r: EvaluationResult;

  beforeAll(() => {
    r = runEvaluation({ ...SUITE, seed: 7, agents: 200, measuredDays: 21, anomaliesPerKind: 20 });
  }, 60_000);

  it('measures enough agent-days and anomalies to mean something', () => {
    expect(r.measuredAgentDays).toBeGreaterThan(4000);
    expect(r.kinds.every((k) => k.injected === 20)).toBe(true);
    expect(r.agents.joined).toBeGreaterThan(0);
    expect(r.benignAdoptions).toBeGreaterThan(0);
  });

  it('detects every kind of anomaly with recall ≥ 0.95', () => {
    expect(Object.fromEntries(r.kinds.map((k) => [k.kind, k.recall >= 0.95 ? 'ok' : `recall ${k.recall}`]))).toEqual(
      Object.fromEntries(r.kinds.map((k) => [k.kind, 'ok'])),
    );
  });

  it('raises under 1 false alarm per 1,000 agent-days, new agents included', () => {
    expect(r.falseAlarms.per1000AgentDays).toBeLessThan(1);
    // A new agent starting from its peers is not a flood of alerts either (at most one here).
    expect(r.falseAlarms.newAgentsFirst7Days.alarms).toBeLessThanOrEqual(1);
  });

  it('flags the "15 a day, then 500 in ten minutes" agent before the 50th record of the burst', () => {
    expect(r.crmRecordsBurst.injected).toBeGreaterThan(0);
    expect(r.crmRecordsBurst.detected).toBe(r.crmRecordsBurst.injected);
    expect(r.crmRecordsBurst.maxRecordsToDetect).toBeLessThan(50);
  });

  it('keeps every agent state under 2 KB', () => {
    expect(r.stateBytes.max).toBeLessThan(2048);
    expect(targetsMet(r)).toEqual({ ok: true, failures: [] });
  });
});
