import type { CommandSpec } from '../command';
import { table, when } from '../output/text';

const STATES = ['open', 'reminded', 'overdue', 'escalated', 'closed'] as const;

interface ReviewView {
  id: string;
  agentId: string;
  ownerId: string;
  reviewerId: string;
  reason: string;
  state: string;
  openedAt: string;
  dueAt: string;
  proposedScopeRemovals: string[];
  decision?: string;
  decidedBy?: string;
  closedAt?: string;
  campaignId?: string;
}

const list: CommandSpec = {
  name: ['reviews', 'list'],
  summary: "access reviews, soonest due first: a reviewer's own queue, or (for an admin) everyone's",
  description: 'Without --state, every review not yet closed. A reviewer always sees their own queue; --reviewer is for admins.',
  options: {
    state: { kind: 'value', value: 'STATE', description: `only reviews in this state (${STATES.join(', ')})` },
    reviewer: { kind: 'value', value: 'SUBJECT', description: "an admin's view of one reviewer's queue" },
  },
  async run({ api }, args) {
    const page = await api.call<{ items: ReviewView[] }>('review-scheduler', '/reviews', {
      query: { state: args.choice('state', STATES), reviewerId: args.value('reviewer') },
    });
    const rows = page.items.map((r) => [
      r.id,
      r.state,
      when(r.dueAt),
      r.agentId,
      r.ownerId,
      r.reviewerId,
      r.reason,
      r.proposedScopeRemovals.join(' ') || undefined,
      r.decision,
    ]);
    return {
      data: page,
      text: rows.length ? table(['ID', 'STATE', 'DUE', 'AGENT', 'OWNER', 'REVIEWER', 'WHY', 'PROPOSED REMOVALS', 'DECISION'], rows) : 'no reviews',
    };
  },
};

function decide(decision: 'certify' | 'revoke', summary: string): CommandSpec {
  return {
    name: ['reviews', decision],
    summary,
    description: 'Separation of duties: a high or critical agent’s owner never certifies it alone; the API refuses that decision and says who may take it.',
    positionals: [{ name: 'id', description: 'the review id' }],
    options: {
      reason: { kind: 'value', value: 'TEXT', description: 'why (recorded in the audit trail)' },
      ...(decision === 'certify'
        ? { 'remove-scope': { kind: 'list' as const, value: 'SCOPE', description: 'a scope to take away from the agent while certifying the rest' } }
        : {}),
    },
    examples:
      decision === 'certify'
        ? ['agentgov reviews certify 3b1a... --remove-scope crm.write --reason "read access is all it needs"']
        : ['agentgov reviews revoke 3b1a... --reason "the project ended"'],
    async run({ api }, args) {
      const id = args.requiredPositional('id');
      const removeScopes = args.list('remove-scope');
      const reason = args.value('reason');
      const review = await api.call<ReviewView>('review-scheduler', `/reviews/${encodeURIComponent(id)}/decision`, {
        method: 'POST',
        body: { decision, ...(removeScopes.length ? { removeScopes } : {}), ...(reason ? { reason } : {}) },
      });
      const effect =
        decision === 'certify'
          ? `certified${removeScopes.length ? `, removing ${removeScopes.join(' ')}` : ''}`
          : 'revoked: the provisioner deprovisions the agent';
      return { data: review, text: `review ${id} of agent ${review.agentId} ${effect}` };
    },
  };
}

export const REVIEW_COMMANDS: readonly CommandSpec[] = [
  list,
  decide('certify', "certify an agent's access (optionally removing scopes); the next review is scheduled"),
  decide('revoke', "revoke an agent's access: it is deprovisioned"),
];
