import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AgentStatus, RiskTier } from '@agentgov/contracts';

import { AGENT_COLUMNS, AgentRecord, rowToAgent } from './agent-record';

export interface NewAgent {
  id: string;
  name: string;
  ownerId: string;
  parentId: string | null;
  depth: number;
  purpose: string;
  platform: string;
  riskTier: RiskTier;
  scopes: string[];
  createdBy: string;
  expiresAt: Date | null;
  clientSecretHash: string;
}

export interface AgentFilter {
  ownerId?: string;
  status?: AgentStatus;
  riskTier?: RiskTier;
  platform?: string;
  purpose?: string;
  parentId?: string;
  /** Agents (not yet deprovisioned) whose owner is no longer active. */
  orphaned?: boolean;
  /** Page after this agent id (ids order the listing). */
  after?: string;
  limit: number;
}

export type AgentCounts = Record<'byStatus' | 'byOwner' | 'byRiskTier' | 'byPlatform', Record<string, number>>;

const T = `"provisioner"."agents"`;

/** The SQL of the registry. Set-based statements (whole trees at once) keep a cascade to a few round trips. */
@Injectable()
export class AgentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, agent: NewAgent): Promise<AgentRecord> {
    const [row] = await tx.query(
      `INSERT INTO ${T} ("id", "name", "owner_id", "parent_id", "depth", "purpose", "platform", "risk_tier", "scopes", "created_by",
         "expires_at", "client_secret_hash")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${AGENT_COLUMNS}`,
      [
        agent.id,
        agent.name,
        agent.ownerId,
        agent.parentId,
        agent.depth,
        agent.purpose,
        agent.platform,
        agent.riskTier,
        agent.scopes,
        agent.createdBy,
        agent.expiresAt,
        agent.clientSecretHash,
      ],
    );
    return rowToAgent(row);
  }

  async findById(id: string, tx: EntityManager = this.dataSource.manager, lock = false): Promise<AgentRecord | undefined> {
    const [row] = await tx.query(`SELECT ${AGENT_COLUMNS} FROM ${T} WHERE "id" = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return row ? rowToAgent(row) : undefined;
  }

  async list(filter: AgentFilter): Promise<AgentRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const eq = (column: string, value: unknown) => where.push(`a."${column}" = $${params.push(value)}`);
    if (filter.ownerId) eq('owner_id', filter.ownerId);
    if (filter.status) eq('status', filter.status);
    if (filter.riskTier) eq('risk_tier', filter.riskTier);
    if (filter.platform) eq('platform', filter.platform);
    if (filter.purpose) eq('purpose', filter.purpose);
    if (filter.parentId) eq('parent_id', filter.parentId);
    if (filter.after) where.push(`a."id" > $${params.push(filter.after)}`);
    let join = '';
    if (filter.orphaned) {
      join = `JOIN "provisioner"."owners" o ON o."id" = a."owner_id"`;
      where.push(`o."status" <> 'active' AND a."status" <> 'deprovisioned'`);
    }
    const rows = await this.dataSource.query(
      `SELECT ${prefixed('a')} FROM ${T} a ${join} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a."id" LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(rowToAgent);
  }

  /** Every agent the owner owns, and every descendant of those (whoever owns the descendant). */
  async treeOfOwner(ownerId: string, filter: { after?: string; limit: number }): Promise<AgentRecord[]> {
    const rows = await this.dataSource.query(
      `WITH RECURSIVE tree AS (
         SELECT "id" FROM ${T} WHERE "owner_id" = $1
         UNION
         SELECT a."id" FROM ${T} a JOIN tree t ON a."parent_id" = t."id"
       )
       SELECT ${AGENT_COLUMNS} FROM ${T} WHERE "id" IN (SELECT "id" FROM tree) ${filter.after ? 'AND "id" > $3' : ''}
       ORDER BY "id" LIMIT $2`,
      filter.after ? [ownerId, filter.limit, filter.after] : [ownerId, filter.limit],
    );
    return rows.map(rowToAgent);
  }

  async counts(): Promise<AgentCounts> {
    const rows: Array<{ dimension: string; key: string; n: number }> = await this.dataSource.query(
      `SELECT 'byStatus' AS dimension, "status" AS key, count(*)::int AS n FROM ${T} GROUP BY "status"
       UNION ALL SELECT 'byOwner', "owner_id", count(*)::int FROM ${T} GROUP BY "owner_id"
       UNION ALL SELECT 'byRiskTier', "risk_tier", count(*)::int FROM ${T} GROUP BY "risk_tier"
       UNION ALL SELECT 'byPlatform', "platform", count(*)::int FROM ${T} GROUP BY "platform"`,
    );
    const counts: AgentCounts = { byStatus: {}, byOwner: {}, byRiskTier: {}, byPlatform: {} };
    for (const row of rows) counts[row.dimension as keyof AgentCounts][row.key] = row.n;
    return counts;
  }
}

function prefixed(alias: string): string {
  return AGENT_COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');
}
