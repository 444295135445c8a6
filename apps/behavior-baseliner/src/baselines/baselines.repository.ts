import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { SERVICE_ENV } from '@agentgov/service-runtime';

import { BehaviorBaselinerEnv } from '../config/behavior-baseliner.env';
import { BEHAVIOR_BASELINER_SCHEMA } from '../database/behavior-baseliner.database';
import { scoringGroupId } from '../scoring/scoring-threads';

export interface CheckpointedState {
  state: unknown;
  updated_at: Date;
}

export interface RegisteredAgentRow {
  owner_id: string;
  risk_tier: string;
  status: string;
  platform: string | null;
  purpose: string | null;
}

/** Reads an agent's scoring checkpoint (whichever thread or instance scores it) and the registry's copy of it. */
@Injectable()
export class BaselinesRepository {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: BehaviorBaselinerEnv,
  ) {}

  async checkpointOf(agentId: string): Promise<CheckpointedState | undefined> {
    const [row]: CheckpointedState[] = await this.dataSource.query(
      `SELECT "state", "updated_at" FROM "${BEHAVIOR_BASELINER_SCHEMA}"."keyed_state" WHERE "consumer" = $1 AND "key" = $2`,
      [scoringGroupId(this.env.KAFKA_TOPIC_PREFIX), agentId],
    );
    return row;
  }

  async registeredAgent(agentId: string): Promise<RegisteredAgentRow | undefined> {
    const [agent]: RegisteredAgentRow[] = await this.dataSource.query(
      `SELECT "owner_id", "risk_tier", "status", "platform", "purpose" FROM "${BEHAVIOR_BASELINER_SCHEMA}"."known_agents" WHERE "agent_id" = $1`,
      [agentId],
    );
    return agent;
  }
}
