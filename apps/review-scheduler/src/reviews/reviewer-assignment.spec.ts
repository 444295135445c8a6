import { RISK_TIERS, RiskTier } from '@agentgov/contracts';

import { ADMIN_REVIEW_QUEUE, escalationReviewer, mayDecide, ownerMayDecide, ReviewerFacts, reviewerFor } from './reviewer-assignment';

const facts = (riskTier: RiskTier | undefined, more: Partial<ReviewerFacts> = {}): ReviewerFacts => ({
  agent: { ownerId: 'olivia', riskTier },
  highRiskReviewer: null,
  ...more,
});

describe('who reviews an agent (separation of duties)', () => {
  it('low and medium: the owner while active (or never described), the owner’s manager once the owner is gone', () => {
    for (const tier of ['low', 'medium'] as const) {
      expect(reviewerFor(facts(tier))).toBe('olivia');
      expect(reviewerFor(facts(tier, { owner: { active: true, managerId: 'max' }, highRiskReviewer: 'sec' }))).toBe('olivia');
      expect(reviewerFor(facts(tier, { owner: { active: false, managerId: 'max' } }))).toBe('max');
      // Gone with no manager known: still the owner, as before.
      expect(reviewerFor(facts(tier, { owner: { active: false } }))).toBe('olivia');
    }
  });

  it('high and critical: the owner’s manager even while the owner is active, else the designated reviewer, else the admins’ queue', () => {
    for (const tier of ['high', 'critical'] as const) {
      expect(reviewerFor(facts(tier, { owner: { active: true, managerId: 'max' }, highRiskReviewer: 'sec' }))).toBe('max');
      expect(reviewerFor(facts(tier, { owner: { active: false, managerId: 'max' } }))).toBe('max');
      expect(reviewerFor(facts(tier, { highRiskReviewer: 'sec' }))).toBe('sec');
      expect(reviewerFor(facts(tier, { owner: { active: true }, highRiskReviewer: 'sec' }))).toBe('sec');
      expect(reviewerFor(facts(tier))).toBe(ADMIN_REVIEW_QUEUE);
    }
  });

  it('never gives a high or critical review to its owner, even when the owner is recorded as their own manager or is the designated reviewer', () => {
    for (const tier of ['high', 'critical', undefined] as const) {
      expect(reviewerFor(facts(tier, { owner: { active: true, managerId: 'olivia' }, highRiskReviewer: 'olivia' }))).toBe(ADMIN_REVIEW_QUEUE);
      expect(reviewerFor(facts(tier, { owner: { active: true, managerId: 'olivia' }, highRiskReviewer: 'sec' }))).toBe('sec');
    }
    for (const tier of RISK_TIERS) {
      for (const owner of [undefined, { active: true }, { active: false }, { active: true, managerId: 'olivia' }, { active: false, managerId: 'max' }])
        for (const highRiskReviewer of [null, 'olivia', 'sec']) {
          const reviewer = reviewerFor(facts(tier, { owner, highRiskReviewer }));
          expect(mayDecide(reviewer, { ownerId: 'olivia', riskTier: tier })).toBe(true);
        }
    }
  });

  it('an owner may decide a low or medium agent’s review, never a high, critical or unknown one; anyone else may', () => {
    expect(RISK_TIERS.filter((tier) => ownerMayDecide(tier))).toEqual(['low', 'medium']);
    expect(ownerMayDecide(undefined)).toBe(false);
    expect(mayDecide('olivia', { ownerId: 'olivia', riskTier: 'medium' })).toBe(true);
    expect(mayDecide('olivia', { ownerId: 'olivia', riskTier: 'high' })).toBe(false);
    expect(mayDecide('olivia', { ownerId: 'olivia', riskTier: 'critical' })).toBe(false);
    expect(mayDecide('olivia', { ownerId: 'olivia', riskTier: undefined })).toBe(false);
    expect(mayDecide('max', { ownerId: 'olivia', riskTier: 'critical' })).toBe(true);
    expect(mayDecide(ADMIN_REVIEW_QUEUE, { ownerId: 'olivia', riskTier: 'critical' })).toBe(true);
  });

  it('escalates to the owner’s manager when known, else leaves the review with its reviewer, never with the owner of a high or critical agent', () => {
    expect(escalationReviewer(facts('low', { owner: { active: true, managerId: 'max' } }), 'olivia')).toBe('max');
    expect(escalationReviewer(facts('low'), 'olivia')).toBe('olivia');
    expect(escalationReviewer(facts('critical', { owner: { active: true, managerId: 'max' } }), 'sec')).toBe('max');
    expect(escalationReviewer(facts('critical', { highRiskReviewer: 'sec' }), 'sec')).toBe('sec');
    expect(escalationReviewer(facts('critical'), ADMIN_REVIEW_QUEUE)).toBe(ADMIN_REVIEW_QUEUE);
    // A review the owner still holds (assigned before the agent became high): where a new review would go.
    expect(escalationReviewer(facts('high', { highRiskReviewer: 'sec' }), 'olivia')).toBe('sec');
    expect(escalationReviewer(facts('high'), 'olivia')).toBe(ADMIN_REVIEW_QUEUE);
    expect(escalationReviewer(facts('high', { owner: { active: true, managerId: 'olivia' } }), 'olivia')).toBe(ADMIN_REVIEW_QUEUE);
  });
});
