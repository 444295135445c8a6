/**
 * GENERATED from review.v1/review.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * An access review of an agent, at each change of its state. Keyed by agentId.
 */
export interface ReviewEvent {
  /**
   * The review's id.
   */
  reviewId: string;
  /**
   * The agent under review.
   */
  agentId: string;
  /**
   * The agent's owner.
   */
  ownerId: string;
  /**
   * Who must decide: the owner (low and medium agents), or the owner's manager when the owner is gone; for high and critical agents never the owner: their manager, the policy's highRiskReviewer, or role:admin (the admins' queue).
   */
  reviewerId: string;
  /**
   * Why the review was opened.
   */
  reason:
    | 'scheduled'
    | 'owner-transferred'
    | 'agent-reassigned'
    | 'scopes-widened'
    | 'incident-released'
    | 'stale'
    | 'expiry';
  /**
   * Review state.
   */
  state: 'open' | 'reminded' | 'escalated' | 'overdue' | 'closed';
  /**
   * When a decision is due.
   */
  dueAt: string;
  /**
   * Scopes unused in the lookback window, proposed for removal.
   *
   * @maxItems 256
   */
  proposedScopeRemovals: string[];
  /**
   * When the state changed.
   */
  occurredAt: string;
}
