import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';

import { REVIEW_SCHEDULER_SCHEMA } from '../database/review-scheduler.database';

const AGENTS = `"${REVIEW_SCHEDULER_SCHEMA}"."agents"`;
const OWNERS = `"${REVIEW_SCHEDULER_SCHEMA}"."owners"`;

export interface KnownAgent {
  agentId: string;
  ownerId: string;
  riskTier: RiskTier;
  status: 'active' | 'suspended' | 'deprovisioned';
  scopes: string[];
  expiresAt?: Date;
  nextReviewAt?: Date;
}

/** What identity.lifecycle.v1 told of an owner; an owner it never described counts as active. */
export interface KnownOwner {
  active: boolean;
  managerId?: string;
}

interface AgentRow {
  agent_id: string;
  owner_id: string;
  risk_tier: RiskTier;
  status: KnownAgent['status'];
  scopes: string[];
  expires_at: Date | null;
  next_review_at: Date | null;
}

function agentOf(r: AgentRow): KnownAgent {
  return {
    agentId: r.agent_id,
    ownerId: r.owner_id,
    riskTier: r.risk_tier,
    status: r.status,
    scopes: r.scopes,
    ...(r.expires_at ? { expiresAt: new Date(r.expires_at) } : {}),
    ...(r.next_review_at ? { nextReviewAt: new Date(r.next_review_at) } : {}),
  };
}

/**
 * The SQL of the registry: agents and owners as the scheduler learns them from agent.lifecycle.v1 and
 * identity.lifecycle.v1, and the agents' usage from agent.usage.v1.
 */
@Injectable()
export class RegistryRepository {
  async findAgent(manager: EntityManager, agentId: string, lock = false): Promise<KnownAgent | undefined> {
    const [row] = await manager.query(`SELECT * FROM ${AGENTS} WHERE "agent_id" = $1${lock ? ' FOR UPDATE' : ''}`, [agentId]);
    return row ? agentOf(row) : undefined;
  }

  /** Upserts the agent as the event describes it; the first time, with its first certification date. */
  async rememberAgent(
    tx: EntityManager,
    agent: Omit<KnownAgent, 'nextReviewAt'> & { platform: string; credentialsRotatedAt?: Date },
    firstReviewAt: Date,
    at: Date,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO ${AGENTS} ("agent_id", "owner_id", "risk_tier", "status", "scopes", "expires_at", "platform", "credentials_rotated_at", "next_review_at", "updated_at", "registered_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT ("agent_id") DO UPDATE SET "owner_id" = EXCLUDED."owner_id", "risk_tier" = EXCLUDED."risk_tier", "status" = EXCLUDED."status",
         "scopes" = EXCLUDED."scopes", "expires_at" = EXCLUDED."expires_at", "platform" = EXCLUDED."platform",
         "credentials_rotated_at" = COALESCE(EXCLUDED."credentials_rotated_at", ${AGENTS}."credentials_rotated_at"), "updated_at" = EXCLUDED."updated_at"
       WHERE ${AGENTS}."updated_at" <= EXCLUDED."updated_at"`,
      [
        agent.agentId,
        agent.ownerId,
        agent.riskTier,
        agent.status,
        agent.scopes,
        agent.expiresAt ?? null,
        agent.platform,
        agent.credentialsRotatedAt ?? null,
        firstReviewAt,
        at,
        now,
      ],
    );
  }

  /** What an agent.usage.v1 window tells: when the agent was last seen and which scopes it used. */
  async recordUsage(tx: EntityManager, agentId: string, lastSeenAt: Date, scopes: string[]): Promise<void> {
    await tx.query(`UPDATE ${AGENTS} SET "last_seen_at" = GREATEST("last_seen_at", $2) WHERE "agent_id" = $1`, [agentId, lastSeenAt]);
    if (scopes.length === 0) return;
    await tx.query(
      `INSERT INTO "${REVIEW_SCHEDULER_SCHEMA}"."scope_usage" ("agent_id", "scope", "last_used_at") SELECT $1, s, $2 FROM unnest($3::text[]) AS s
       ON CONFLICT ("agent_id", "scope") DO UPDATE SET "last_used_at" = GREATEST("scope_usage"."last_used_at", EXCLUDED."last_used_at")`,
      [agentId, lastSeenAt, scopes],
    );
  }

  /**
   * Scopes the agent holds but has not used for `days` (none for an agent younger than that: too early to
   * tell), proposed for removal in its review.
   */
  async unusedScopes(manager: EntityManager, agentId: string, days: number, now: Date): Promise<string[]> {
    const rows: { scope: string }[] = await manager.query(
      `SELECT s AS scope FROM ${AGENTS} a, unnest(a."scopes") AS s
       WHERE a."agent_id" = $1 AND a."registered_at" <= $2
         AND NOT EXISTS (SELECT 1 FROM "${REVIEW_SCHEDULER_SCHEMA}"."scope_usage" u WHERE u."agent_id" = a."agent_id" AND u."scope" = s AND u."last_used_at" > $2)
       ORDER BY s`,
      [agentId, new Date(now.getTime() - days * 86_400_000)],
    );
    return rows.map((r) => r.scope);
  }

  async setNextReview(tx: EntityManager, agentId: string, at: Date | null): Promise<void> {
    await tx.query(`UPDATE ${AGENTS} SET "next_review_at" = $2 WHERE "agent_id" = $1`, [agentId, at]);
  }

  async agentsOfOwner(manager: EntityManager, ownerId: string): Promise<KnownAgent[]> {
    const rows: AgentRow[] = await manager.query(`SELECT * FROM ${AGENTS} WHERE "owner_id" = $1 AND "status" <> 'deprovisioned'`, [ownerId]);
    return rows.map(agentOf);
  }

  /**
   * Applies an owner's lifecycle event in event-time order; returns false for one older than what is known (a replay
   * or a reordered event changes nothing: an old reinstatement must not undo a termination).
   */
  async rememberOwner(tx: EntityManager, ownerId: string, change: { status?: string; managerId?: string }, at: Date): Promise<boolean> {
    const applied: unknown[] = await tx.query(
      `INSERT INTO ${OWNERS} ("owner_id", "status", "manager_id", "updated_at") VALUES ($1, COALESCE($2, 'active'), $3, $4)
       ON CONFLICT ("owner_id") DO UPDATE SET "status" = COALESCE($2, ${OWNERS}."status"), "manager_id" = COALESCE($3, ${OWNERS}."manager_id"),
         "updated_at" = $4
       WHERE ${OWNERS}."updated_at" <= $4
       RETURNING "owner_id"`,
      [ownerId, change.status ?? null, change.managerId ?? null, at],
    );
    return applied.length > 0;
  }

  /** The owner as identity.lifecycle.v1 described them (status and manager), if it ever did. */
  async ownerOf(manager: EntityManager, ownerId: string): Promise<KnownOwner | undefined> {
    const [owner] = await manager.query(`SELECT "status", "manager_id" FROM ${OWNERS} WHERE "owner_id" = $1`, [ownerId]);
    return owner ? { active: owner.status === 'active', ...(owner.manager_id ? { managerId: owner.manager_id } : {}) } : undefined;
  }
}
