import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';
import { DomainError } from '@agentgov/service-runtime';

import { ReviewClock } from '../clock/review-clock';
import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { ReviewRegistry } from '../registry/review-registry';
import { dueDate, ReviewPolicy } from '../reviews/review-policy';
import { REVIEW_POLICY, Reviews } from '../reviews/reviews';

const S = `"${REVIEW_SCHEDULER_SCHEMA}"`;
/** One request opens at most this many reviews: a campaign larger than that is several campaigns. */
export const MAX_CAMPAIGN_AGENTS = 5000;

export interface CampaignFilter {
  ownerId?: string;
  riskTier?: RiskTier;
  platform?: string;
}

export interface CampaignProgress {
  id: string;
  name: string;
  filter: CampaignFilter;
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

/**
 * Certify many agents at once (by owner, tier or platform): a campaign opens one review per matching live agent
 * (an agent whose review is already open has it joined to the campaign), and reports its progress.
 */
@Injectable()
export class Campaigns {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ReviewRegistry,
    private readonly reviews: Reviews,
    private readonly clock: ReviewClock,
    @Inject(REVIEW_POLICY) private readonly policy: ReviewPolicy,
  ) {}

  async start(name: string, filter: CampaignFilter, createdBy: string): Promise<CampaignProgress> {
    const now = this.clock.now();
    const id = randomUUID();
    const due = dueDate(this.policy, now);
    await this.dataSource.transaction(async (tx) => {
      const params: unknown[] = [];
      const where = [`"status" <> 'deprovisioned'`];
      if (filter.ownerId) where.push(`"owner_id" = $${params.push(filter.ownerId)}`);
      if (filter.riskTier) where.push(`"risk_tier" = $${params.push(filter.riskTier)}`);
      if (filter.platform) where.push(`"platform" = $${params.push(filter.platform)}`);
      const ids: { agent_id: string }[] = await tx.query(`SELECT "agent_id" FROM ${S}."agents" WHERE ${where.join(' AND ')} ORDER BY "agent_id" LIMIT ${MAX_CAMPAIGN_AGENTS + 1}`, params);
      if (ids.length === 0) throw new DomainError({ code: 'NO_MATCHING_AGENTS', status: 422, title: 'No live agent matches the campaign', detail: JSON.stringify(filter) });
      if (ids.length > MAX_CAMPAIGN_AGENTS) {
        throw new DomainError({ code: 'CAMPAIGN_TOO_LARGE', status: 422, title: 'Too many agents for one campaign', detail: `more than ${MAX_CAMPAIGN_AGENTS} agents match; narrow the filter` });
      }
      await tx.query(`INSERT INTO ${S}."campaigns" ("id", "name", "filter", "created_by", "created_at", "due_at") VALUES ($1, $2, $3, $4, $5, $6)`, [id, name, filter, createdBy, now, due]);
      for (const { agent_id } of ids) {
        const agent = await this.registry.findAgent(tx, agent_id);
        if (agent) await this.reviews.open(tx, agent, 'scheduled', now, { id, dueAt: due });
      }
      await tx.query(`UPDATE ${S}."reviews" SET "campaign_id" = $1 WHERE "agent_id" = ANY($2) AND "state" <> 'closed' AND "campaign_id" IS NULL`, [id, ids.map((r) => r.agent_id)]);
    });
    return this.progress(id);
  }

  async progress(id: string): Promise<CampaignProgress> {
    const [campaign] = await this.dataSource.query(`SELECT * FROM ${S}."campaigns" WHERE "id" = $1`, [id]);
    if (!campaign) throw new DomainError({ code: 'CAMPAIGN_NOT_FOUND', status: 404, title: 'Campaign not found', detail: `no campaign ${id}` });
    const [c] = await this.dataSource.query(
      `SELECT count(*)::int AS total,
         count(*) FILTER (WHERE "decision" IS NOT NULL)::int AS decided,
         count(*) FILTER (WHERE "decision" = 'certify')::int AS certified,
         count(*) FILTER (WHERE "decision" = 'revoke')::int AS revoked,
         count(*) FILTER (WHERE "decision" = 'suspend')::int AS suspended,
         count(*) FILTER (WHERE "state" = 'closed' AND "decision" IS NULL)::int AS closed_without_decision,
         count(*) FILTER (WHERE "state" <> 'closed')::int AS open,
         count(*) FILTER (WHERE "state" IN ('overdue', 'escalated'))::int AS overdue
       FROM ${S}."reviews" WHERE "campaign_id" = $1`,
      [id],
    );
    return {
      id,
      name: campaign.name,
      filter: campaign.filter,
      createdBy: campaign.created_by,
      createdAt: new Date(campaign.created_at).toISOString(),
      dueAt: new Date(campaign.due_at).toISOString(),
      total: c.total,
      decided: c.decided,
      certified: c.certified,
      revoked: c.revoked,
      suspended: c.suspended,
      closedWithoutDecision: c.closed_without_decision,
      open: c.open,
      overdue: c.overdue,
      progress: c.total === 0 ? 1 : (c.total - c.open) / c.total,
    };
  }
}
