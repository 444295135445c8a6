/**
 * GENERATED from review.decision.v1/review-decision.schema.json by scripts/generate-contract-types.ts. Do not edit by hand:
 * change the schema and run `node -r @swc-node/register scripts/generate-contract-types.ts`.
 */

/**
 * A reviewer's decision on an access review. Keyed by agentId.
 */
export interface ReviewDecisionEvent {
  /**
   * The review decided.
   */
  reviewId: string;
  /**
   * The agent reviewed.
   */
  agentId: string;
  /**
   * certify: keep (minus removeScopes); revoke: deprovision the agent; suspend: suspend it.
   */
  decision: 'certify' | 'revoke' | 'suspend';
  /**
   * Scopes to remove from the agent.
   *
   * @maxItems 256
   */
  removeScopes: string[];
  /**
   * Who decided (user id, or "system" for an automatic decision on an overdue review).
   */
  decidedBy: string;
  /**
   * Why.
   */
  reason?: string;
  /**
   * When the next scheduled review is due.
   */
  nextReviewAt?: string;
  /**
   * When the decision was made.
   */
  occurredAt: string;
}
