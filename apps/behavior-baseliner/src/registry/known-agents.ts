import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface KnownAgent {
  ownerId: string;
  riskTier: 'low' | 'medium' | 'high' | 'critical';
  status: string;
}

/**
 * The agents the registry has announced (learnt from agent.lifecycle.v1, never read from another service's
 * tables). Activity from any other id is a shadow agent. Kept in memory for the scoring hot path, persisted
 * so a restart does not forget it.
 */
@Injectable()
export class KnownAgents implements OnModuleInit {
  private readonly agents = new Map<string, KnownAgent>();

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const rows: Array<{ agent_id: string; owner_id: string; risk_tier: KnownAgent['riskTier']; status: string }> = await this.dataSource.query(
      `SELECT "agent_id", "owner_id", "risk_tier", "status" FROM "behavior_baseliner"."known_agents"`,
    );
    for (const r of rows) this.agents.set(r.agent_id, { ownerId: r.owner_id, riskTier: r.risk_tier, status: r.status });
  }

  get(agentId: string): KnownAgent | undefined {
    return this.agents.get(agentId);
  }

  async remember(tx: EntityManager, agentId: string, agent: KnownAgent): Promise<void> {
    await tx.query(
      `INSERT INTO "behavior_baseliner"."known_agents" ("agent_id", "owner_id", "risk_tier", "status") VALUES ($1, $2, $3, $4)
       ON CONFLICT ("agent_id") DO UPDATE SET "owner_id" = EXCLUDED."owner_id", "risk_tier" = EXCLUDED."risk_tier",
         "status" = EXCLUDED."status", "updated_at" = now()`,
      [agentId, agent.ownerId, agent.riskTier, agent.status],
    );
    this.agents.set(agentId, agent);
  }
}
