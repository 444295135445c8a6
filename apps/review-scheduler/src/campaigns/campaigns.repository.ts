import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';

import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';

const S = `"${REVIEW_SCHEDULER_SCHEMA}"`;

export interface CampaignFilter {
  ownerId?: string;
  riskTier?: RiskTier;
  platform?: string;
}

export interface Campaign {
  id: string;
  name: string;
  filter: CampaignFilter;
  createdBy: string;
  createdAt: Date;
  dueAt: Date;
}

/** How a campaign's reviews stand. */
export interface CampaignCounts {
  total: number;
  decided: number;
  certified: number;
  revoked: number;
  suspended: number;
  closedWithoutDecision: number;
  open: number;
  overdue: number;
}

/** The SQL of campaigns: the campaigns themselves, the agents a filter selects and the reviews a campaign holds. */
@Injectable()
export class CampaignsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Ids of the live (not deprovisioned) agents the filter matches, in id order, at most `limit`. */
  async liveAgentsMatching(tx: EntityManager, filter: CampaignFilter, limit: number): Promise<string[]> {
    const params: unknown[] = [];
    const where = [`"status" <> 'deprovisioned'`];
    if (filter.ownerId) where.push(`"owner_id" = $${params.push(filter.ownerId)}`);
    if (filter.riskTier) where.push(`"risk_tier" = $${params.push(filter.riskTier)}`);
    if (filter.platform) where.push(`"platform" = $${params.push(filter.platform)}`);
    const rows: { agent_id: string }[] = await tx.query(
      `SELECT "agent_id" FROM ${S}."agents" WHERE ${where.join(' AND ')} ORDER BY "agent_id" LIMIT ${Math.trunc(limit)}`,
      params,
    );
    return rows.map((r) => r.agent_id);
  }

  async insert(tx: EntityManager, campaign: Campaign): Promise<void> {
    await tx.query(`INSERT INTO ${S}."campaigns" ("id", "name", "filter", "created_by", "created_at", "due_at") VALUES ($1, $2, $3, $4, $5, $6)`, [
      campaign.id,
      campaign.name,
      campaign.filter,
      campaign.createdBy,
      campaign.createdAt,
      campaign.dueAt,
    ]);
  }

  /** The agents' open reviews not yet in a campaign join this one. */
  async joinOpenReviews(tx: EntityManager, campaignId: string, agentIds: string[]): Promise<void> {
    await tx.query(`UPDATE ${S}."reviews" SET "campaign_id" = $1 WHERE "agent_id" = ANY($2) AND "state" <> 'closed' AND "campaign_id" IS NULL`, [
      campaignId,
      agentIds,
    ]);
  }

  async find(id: string): Promise<Campaign | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM ${S}."campaigns" WHERE "id" = $1`, [id]);
    if (!row) return undefined;
    return { id: row.id, name: row.name, filter: row.filter, createdBy: row.created_by, createdAt: new Date(row.created_at), dueAt: new Date(row.due_at) };
  }

  async counts(id: string): Promise<CampaignCounts> {
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
      total: c.total,
      decided: c.decided,
      certified: c.certified,
      revoked: c.revoked,
      suspended: c.suspended,
      closedWithoutDecision: c.closed_without_decision,
      open: c.open,
      overdue: c.overdue,
    };
  }
}
