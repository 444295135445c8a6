import { daysFromNow } from '../common/time-words';
import { ADMIN_REVIEW_QUEUE, Review, ReviewReason } from './review-types';

/** Whose reviews the page lists: the signed-in person's own; an admin may also look at the admins' queue or everyone's. */
export type QueueView = 'mine' | 'admins' | 'everyone';

/**
 * The review-scheduler's list for a view (GET /reviews): a reviewer always gets their own queue whatever they ask; an
 * admin gets everyone's unless they name a reviewer, so "mine" names them.
 */
export function queuePath(view: QueueView, me: string, decided: boolean): string {
  const search = new URLSearchParams();
  if (view === 'mine') search.set('reviewerId', me);
  if (view === 'admins') search.set('reviewerId', ADMIN_REVIEW_QUEUE);
  if (decided) search.set('state', 'closed');
  const query = search.toString();
  return `/reviews${query ? `?${query}` : ''}`;
}

/** The reviews a view shows, soonest due first (decided ones: latest decided first). */
export function reviewsInView(reviews: readonly Review[], view: QueueView, me: string, decided: boolean): Review[] {
  const shown = reviews.filter((r) => (view === 'mine' ? r.reviewerId === me : view === 'admins' ? r.reviewerId === ADMIN_REVIEW_QUEUE : true));
  return decided
    ? shown.sort((a, b) => Date.parse(b.closedAt ?? b.dueAt) - Date.parse(a.closedAt ?? a.dueAt))
    : shown.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
}

export type Urgency = 'overdue' | 'this-week' | 'later';

/** How pressing an open review is: past due (or escalated), due within a week, or later. */
export function urgencyOf(review: Pick<Review, 'state' | 'dueAt'>, now: number): Urgency {
  if (review.state === 'overdue' || review.state === 'escalated' || Date.parse(review.dueAt) <= now) return 'overdue';
  return Date.parse(review.dueAt) - now <= 7 * 86_400_000 ? 'this-week' : 'later';
}

export const URGENCY_WORDS: Record<Urgency, string> = { overdue: 'Past due', 'this-week': 'Due this week', later: 'Due later' };

/** Open reviews by urgency, keeping their order; empty groups left out. */
export function groupByUrgency(reviews: readonly Review[], now: number): Array<{ urgency: Urgency; reviews: Review[] }> {
  return (['overdue', 'this-week', 'later'] as const)
    .map((urgency) => ({ urgency, reviews: reviews.filter((r) => urgencyOf(r, now) === urgency) }))
    .filter((group) => group.reviews.length > 0);
}

const REASONS: Record<ReviewReason, string> = {
  scheduled: 'Its regular certification is due',
  'owner-transferred': 'Its owner moved to another manager or team',
  'agent-reassigned': 'It was handed to another owner',
  'scopes-widened': 'It was given wider scopes',
  'incident-released': 'It was released after a containment',
  stale: 'It has not been seen acting for a long time',
  expiry: 'It is about to expire',
};

/** Why the review was opened, in plain words. */
export function reasonWords(reason: string): string {
  return REASONS[reason as ReviewReason] ?? reason;
}

/** When it is due, against now: "due in 12 days", "due 3 days ago". */
export function dueWords(review: Pick<Review, 'dueAt'>, now: number): string {
  return `due ${daysFromNow(review.dueAt, now)}`;
}

/** How a closed review ended. */
export function outcomeWords(review: Pick<Review, 'decision' | 'decidedBy'>): string {
  switch (review.decision) {
    case 'certify':
      return `Certified by ${review.decidedBy ?? 'a reviewer'}`;
    case 'revoke':
      return `Revoked by ${review.decidedBy ?? 'a reviewer'}`;
    case 'suspend':
      return review.decidedBy === 'system:overdue-review'
        ? 'Nobody decided in time: the agent was suspended'
        : `Suspended by ${review.decidedBy ?? 'a reviewer'}`;
    default:
      return 'Closed without a decision (the agent was deprovisioned meanwhile)';
  }
}

/** What a decision will do, said before it is taken. */
export function decisionExplanation(decision: 'certify' | 'revoke', removeScopes: readonly string[]): string {
  if (decision === 'revoke') return 'Revoking deprovisions the agent and every sub-agent: their access ends everywhere. This cannot be undone from here.';
  return removeScopes.length
    ? `Certifying keeps the agent, without ${removeScopes.length === 1 ? 'the scope' : 'the scopes'} ${removeScopes.join(', ')}; its next certification is scheduled.`
    : 'Certifying keeps the agent as it is; its next certification is scheduled.';
}

/** The review-scheduler's refusals of a decision, in the reviewer's terms. */
export const DECISION_REFUSALS = {
  forbidden: 'Reviews are decided by reviewers and admins.',
  codes: {
    SEPARATION_OF_DUTIES:
      'You own this agent, and it is high or critical risk: its owner may not certify or revoke it (separation of duties). The owner’s manager, the designated high-risk reviewer or an admin decides it.',
    REVIEW_NOT_FOUND: 'This review is not in your queue any more: it may have been handed to someone else (escalated to a manager, for instance).',
    REVIEW_CLOSED: 'This review was already decided or closed, perhaps by someone else meanwhile.',
    UNKNOWN_SCOPES: (detail: string) => `The agent no longer holds ${detail}: its scopes changed since the page was loaded. They are shown as they stand now.`,
  },
};
