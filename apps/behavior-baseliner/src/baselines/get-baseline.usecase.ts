import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AgentBehaviorModel, inverseAnscombe } from '@agentgov/anomaly-scoring';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { BehaviorBaselinerEnv } from '../config/behavior-baseliner.env';
import { AgentScoringState, scoringStateFromJSON } from '../scoring/agent-scoring';
import { BaselinesError, BaselinesErrorCode } from './baselines.errors';
import { BaselinesRepository } from './baselines.repository';
import { UsageHistoryRepository } from './usage-history.repository';

const DAY_MS = 86_400_000;

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
  constructor(
    private readonly dataSource: DataSource,
    private readonly baselines: BaselinesRepository,
    private readonly history: UsageHistoryRepository,
    @Inject(SERVICE_ENV) private readonly env: BehaviorBaselinerEnv,
  ) {}

  /** `days`: how far back the activity goes (the usage history keeps USAGE_HISTORY_DAYS). */
  async execute(agentId: string, days: number) {
    const row = await this.baselines.checkpointOf(agentId);
    if (!row) throw new BaselinesError(BaselinesErrorCode.BaselineNotFound, `no activity of agent ${agentId} has been scored yet`);
    const agent = await this.baselines.registeredAgent(agentId);
    const state = scoringStateFromJSON(row.state);
    const baseline = state.model.baseline;
    const hours = activeHoursOf(baseline.hours);
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
      activity: await this.activity(agentId, state, days),
    };
  }

  /**
   * The agent's actions per usage window over the last `days` (the summarised windows, and the open one), and for each
   * window what its model holds usual then (see usualPerWindow). Windows without activity are not listed.
   */
  private async activity(agentId: string, state: AgentScoringState, days: number) {
    const windowMs = this.env.USAGE_WINDOW_MINUTES * 60_000;
    const now = Date.now();
    const from = Math.floor((now - days * DAY_MS) / windowMs) * windowMs;
    const windows = (await this.history.windowsOf(this.dataSource.manager, agentId, new Date(from))).map((w) => ({
      start: w.window_start.toISOString(),
      end: w.window_end.toISOString(),
      actions: w.actions,
      open: false,
    }));
    const current = state.usage;
    if (current && current.s + windowMs > from && !windows.some((w) => Date.parse(w.start) === current.s)) {
      windows.push({ start: new Date(current.s).toISOString(), end: new Date(current.s + windowMs).toISOString(), actions: current.n, open: true });
    }
    return {
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      windowMinutes: this.env.USAGE_WINDOW_MINUTES,
      windows,
      usual: usualPerWindow(state.model, activeHoursOf(state.model.baseline.hours), from, now, windowMs),
    };
  }
}

/**
 * What the model holds usual in each window from `from` to `to`, in actions per window:
 * - `expected`: its usual actions a day spread over its active hours (none outside them): the level of an ordinary
 *   window;
 * - `high`: the top of its usual range in 10 minutes at that time of day and week (looked up at the middle of the
 *   window), times the 10-minute spans in a window: more actions than this in a window means some 10 minutes of it
 *   were beyond anything usual at that time. The seasonal part of the range.
 */
function usualPerWindow(model: AgentBehaviorModel, activeHours: number[], from: number, to: number, windowMs: number) {
  const perDay = model.usualActionsPerDay;
  const perActiveHour = perDay !== undefined && activeHours.length > 0 ? perDay / activeHours.length : undefined;
  const usual: Array<{ start: string; expected: number; high: number }> = [];
  for (let start = from; start < to; start += windowMs) {
    const range = model.usualActionsIn10Minutes(start + windowMs / 2);
    if (!range || perActiveHour === undefined) return [];
    const active = activeHours.includes(new Date(start + windowMs / 2).getUTCHours());
    usual.push({
      start: new Date(start).toISOString(),
      expected: round2(active ? (perActiveHour * windowMs) / 3_600_000 : 0),
      high: round2((range.high * windowMs) / 600_000),
    });
  }
  return usual;
}

function activeHoursOf(mask: number): number[] {
  const hours: number[] = [];
  for (let h = 0; h < 24; h++) if (mask & (1 << h)) hours.push(h);
  return hours;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
