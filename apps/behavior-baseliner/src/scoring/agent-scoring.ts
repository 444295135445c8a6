import { AgentBehaviorModel, EpisodeTracker, FeatureExplanation, PeerPrior } from '@agentgov/anomaly-scoring';
import { deterministicUuid, TopicPayloads, Topics } from '@agentgov/contracts';
import { ConsumedEvent, KeyedStateHandler, OutgoingEvent } from '@agentgov/messaging';

import { AgentProfile } from '../registry/agent-profiles.repository';
import { ShadowReportLimiter } from './shadow-report-limiter';
import { countUsage, isWindowOver, UsageClock, usageSummary, UsageWindowState } from './usage-window';

/** Emits nothing. */
const ignore: Emit = () => undefined;
/** A shadow agent is reported again after this long without activity. */
const SHADOW_REPEAT_MS = 60 * 60_000;
/** Scores kept per agent for the analysts' view. */
const RECENT_SCORES = 10;
/**
 * Ids of the agent's latest events kept (as hashes), so that the same event delivered again (a producer's retry,
 * a replay: same ce_id) is not counted twice. There is no inbox on this path; a repeat arriving after this many
 * newer events of the agent is counted again.
 */
export const RECENT_EVENT_IDS = 8;

/** The latest scores, oldest first: event time (epoch s) and score. */
interface RecentScores {
  t: number[];
  s: number[];
}

/** Everything the baseliner keeps for one agent; serialised as well under 2 KB. */
export interface AgentScoringState {
  model: AgentBehaviorModel;
  /** Episodes exactly as the evaluation counts alarms (floor 0.9, 15 quiet minutes end one). */
  episodes: EpisodeTracker;
  /** Id of the open episode (derived from the event that started it). */
  episodeId?: string;
  /** For an unregistered agent: when it was last reported as a shadow agent. */
  shadowReportedAt?: number;
  recent: RecentScores;
  /** 52-bit hashes of the latest RECENT_EVENT_IDS event ids, oldest first. */
  seenIds?: number[];
  usage?: UsageWindowState;
  /** End of the last summarised usage window. */
  usageClosedBefore?: number;
  /** The registry's answer for this agent as of registry version `knownAt` (not checkpointed). */
  known?: AgentProfile;
  knownAt?: number;
}

/** The registry as the handler reads it; with a version, answers are kept per agent until it changes. */
export interface AgentProfilesLookup {
  get(agentId: string): AgentProfile | undefined;
  readonly version?: number;
}

export interface AgentScoringOptions {
  /** Length of the agent.usage.v1 summary windows (event time). */
  usageWindowMs: number;
  /** How long past its end (wall clock) a quiet agent's window is summarised. */
  usageGraceMs: number;
  /** Wall clock (tests replace it). */
  clock?: () => number;
  /** Cold-start baseline for an agent seen for the first time. */
  priorFor?: (agent: AgentProfile | undefined) => PeerPrior | undefined;
  /** Shadow agents one source may have reported per hour (see ShadowReportLimiter). */
  shadowReportsPerHour?: number;
}

type Emit = (event: Omit<OutgoingEvent, 'source'>) => void;
type Anomaly = TopicPayloads['agent.anomaly.v1'];

/**
 * Scores every activity event as it arrives against the agent's own baseline and reports, on agent.anomaly.v1,
 * the start of an episode, an escalation within it and its end (not every event). Activity from an agent the
 * registry never announced is a shadow-agent anomaly. Summarises each agent's usage per window on
 * agent.usage.v1. Every id it emits derives from the event or window that caused it, so replaying events after a
 * crash emits the same ids.
 */
export class AgentScoring implements KeyedStateHandler<'agent.activity.v1', AgentScoringState> {
  private readonly usageClock: UsageClock;
  private readonly shadowLimiter: ShadowReportLimiter;

  constructor(
    private readonly knownAgents: AgentProfilesLookup,
    private readonly options: AgentScoringOptions,
  ) {
    this.usageClock = new UsageClock(options.usageGraceMs, options.clock);
    this.shadowLimiter = new ShadowReportLimiter(options.shadowReportsPerHour);
  }

