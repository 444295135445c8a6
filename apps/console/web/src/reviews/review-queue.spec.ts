import { decisionExplanation, dueWords, groupByUrgency, outcomeWords, queuePath, reasonWords, reviewsInView } from './review-queue';
import { Review } from './review-types';

const DAY = 86_400_000;
const now = Date.parse('2026-03-10T12:00:00.000Z');

function review(id: string, reviewerId: string, dueInDays: number, extra: Partial<Review> = {}): Review {
  return {
    id,
    agentId: `agent-${id}`,
    ownerId: 'ann',
    reviewerId,
    reason: 'scheduled',
    state: 'open',
    openedAt: new Date(now - 10 * DAY).toISOString(),
    dueAt: new Date(now + dueInDays * DAY).toISOString(),
    proposedScopeRemovals: [],
    ...extra,
  };
}

describe('a reviewer’s queue', () => {
  it('asks for the signed-in person’s own reviews, the admins’ queue or everyone’s', () => {
    expect(queuePath('mine', 'rita', false)).toBe('/reviews?reviewerId=rita');
    expect(queuePath('admins', 'alice', false)).toBe('/reviews?reviewerId=role%3Aadmin');
    expect(queuePath('everyone', 'alice', true)).toBe('/reviews?state=closed');
  });

  it('shows only the view’s reviews, soonest due first, decided ones latest first', () => {
    const reviews = [review('a', 'rita', 20), review('b', 'sam', 1), review('c', 'rita', -2), review('d', 'role:admin', 3)];
    expect(reviewsInView(reviews, 'mine', 'rita', false).map((r) => r.id)).toEqual(['c', 'a']);
    expect(reviewsInView(reviews, 'admins', 'alice', false).map((r) => r.id)).toEqual(['d']);
    expect(reviewsInView(reviews, 'everyone', 'alice', false).map((r) => r.id)).toEqual(['c', 'b', 'd', 'a']);
    const closed = [
      review('e', 'rita', 0, { state: 'closed', closedAt: '2026-03-01T00:00:00.000Z' }),
      review('f', 'rita', 0, { state: 'closed', closedAt: '2026-03-05T00:00:00.000Z' }),
    ];
    expect(reviewsInView(closed, 'mine', 'rita', true).map((r) => r.id)).toEqual(['f', 'e']);
  });

  it('groups open reviews by how pressing they are', () => {
    const reviews = [
      review('late', 'rita', -1),
      review('escalated', 'rita', 30, { state: 'escalated' }),
      review('soon', 'rita', 6),
      review('later', 'rita', 8),
    ];
    expect(groupByUrgency(reviews, now).map((g) => [g.urgency, g.reviews.map((r) => r.id)])).toEqual([
      ['overdue', ['late', 'escalated']],
      ['this-week', ['soon']],
      ['later', ['later']],
    ]);
    expect(groupByUrgency([review('soon', 'rita', 2)], now).map((g) => g.urgency)).toEqual(['this-week']);
  });

  it('says why a review is open, when it is due, how it ended and what a decision will do', () => {
    expect(reasonWords('incident-released')).toBe('It was released after a containment');
    expect(dueWords(review('x', 'rita', 12), now)).toBe('due in 12 days');
    expect(dueWords(review('x', 'rita', -3), now)).toBe('due 3 days ago');
    expect(outcomeWords({ decision: 'suspend', decidedBy: 'system:overdue-review' })).toBe('Nobody decided in time: the agent was suspended');
    expect(outcomeWords({ decision: 'certify', decidedBy: 'rita' })).toBe('Certified by rita');
    expect(decisionExplanation('certify', ['crm.write'])).toBe('Certifying keeps the agent, without the scope crm.write; its next certification is scheduled.');
    expect(decisionExplanation('revoke', [])).toMatch(/^Revoking deprovisions the agent and every sub-agent/);
  });
});
