import { RiskTier } from '@agentgov/contracts';

import type { KnownOwner } from '../registry/registry.repository';

/**
 * Who reviews an agent, and who may decide its review: the one rule the scheduler applies when it opens a review,
 * escalates one, moves one whose agent changed, and when a decision arrives at the API.
 *
 * Separation of duties: an owner alone certifying their own high or critical agent is no control, so those reviews
 * go to the owner's manager, or the policy's `highRiskReviewer` when no manager is known, or else to the admins'
 * queue; and the owner's own decision on them is refused whatever their roles. Low and medium agents are reviewed
 * by their owner (their manager once the owner is gone).
 */

/** Risk tiers whose agents their owner may not certify or revoke. */
const SEPARATED_TIERS: ReadonlySet<RiskTier> = new Set<RiskTier>(['high', 'critical']);

/**
 * The reviewer of a high or critical review when nobody but the owner is known to take it (no manager, no
 * designated reviewer): the admins' queue. No token subject is expected to be this; admins see every review, this
 * queue with `GET /reviews?reviewerId=role:admin`, and any admin other than the owner decides.
 */
export const ADMIN_REVIEW_QUEUE = 'role:admin';

/** The agent as far as the rule needs it; no tier is an agent the registry does not know, treated as high. */
export interface ReviewedAgent {
  ownerId: string;
  riskTier: RiskTier | undefined;
}

export interface ReviewerFacts {
  agent: ReviewedAgent;
  /** Undefined: identity.lifecycle.v1 never described the owner (active, no manager known). */
  owner?: KnownOwner;
  /** REVIEW_POLICY.highRiskReviewer. */
  highRiskReviewer: string | null;
}

/** Whether the agent's owner may decide its review on their own: low and medium only. */
export function ownerMayDecide(riskTier: RiskTier | undefined): boolean {
  return riskTier !== undefined && !SEPARATED_TIERS.has(riskTier);
}

/** Whether `subject` may certify or revoke a review of the agent: anyone but the owner of a high or critical one. */
export function mayDecide(subject: string, agent: ReviewedAgent): boolean {
  return subject !== agent.ownerId || ownerMayDecide(agent.riskTier);
}

/** The owner's manager, unless unknown or (bad data) the owner themselves. */
function managerOf({ agent, owner }: ReviewerFacts): string | undefined {
  return owner?.managerId && owner.managerId !== agent.ownerId ? owner.managerId : undefined;
}

/**
 * Who a new review goes to. Low and medium: the owner while active, else the owner's manager when known (else
 * still the owner). High and critical: the owner's manager when known, else the designated reviewer (unless that
 * is the owner), else the admins' queue; never the owner.
 */
export function reviewerFor(facts: ReviewerFacts): string {
  const manager = managerOf(facts);
  if (ownerMayDecide(facts.agent.riskTier)) return facts.owner?.active === false && manager ? manager : facts.agent.ownerId;
  if (manager) return manager;
  if (facts.highRiskReviewer && facts.highRiskReviewer !== facts.agent.ownerId) return facts.highRiskReviewer;
  return ADMIN_REVIEW_QUEUE;
}

/**
 * Who an overdue review escalates to: the owner's manager when known; otherwise it stays with its reviewer,
 * unless that reviewer may not decide it (a high or critical review still with its owner: assigned before the
 * agent's tier rose, or before this rule), which goes where a new review would.
 */
export function escalationReviewer(facts: ReviewerFacts, current: string): string {
  return managerOf(facts) ?? (mayDecide(current, facts.agent) ? current : reviewerFor(facts));
}