  initial(key: string): AgentScoringState {
    return {
      model: new AgentBehaviorModel({ prior: this.options.priorFor?.(this.knownAgents.get(key)) }),
      episodes: new EpisodeTracker(),
      recent: { t: [], s: [] },
      known: undefined,
      knownAt: undefined,
    };
  }

  apply(state: AgentScoringState, event: ConsumedEvent<'agent.activity.v1'>, emit: Emit): void {
    const idHash = hashOfId(event.id);
    const seen = (state.seenIds ??= []);
    if (seen.includes(idHash)) return;
    if (seen.push(idHash) > RECENT_EVENT_IDS) seen.shift();
    const data = event.data;
    const t = Date.parse(data.occurredAt);
    const known = this.knownAgentOf(state, data.agentId);
    if (
      !known &&
      (state.shadowReportedAt === undefined || t - state.shadowReportedAt >= SHADOW_REPEAT_MS) &&
      // A new id counts against its source's rate; an agent already reported is reported again each hour regardless.
      (state.shadowReportedAt !== undefined || this.shadowLimiter.allow(event.source, t))
    ) {
      state.shadowReportedAt = t;
      emit(
        this.anomaly(event, {
          kind: 'shadow-agent',
          score: 1,
          episodeId: deterministicUuid('shadow', event.id),
          episodeState: 'started',
          features: [{ name: 'unregistered-agent', expected: 0, observed: 1, contribution: 1 }],
          summary: `activity from ${data.agentId}, which the registry never announced: ${data.action} on ${data.resourceType}${data.tool ? ` with ${data.tool}` : ''}`,
        }),
      );
    }
    this.usageClock.observe(t);
    const usage = countUsage(state.usage, state.usageClosedBefore, data, t, this.options.usageWindowMs, emit);
    state.usage = usage.window;
    state.usageClosedBefore = usage.closedBefore;
    const score = state.model.update({
      t,
      action: data.action,
      resourceType: data.resourceType,
      tool: data.tool,
      recordsTouched: data.recordsTouched,
      outcome: data.outcome,
    });
    remember(state.recent, t, score);

    // An unregistered agent is learnt (so it has a baseline once registered) and reported only as a shadow agent:
    // behaviour episodes of an id the registry never announced would ask containment to act on a name nobody owns.
    const behaviour: Emit = known ? emit : ignore;
    const transition = state.episodes.observe(t, score);
    const ended = state.episodes.ended;
    if (ended && state.episodeId) {
      behaviour(
        this.anomaly(
          event,
          {
            kind: 'behavior',
            score,
            episodeId: state.episodeId,
            episodeState: 'ended',
            features: this.explain(state).features,
            summary: `back within its baseline after a peak of ${ended.peak.toFixed(2)}`,
          },
          known,
        ),
      );
      state.episodeId = undefined;
    }
    if (transition === 'started') {
      state.episodeId = deterministicUuid('episode', event.id);
      const { features, summary } = this.explain(state, known);
      behaviour(this.anomaly(event, { kind: 'behavior', score, episodeId: state.episodeId, episodeState: 'started', features, summary }, known));
    } else if (transition === 'escalated' && state.episodeId) {
      const { features, summary } = this.explain(state, known);
      behaviour(this.anomaly(event, { kind: 'behavior', score, episodeId: state.episodeId, episodeState: 'ongoing', features, summary }, known));
    }
  }

  /** The registry's entry for the agent, looked up again only when the registry changed since the last event. */
  private knownAgentOf(state: AgentScoringState, agentId: string): AgentProfile | undefined {
    const version = this.knownAgents.version;
    if (version !== undefined && state.knownAt === version) return state.known;
    state.known = this.knownAgents.get(agentId);
    state.knownAt = version;
    return state.known;
  }

  /** Summarises a quiet agent's usage window once it is over, so a stale agent's last use is reported too. */
  onTimer(key: string, state: AgentScoringState, now: number, emit: Emit): boolean {
    const usage = state.usage;
    if (!usage || !isWindowOver(usage, this.usageClock.now(now), this.options.usageWindowMs, this.options.usageGraceMs)) return false;
    emit(usageSummary(key, usage, this.options.usageWindowMs));
    state.usageClosedBefore = usage.s + this.options.usageWindowMs;
    state.usage = undefined;
    return true;
  }

