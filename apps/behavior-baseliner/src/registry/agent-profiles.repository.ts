import { BroadcastChannel } from 'node:worker_threads';

import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { BEHAVIOR_BASELINER_SCHEMA } from '../database/behavior-baseliner.database';

export interface AgentProfile {
  ownerId: string;
  riskTier: 'low' | 'medium' | 'high' | 'critical';
  status: string;
  /** Cohort: agents of the same platform and purpose are peers for a cold-start baseline. */
  platform?: string;
  purpose?: string;
}

/** Registry updates go to the scoring threads over this channel (same process, any thread). */
export const AGENT_PROFILES_CHANNEL = 'behavior-baseliner.known-agents';

interface AgentProfileMessage {
  agentId: string;
  agent: AgentProfile;
}

interface AgentProfileRow {
  agent_id: string;
  owner_id: string;
  risk_tier: AgentProfile['riskTier'];
  status: string;
  platform: string | null;
  purpose: string | null;
}

/**
 * The agents the registry has announced, as a read-only view for the scoring threads: loaded from the table,
 * then kept current by the messages the lifecycle consumer broadcasts. Activity from any other id is a shadow
 * agent.
 */
export class AgentProfilesView {
  private readonly agents = new Map<string, AgentProfile>();
  private channel?: BroadcastChannel;
  private changes = 0;

  /**
   * Changes with every announcement: a reader may keep what get() answered for an agent for as long as this is the
   * same (the scoring hot path does, rather than look up every event's agent in a registry of any size).
   */
  get version(): number {
    return this.changes;
  }

  protected set(agentId: string, agent: AgentProfile): void {
    this.agents.set(agentId, agent);
    this.changes++;
  }

  /** Subscribes first, then loads, so an update broadcast during the load is not lost. */
  async load(dataSource: DataSource): Promise<void> {
    this.channel = new BroadcastChannel(AGENT_PROFILES_CHANNEL);
    this.channel.onmessage = (message) => {
      const { agentId, agent } = (message as { data: AgentProfileMessage }).data;
      this.set(agentId, agent);
    };
    // Not keeping the thread alive is the owner's job.
    (this.channel as unknown as { unref(): void }).unref();
    const rows: AgentProfileRow[] = await dataSource.query(
      `SELECT "agent_id", "owner_id", "risk_tier", "status", "platform", "purpose" FROM "${BEHAVIOR_BASELINER_SCHEMA}"."known_agents"`,
    );
    for (const r of rows) {
      if (this.agents.has(r.agent_id)) continue; // a broadcast during the load is newer
      this.set(r.agent_id, {
        ownerId: r.owner_id,
        riskTier: r.risk_tier,
        status: r.status,
        platform: r.platform ?? undefined,
        purpose: r.purpose ?? undefined,
      });
    }
  }

  get(agentId: string): AgentProfile | undefined {
    return this.agents.get(agentId);
  }

  close(): void {
    this.channel?.close();
  }
}

/** The writable registry of the main thread: the lifecycle consumer records announcements here. */
@Injectable()
export class AgentProfilesRepository extends AgentProfilesView implements OnModuleInit, OnModuleDestroy {
  private readonly outgoing = new BroadcastChannel(AGENT_PROFILES_CHANNEL);

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.load(this.dataSource);
  }

  onModuleDestroy(): void {
    this.close();
    this.outgoing.close();
  }

  /**
   * Persists the announcement in the consumer's transaction and tells the scoring threads, unless a later one (by
   * event time) is already known: a replayed or reordered lifecycle event never sets an agent back.
   */
  async remember(tx: EntityManager, agentId: string, agent: AgentProfile, occurredAt: Date): Promise<boolean> {
    const applied: unknown[] = await tx.query(
      `INSERT INTO "${BEHAVIOR_BASELINER_SCHEMA}"."known_agents" ("agent_id", "owner_id", "risk_tier", "status", "platform", "purpose", "occurred_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT ("agent_id") DO UPDATE SET "owner_id" = EXCLUDED."owner_id", "risk_tier" = EXCLUDED."risk_tier",
         "status" = EXCLUDED."status", "platform" = EXCLUDED."platform", "purpose" = EXCLUDED."purpose",
         "occurred_at" = EXCLUDED."occurred_at", "updated_at" = now()
       WHERE "known_agents"."occurred_at" IS NULL OR "known_agents"."occurred_at" <= EXCLUDED."occurred_at"
       RETURNING 1`,
      [agentId, agent.ownerId, agent.riskTier, agent.status, agent.platform ?? null, agent.purpose ?? null, occurredAt],
    );
    if (applied.length === 0) return false;
    // Shared before the commit: if the transaction rolls back, the event is delivered again and re-announced;
    // meanwhile its activity is scored as a registered agent's, which errs on the side of no shadow alert.
    this.set(agentId, agent);
    this.outgoing.postMessage({ agentId, agent } satisfies AgentProfileMessage);
    return true;
  }
}
