import { RISK_TIERS, RiskTier } from '@agentgov/contracts';

/** The ReviewPolicy read from REVIEW_POLICY at boot (provided by ReviewsModule). */
export const REVIEW_POLICY = Symbol('REVIEW_POLICY');

/** What happens to a review nobody decided: first the owner's manager is asked, then the agent is suspended. */
export type OverdueAction = 'escalate' | 'suspend';

export interface ReviewPolicy {
  /** Days between certifications, per risk tier. */
  cadenceDays: Record<RiskTier, number>;
  /** A review is due this many days after it opens. */
  dueDays: number;
  /** The reviewer is reminded this many days before the due date. */
  reminderDays: number;
  /** After the due date: this long until the review escalates to the owner's manager. */
  escalateAfterDays: number;
  /** After the due date: this long until the agent is suspended (when `overdueAction` is suspend). */
  suspendAfterDays: number;
  overdueAction: OverdueAction;
  /** An active agent not seen for this many days is put up for review. */
  staleAfterDays: number;
  /** A scope not used for this many days is proposed for removal in the agent's next review. */
  unusedScopeDays: number;
  /** Credentials older than this are flagged for rotation. */
  credentialMaxAgeDays: number;
  /**
   * Separation of duties: who reviews a high or critical agent whose owner has no known manager (the token
   * subject of a person with the reviewer role). Null: those reviews go to the admins' queue (see
   * reviewer-assignment.ts).
   */
  highRiskReviewer: string | null;
}

export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  cadenceDays: { low: 365, medium: 180, high: 90, critical: 30 },
  dueDays: 14,
  reminderDays: 3,
  escalateAfterDays: 3,
  suspendAfterDays: 7,
  overdueAction: 'suspend',
  staleAfterDays: 30,
  unusedScopeDays: 30,
  credentialMaxAgeDays: 90,
  highRiskReviewer: null,
};

const DAY_MS = 86_400_000;

export function nextCertification(policy: ReviewPolicy, tier: RiskTier, from: Date): Date {
  return new Date(from.getTime() + policy.cadenceDays[tier] * DAY_MS);
}

export function dueDate(policy: ReviewPolicy, openedAt: Date): Date {
  return new Date(openedAt.getTime() + policy.dueDays * DAY_MS);
}

/** Where an undecided review stands at `now`. */
export function overdueStage(policy: ReviewPolicy, dueAt: Date, now: Date): 'open' | 'remind' | 'overdue' | 'escalate' | 'suspend' {
  const t = now.getTime();
  const due = dueAt.getTime();
  if (t < due - policy.reminderDays * DAY_MS) return 'open';
  if (t < due) return 'remind';
  if (t < due + policy.escalateAfterDays * DAY_MS) return 'overdue';
  if (policy.overdueAction === 'suspend' && t >= due + policy.suspendAfterDays * DAY_MS) return 'suspend';
  return 'escalate';
}

/** Reads REVIEW_POLICY (JSON, any subset of the fields); the message names the field, never echoes the value. */
export function reviewPolicyFrom(json: string): ReviewPolicy {
  let parsed: Partial<ReviewPolicy>;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('REVIEW_POLICY is not valid JSON');
  }
  const policy: ReviewPolicy = { ...DEFAULT_REVIEW_POLICY, ...parsed, cadenceDays: { ...DEFAULT_REVIEW_POLICY.cadenceDays, ...(parsed.cadenceDays ?? {}) } };
  const days = (name: string, value: unknown, min: number) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 3650)
      throw new Error(`REVIEW_POLICY.${name} must be a number of days between ${min} and 3650`);
  };
  for (const tier of RISK_TIERS) days(`cadenceDays.${tier}`, policy.cadenceDays[tier], 1);
  for (const key of Object.keys(policy.cadenceDays))
    if (!RISK_TIERS.includes(key as RiskTier)) throw new Error(`REVIEW_POLICY.cadenceDays.${key} is not a risk tier`);
  days('dueDays', policy.dueDays, 1);
  days('reminderDays', policy.reminderDays, 0);
  days('escalateAfterDays', policy.escalateAfterDays, 0);
  days('suspendAfterDays', policy.suspendAfterDays, 0);
  days('staleAfterDays', policy.staleAfterDays, 1);
  days('unusedScopeDays', policy.unusedScopeDays, 1);
  days('credentialMaxAgeDays', policy.credentialMaxAgeDays, 1);
  if (policy.reminderDays >= policy.dueDays) throw new Error('REVIEW_POLICY.reminderDays must be shorter than dueDays');
  if (policy.suspendAfterDays < policy.escalateAfterDays) throw new Error('REVIEW_POLICY.suspendAfterDays must not be shorter than escalateAfterDays');
  if (policy.overdueAction !== 'escalate' && policy.overdueAction !== 'suspend') throw new Error('REVIEW_POLICY.overdueAction must be escalate or suspend');
  // A subject as review.v1 carries one (reviewerId): printable ASCII without spaces.
  if (policy.highRiskReviewer !== null && (typeof policy.highRiskReviewer !== 'string' || !/^[\x21-\x7E]{1,256}$/.test(policy.highRiskReviewer)))
    throw new Error('REVIEW_POLICY.highRiskReviewer must be null or a subject of 1 to 256 printable characters without spaces');
  const known = new Set(Object.keys(DEFAULT_REVIEW_POLICY));
  for (const key of Object.keys(parsed)) if (!known.has(key)) throw new Error(`REVIEW_POLICY.${key} is not a policy field`);
  return policy;
}
