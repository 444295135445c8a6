import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';

import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';
import { Decision, Review, reviewOf, ReviewRow } from '../reviews/review-record';

const S = `"${REVIEW_SCHEDULER_SCHEMA}"`;

export interface DecisionsOfDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  decision: Decision;
  count: number;
}

export interface AgentCredentials {
  agentId: string;
  ownerId: string;
  riskTier: RiskTier;
  credentialsRotatedAt: Date;
}

export interface AgentWithoutActiveOwner {
  agentId: string;
  ownerId: string;
  ownerStatus: string;
  status: string;
  riskTier: RiskTier;
}

/** The admins' report queries, read-only. */
@Injectable()
export class ReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Reviews still undecided whose due date is before `now`, oldest first (at most 1,000). */
  async overdue(now: Date): Promise<Review[]> {
    const rows: ReviewRow[] = await this.dataSource.query(
      `SELECT * FROM ${S}."reviews" WHERE "state" <> 'closed' AND "due_at" < $1 ORDER BY "due_at" LIMIT 1000`,
      [now],
    );
    return rows.map(reviewOf);
  }

  /** Decisions per UTC day and kind, closed in [from, to). */
  decisionsPerDay(from: Date, to: Date): Promise<DecisionsOfDay[]> {
    return this.dataSource.query(
      `SELECT to_char(date_trunc('day', "closed_at" AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, "decision", count(*)::int AS count
       FROM ${S}."reviews" WHERE "decision" IS NOT NULL AND "closed_at" >= $1 AND "closed_at" < $2 GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to],
    );
  }

  /** Live agents whose credentials were last rotated before `before`, oldest first (at most 5,000). */
  credentialsRotatedBefore(before: Date): Promise<AgentCredentials[]> {
    return this.dataSource.query(
      `SELECT "agent_id" AS "agentId", "owner_id" AS "ownerId", "risk_tier" AS "riskTier", "credentials_rotated_at" AS "credentialsRotatedAt"
       FROM ${S}."agents" WHERE "status" <> 'deprovisioned' AND "credentials_rotated_at" < $1 ORDER BY "credentials_rotated_at" LIMIT 5000`,
      [before],
    );
  }

  /** Live agents whose owner is not active, by owner and agent (at most 5,000). */
  agentsWithoutActiveOwner(): Promise<AgentWithoutActiveOwner[]> {
    return this.dataSource.query(
      `SELECT a."agent_id" AS "agentId", a."owner_id" AS "ownerId", o."status" AS "ownerStatus", a."status", a."risk_tier" AS "riskTier"
       FROM ${S}."agents" a JOIN ${S}."owners" o ON o."owner_id" = a."owner_id"
       WHERE a."status" <> 'deprovisioned' AND o."status" <> 'active' ORDER BY a."owner_id", a."agent_id" LIMIT 5000`,
    );
  }
}
