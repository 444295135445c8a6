import { Injectable } from '@nestjs/common';

import { inverseAnscombe } from '@agentgov/anomaly-scoring';

import { scoringStateFromJSON } from '../scoring/agent-scoring';
import { BaselinesError, BaselinesErrorCode } from './baselines.errors';
import { BaselinesRepository } from './baselines.repository';

/** The model keeps counts on the Anscombe scale; the view shows them as counts. */
function countOf(level: number | undefined): number | null {
  return level === undefined ? null : Math.round(inverseAnscombe(level) * 100) / 100;
}

/**
 * The analysts' view of an agent's baseline, read from the scoring checkpoint (so any replica answers for any
 * agent, whichever thread or instance scores it).
 */
@Injectable()
export class GetBaselineUseCase {
  constructor(private readonly baselines: BaselinesRepository) {}

  async execute(agentId: string) {
    const row = await this.baselines.checkpointOf(agentId);
    if (!row) throw new BaselinesError(BaselinesErrorCode.BaselineNotFound, `no activity of agent ${agentId} has been scored yet`);
    const agent = await this.baselines.registeredAgent(agentId);
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