  /** When the open usage window could be summarised (the usage clock never runs ahead of the wall clock). */
  wakeAt(state: AgentScoringState): number | undefined {
    return state.usage ? state.usage.s + this.options.usageWindowMs + this.options.usageGraceMs : undefined;
  }

  toJSON(state: AgentScoringState): unknown {
    return {
      m: state.model.toJSON(),
      e: state.episodes.toJSON(),
      ei: state.episodeId,
      s: state.shadowReportedAt,
      r: state.recent,
      i: state.seenIds,
      u: state.usage,
      uc: state.usageClosedBefore,
    };
  }

  fromJSON(json: unknown): AgentScoringState {
    return scoringStateFromJSON(json);
  }

  /**
   * The explanation is built only for what is reported: most events never need one. The summary is the model's own
   * sentence in the analyst's units ("500 records touched in 10 min; usually about 15 a day, ..."), with the tier.
   */
  private explain(state: AgentScoringState, known?: AgentProfile): Pick<Anomaly, 'features' | 'summary'> {
    const assessment = state.model.explain();
    const tier = known ? ` (${known.riskTier} risk)` : '';
    return {
      features: assessment.features
        .filter((f) => f.contribution > 0)
        .slice(0, 8)
        .map(toAnomalyFeature),
      summary: `${assessment.summary}${tier}`.slice(0, 2000),
    };
  }

  private anomaly(
    event: ConsumedEvent<'agent.activity.v1'>,
    fields: Pick<Anomaly, 'kind' | 'score' | 'episodeId' | 'episodeState' | 'features' | 'summary'>,
    known?: AgentProfile,
  ): Omit<OutgoingEvent, 'source'> {
    const data: Anomaly = {
      agentId: event.data.agentId,
      observedAt: event.data.occurredAt,
      eventId: event.id,
      ...fields,
      summary: fields.summary.slice(0, 2000),
      ...(known ? { ownerId: known.ownerId, riskTier: known.riskTier } : {}),
    } as Anomaly;
    // Its own id per emitted event: one activity can end an episode and start the next, and both must reach
    // containment (an outbox or inbox keeps one event per id). Derived, so re-scoring after a crash repeats it.
    return { topic: Topics.AgentAnomaly, id: deterministicUuid('anomaly', event.id, fields.kind, fields.episodeId, fields.episodeState), data };
  }
}

/** Restores an agent's state as checkpointed (also for the analysts' view, which reads checkpoints). */
export function scoringStateFromJSON(json: unknown): AgentScoringState {
  const j = json as { m: unknown; e?: unknown; ei?: string; s?: number; r?: RecentScores; i?: number[]; u?: UsageWindowState; uc?: number };
  return {
    model: AgentBehaviorModel.fromJSON(j.m as never),
    episodes: EpisodeTracker.fromJSON(j.e ?? null),
    episodeId: j.ei ?? undefined,
    shadowReportedAt: j.s ?? undefined,
    recent: j.r ?? { t: [], s: [] },
    seenIds: j.i ?? undefined,
    usage: j.u ?? undefined,
    usageClosedBefore: j.uc ?? undefined,
    known: undefined,
    knownAt: undefined,
  };
}

/** A 52-bit FNV-1a style hash of an event id (two 26-bit halves: exact as a JSON number, cheap per event). */
function hashOfId(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 6) * 0x4000000 + (b >>> 6);
}

function remember(recent: RecentScores, t: number, score: number): void {
  if (recent.t.length >= RECENT_SCORES) {
    recent.t.shift();
    recent.s.shift();
  }
  recent.t.push(Math.floor(t / 1000));
  recent.s.push(round(score));
}

/** The contract carries numbers; a categorical feature (a new tool) names its value and counts as 0 → 1. */
function toAnomalyFeature(f: FeatureExplanation): Anomaly['features'][number] {
  const categorical = typeof f.expected !== 'number' || typeof f.observed !== 'number';
  return {
    name: (categorical && typeof f.observed === 'string' ? `${f.name}:${f.observed}` : f.name).slice(0, 128),
    expected: categorical ? 0 : round(f.expected as number),
    observed: categorical ? 1 : round(f.observed as number),
    contribution: round(f.contribution),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
