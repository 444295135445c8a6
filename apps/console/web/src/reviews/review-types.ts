/** A review as the review-scheduler shows it (GET /reviews, POST /reviews/{id}/decision). */
export interface Review {
  id: string;
  agentId: string;
  ownerId: string;
  /** A person's subject, or `role:admin` for the admins' queue. */
  reviewerId: string;
  reason: ReviewReason;
  state: ReviewState;
  openedAt: string;
  dueAt: string;
  proposedScopeRemovals: string[];
  decision?: 'certify' | 'revoke' | 'suspend';
  decidedBy?: string;
  closedAt?: string;
  campaignId?: string;
}

export type ReviewReason = 'scheduled' | 'owner-transferred' | 'agent-reassigned' | 'scopes-widened' | 'incident-released' | 'stale' | 'expiry';
export type ReviewState = 'open' | 'reminded' | 'overdue' | 'escalated' | 'closed';

/** A campaign's progress (GET /campaigns/{id}). */
export interface CampaignProgress {
  id: string;
  name: string;
  filter: { ownerId?: string; riskTier?: string; platform?: string };
  createdBy: string;
  createdAt: string;
  dueAt: string;
  total: number;
  decided: number;
  certified: number;
  revoked: number;
  suspended: number;
  closedWithoutDecision: number;
  open: number;
  overdue: number;
  /** Share of the campaign's reviews that are closed, 0..1. */
  progress: number;
}

/** The reviewer of high and critical reviews nobody else can take (reviewer-assignment.ts): not a person. */
export const ADMIN_REVIEW_QUEUE = 'role:admin';
