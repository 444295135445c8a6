import { draftOf, policyOfDraft } from './policy-draft';
import { clonePolicy, ContainmentPolicy, diffPolicies, policyProblems, rebaseEdit } from './policy-model';

const v1: ContainmentPolicy = {
  tiers: {
    low: { alert: 0.95, contain: null, deprovision: null },
    medium: { alert: 0.9, contain: 0.99, deprovision: null },
    high: { alert: 0.9, contain: 0.97, deprovision: null },
    critical: { alert: 0.85, contain: 0.95, deprovision: null },
  },
  shadowAgent: 'alert',
  unknownTier: 'high',
  cooldownSeconds: 900,
};

function edit(policy: ContainmentPolicy, change: (p: ContainmentPolicy) => void): ContainmentPolicy {
  const copy = clonePolicy(policy);
  change(copy);
  return copy;
}

describe('the containment policy in the console', () => {
  it('diffs two versions setting by setting, in plain words', () => {
    const v2 = edit(v1, (p) => {
      p.tiers.high.contain = 0.9;
      p.tiers.low.alert = null;
      p.cooldownSeconds = 3600;
      p.releaseNeedsSecondAnalystFrom = 0.99;
    });
    // An absent two-analyst score is containment's default (0.99): setting it to that changes nothing.
    expect(diffPolicies(v1, v2)).toEqual([
      { path: 'tiers.high.contain', label: 'High-risk agents: contain from score', before: '0.97', after: '0.9' },
      { path: 'tiers.low.alert', label: 'Low-risk agents: alert from score', before: '0.95', after: 'never' },
      { path: 'cooldownSeconds', label: 'Cooldown after an incident (seconds)', before: '15 min', after: '1 h' },
    ]);
    expect(diffPolicies(v1, clonePolicy(v1))).toEqual([]);
  });

  it('checks what containment checks: scores between 0 and 1, stronger actions from no lower a score, a bounded cooldown', () => {
    expect(policyProblems(v1)).toEqual([]);
    const bad = edit(v1, (p) => {
      p.tiers.critical.deprovision = 0.9;
      p.tiers.medium.alert = -0.1;
      p.cooldownSeconds = 1.5;
    });
    expect(policyProblems(bad)).toEqual([
      'Critical-risk agents: deprovision must not start below contain (a stronger action needs at least the same score).',
      'Medium-risk agents: alert must be a score between 0 and 1, or never.',
      'The cooldown must be a whole number of seconds from 0 to 604800 (7 days).',
    ]);
  });

  it('reads the form back: empty is never, a decimal comma is a point, anything else is a problem', () => {
    const draft = draftOf(v1);
    expect(draft.tiers.low).toEqual({ alert: '0.95', contain: '', deprovision: '' });
    expect(draft.releaseNeedsSecondAnalystFrom).toBe('0.99');
    expect(policyOfDraft(draft)).toEqual({ policy: { ...v1, releaseNeedsSecondAnalystFrom: 0.99 }, problems: [] });
    draft.tiers.critical.deprovision = '0,99';
    draft.cooldownSeconds = 'soon';
    const read = policyOfDraft(draft);
    expect(read.policy.tiers.critical.deprovision).toBe(0.99);
    expect(read.problems).toEqual(['The cooldown must be a whole number of seconds from 0 to 604800 (7 days).']);
  });

  it('re-applies a stale edit on the newer version, keeping the other admin’s changes and showing where both changed a setting', () => {
    const theirs = edit(v1, (p) => {
      p.tiers.critical.contain = 0.9;
      p.cooldownSeconds = 600;
    });
    const mine = edit(v1, (p) => {
      p.tiers.critical.contain = 0.93;
      p.shadowAgent = 'observe';
    });
    const rebased = rebaseEdit(v1, mine, theirs);
    expect(rebased.policy).toEqual(
      edit(v1, (p) => {
        p.tiers.critical.contain = 0.93;
        p.cooldownSeconds = 600;
        p.shadowAgent = 'observe';
      }),
    );
    expect(rebased.reapplied.map((c) => [c.label, c.before, c.after])).toEqual([
      ['Critical-risk agents: contain from score', '0.9', '0.93'],
      ['Activity of an agent the registry never announced', 'alert', 'observe only'],
    ]);
    expect(rebased.conflicts).toEqual([{ label: 'Critical-risk agents: contain from score', theirs: '0.9', yours: '0.93' }]);
    // The same change made by both is no conflict, and nothing left to re-apply.
    expect(rebaseEdit(v1, theirs, theirs)).toMatchObject({ reapplied: [], conflicts: [] });
  });
});
