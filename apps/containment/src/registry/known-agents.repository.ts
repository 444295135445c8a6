import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';

export interface KnownAgent {
  agentId: string;
  ownerId: string;
  riskTier: RiskTier;
  status: 'active' | 'suspended' | 'deprovisioned';
}

const TABLE = `"${CONTAINMENT_SCHEMA}"."known_agents"`;

function agentOf(r: { agent_id: string; owner_id: string; risk_tier: RiskTier; status: KnownAgent['status'] }): KnownAgent {
  return { agentId: r.agent_id, ownerId: r.owner_id, riskTier: r.risk_tier, status: r.status };
}

/** The registry as containment learns it from agent.lifecycle.v1: owner and tier for incidents, an owner's agents for logout. */
@Injectable()
export class KnownAgentsRepository {
  /** Returns false when a newer event is already applied (a replayed or reordered older one changes nothing). */
  async remember(tx: EntityManager, agent: KnownAgent, at: Date): Promise<boolean> {
    // Lifecycle events of one agent arrive in order (keyed by agent id); the time guards a replay of an older one.
    const applied: unknown[] = await tx.query(
      `INSERT INTO ${TABLE} ("agent_id", "owner_id", "risk_tier", "status", "updated_at") VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ("agent_id") DO UPDATE SET "owner_id" = EXCLUDED."owner_id", "risk_tier" = EXCLUDED."risk_tier",
         "status" = EXCLUDED."status", "updated_at" = EXCLUDED."updated_at"
       WHERE ${TABLE}."updated_at" <= EXCLUDED."updated_at"
       RETURNING "agent_id"`,
      [agent.agentId, agent.ownerId, agent.riskTier, agent.status, at],
    );
    return applied.length > 0;
  }

  async find(manager: EntityManager, agentId: string): Promise<KnownAgent | undefined> {
    const [row] = await manager.query(`SELECT * FROM ${TABLE} WHERE "agent_id" = $1`, [agentId]);
    return row ? agentOf(row) : undefined;
  }

  /** The owner's agents that still have access to end. */
  async ofOwner(manager: EntityManager, ownerId: string): Promise<KnownAgent[]> {
    const rows = await manager.query(`SELECT * FROM ${TABLE} WHERE "owner_id" = $1 AND "status" <> 'deprovisioned' ORDER BY "agent_id"`, [ownerId]);
    return rows.map(agentOf);
  }
}
