import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { inverseAnscombe } from '@agentgov/anomaly-scoring';
import { DomainError, SERVICE_ENV } from '@agentgov/service-runtime';

import { BehaviorBaselinerEnv } from '../config/behavior-baseliner.env';
import { BEHAVIOR_BASELINER_SCHEMA } from '../database/behavior-baseliner.database';
import { scoringStateFromJSON } from '../scoring/agent-scoring';
import { scoringGroupId } from '../scoring/scoring-threads';

export class BaselineNotFoundError extends DomainError {
  constructor(agentId: string) {
    super({ code: 'BASELINE_NOT_FOUND', status: 404, title: 'No baseline for this agent', detail: `no activity of agent ${agentId} has been scored yet` });
  }
}

/** The model keeps counts on the Anscombe scale; the view shows them as counts. */
function countOf(level: number | undefined): number | null {
  return level === undefined ? null : Math.round(inverseAnscombe(level) * 100) / 100;
}

/**
 * The analysts' view of an agent's baseline, read from the scoring checkpoint (so any replica answers for any
 * agent, whichever thread or instance scores it).
 */
@Injectable()
export class AgentBaselines {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: BehaviorBaselinerEnv,
  ) {}

  async of(agentId: string) {
    const [row]: Array<{ state: unknown; updated_at: Date }> = await this.dataSource.query(
      `SELECT "state", "updated_at" FROM "${BEHAVIOR_BASELINER_SCHEMA}"."keyed_state" WHERE "consumer" = $1 AND "key" = $2`,
      [scoringGroupId(this.env.KAFKA_TOPIC_PREFIX), agentId],
    );
    if (!row) throw new BaselineNotFoundError(agentId);
    const [agent]: Array<{ owner_id: string; risk_tier: string; status: string; platform: string | null; purpose: string | null }> = await this.dataSource.query(
      `SELECT "owner_id", "risk_tier", "status", "platform", "purpose" FROM "${BEHAVIOR_BASELINER_SCHEMA}"."known_agents" WHERE "agent_id" = $1`,
      [agentId],
    );
    const state = scoringStateFromJSON(row.state);
    const baseline = state.model.baseline;
    const hours: number[] = [];
    for (let h = 0; h < 24; h++) if (baseline.hours & (1 << h)) hours.push(h);
    return {
      agentId,
      registered: agent !== undefined,
      ...(agent ? { ownerId: agent.owner_id, riskTier: agent.risk_tier, status: agent.status, platform: agent.platform, purpose: agent.purpose } : {}),
      checkpointedAt: row.updated_at.toISOString(),
      eventsLearnt: state.model.eventsSeen,
      warm: baseline.warm,
      baseline: {
        // Decayed 10-minute window sums, as the model sees them.
        actionsPer10Minutes: countOf(baseline.rate?.mean),
        recordsPer10Minutes: countOf(baseline.records?.mean),
        deniedShare: Math.round(baseline.deniedShare * 1000) / 1000,
        activeHoursUtc: hours,
      },
      episode:
        state.episodes.active && state.episodeId
          ? {
              id: state.episodeId,
              startedAt: new Date(state.episodes.startedAt as number).toISOString(),
              lastAboveAt: new Date(state.episodes.lastAboveAt as number).toISOString(),
              peakScore: state.episodes.peak,
            }
          : null,
      recentScores: state.recent.t.map((t, i) => ({ at: new Date(t * 1000).toISOString(), score: state.recent.s[i] })),
      usageWindow: state.usage
        ? {
            windowStart: new Date(state.usage.s).toISOString(),
            lastSeenAt: new Date(state.usage.l).toISOString(),
            actions: state.usage.n,
            actionsByName: state.usage.a,
            toolsUsed: state.usage.t,
            scopesUsed: state.usage.c,
            resourceTypes: state.usage.r,
          }
        : null,
    };
  }
}
