import { DEFAULT_REVIEW_POLICY, dueDate, nextCertification, overdueStage, reviewPolicyFrom } from './review-policy';

const DAY = 86_400_000;

describe('the review policy', () => {
  const policy = DEFAULT_REVIEW_POLICY;
  const opened = new Date('2026-11-01T00:00:00Z');
  const due = dueDate(policy, opened);

  it('schedules certifications by risk tier', () => {
    expect(nextCertification(policy, 'critical', opened).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(nextCertification(policy, 'low', opened).getTime() - opened.getTime()).toBe(365 * DAY);
    expect(due.toISOString()).toBe('2026-11-15T00:00:00.000Z');
  });

  it('reminds before the due date, then is overdue, escalates and finally suspends', () => {
    const at = (days: number) => overdueStage(policy, due, new Date(due.getTime() + days * DAY));
    expect(at(-4)).toBe('open');
    expect(at(-3)).toBe('remind');
    expect(at(0)).toBe('overdue');
    expect(at(3)).toBe('escalate');
    expect(at(6.9)).toBe('escalate');
    expect(at(7)).toBe('suspend');
    expect(overdueStage({ ...policy, overdueAction: 'escalate' }, due, new Date(due.getTime() + 30 * DAY))).toBe('escalate');
  });

  it('reads a partial policy from JSON and names what is wrong', () => {
    expect(reviewPolicyFrom('{"cadenceDays":{"critical":14},"dueDays":7,"reminderDays":2}')).toMatchObject({
      cadenceDays: { critical: 14, low: 365 },
      dueDays: 7,
    });
    expect(() => reviewPolicyFrom('{')).toThrow('REVIEW_POLICY is not valid JSON');
    expect(() => reviewPolicyFrom('{"cadenceDays":{"extreme":3}}')).toThrow('REVIEW_POLICY.cadenceDays.extreme is not a risk tier');
    expect(() => reviewPolicyFrom('{"dueDays":0}')).toThrow('REVIEW_POLICY.dueDays must be a number of days between 1 and 3650');
    expect(() => reviewPolicyFrom('{"reminderDays":20}')).toThrow('shorter than dueDays');
    expect(() => reviewPolicyFrom('{"overdueAction":"delete"}')).toThrow('escalate or suspend');
    expect(() => reviewPolicyFrom('{"graceDays":3}')).toThrow('REVIEW_POLICY.graceDays is not a policy field');
  });

  it('names a designated reviewer of high-risk agents, or none (the default); never anything that is not a subject', () => {
    expect(reviewPolicyFrom('{}').highRiskReviewer).toBeNull();
    expect(reviewPolicyFrom('{"highRiskReviewer":"security-reviewer"}').highRiskReviewer).toBe('security-reviewer');
    expect(reviewPolicyFrom('{"highRiskReviewer":null}').highRiskReviewer).toBeNull();
    for (const bad of ['""', '"two words"', '3', '["a"]', JSON.stringify('x'.repeat(257))])
      expect(() => reviewPolicyFrom(`{"highRiskReviewer":${bad}}`)).toThrow(
        'REVIEW_POLICY.highRiskReviewer must be null or a subject of 1 to 256 printable characters without spaces',
      );
  });
});
