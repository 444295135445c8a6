import { TopicPayloads } from '@agentgov/contracts';

export type ReviewReason = TopicPayloads['review.v1']['reason'];
export type ReviewState = TopicPayloads['review.v1']['state'];
export type Decision = TopicPayloads['review.decision.v1']['decision'];

export interface Review {
  id: string;
  agentId: string;
  ownerId: string;
  reviewerId: string;
  reason: ReviewReason;
  state: ReviewState;
  openedAt: Date;
  dueAt: Date;
  proposedScopeRemovals: string[];
  decision?: Decision;
  decidedBy?: string;
  closedAt?: Date;
  campaignId?: string;
}

export interface ReviewRow {
  id: string;
  agent_id: string;
  owner_id: string;
  reviewer_id: string;
  reason: ReviewReason;
  state: ReviewState;
  opened_at: Date;
  due_at: Date;
  proposed_scope_removals: string[];
  decision: Decision | null;
  decided_by: string | null;
  closed_at: Date | null;
  campaign_id: string | null;
}

export function reviewOf(r: ReviewRow): Review {
  return {
    id: r.id,
    agentId: r.agent_id,
    ownerId: r.owner_id,
    reviewerId: r.reviewer_id,
    reason: r.reason,
    state: r.state,
    openedAt: new Date(r.opened_at),
    dueAt: new Date(r.due_at),
    proposedScopeRemovals: r.proposed_scope_removals,
    ...(r.decision ? { decision: r.decision } : {}),
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.closed_at ? { closedAt: new Date(r.closed_at) } : {}),
    ...(r.campaign_id ? { campaignId: r.campaign_id } : {}),
  };
}

/** Who asks: a reviewer sees and decides only the reviews whose reviewer they are; an admin sees and decides all. */
export interface Requester {
  subject: string;
  admin: boolean;
}
