import { TopicPayloads, Topics } from '@agentgov/contracts';
import { OutgoingEvent } from '@agentgov/messaging';

type Activity = TopicPayloads['agent.activity.v1'];
type Usage = TopicPayloads['agent.usage.v1'];

/** Distinct names kept per window and kind; beyond it the summary is marked truncated by its count alone. */
const MAX_DISTINCT = 64;

/** What one agent used in one window of event time; serialised with short keys as part of the agent's state. */
export interface UsageWindowState {
  /** Window start (epoch ms). */
  s: number;
  /** Last activity seen (epoch ms). */
  l: number;
  /** Actions in the window. */
  n: number;
  /** Actions by name. */
  a: Record<string, number>;
  /** Tools, scopes and resource types used. */
  t: string[];
  c: string[];
  r: string[];
}

/**
 * Counts an activity into the agent's current window, closing (and emitting) the previous one when it is over.
 * `closedBefore` is where the last summarised window ended: an event from before it (late, or after the window
 * was closed on the clock) is counted in the next window rather than dropped, so a window's id is never emitted
 * twice with different counts.
 */
export function countUsage(
  current: UsageWindowState | undefined,
  closedBefore: number | undefined,
  activity: Activity,
  t: number,
  windowMs: number,
  emit: (event: Omit<OutgoingEvent, 'source'>) => void,
): { window: UsageWindowState; closedBefore: number | undefined } {
  const start = Math.max(Math.floor(t / windowMs) * windowMs, closedBefore ?? -Infinity);
  let w = current;
  let closed = closedBefore;
  if (w && start > w.s) {
    emit(usageSummary(activity.agentId, w, windowMs));
    closed = w.s + windowMs;
    w = undefined;
  }
  w ??= { s: start, l: t, n: 0, a: {}, t: [], c: [], r: [] };
  w.n += 1;
  if (t > w.l) w.l = t;
  if (w.a[activity.action] !== undefined) w.a[activity.action] += 1;
  else if (Object.keys(w.a).length < MAX_DISTINCT) w.a[activity.action] = 1;
  addDistinct(w.t, activity.tool);
  addDistinct(w.c, activity.scope);
  addDistinct(w.r, activity.resourceType);
  return { window: w, closedBefore: closed };
}

/** The window is over (plus a grace for late events) by `clock`: summarise it even if the agent went quiet. */
export function isWindowOver(w: UsageWindowState, clock: number, windowMs: number, graceMs: number): boolean {
  return clock >= w.s + windowMs + graceMs;
}

/**
 * The time by which quiet agents' windows are closed. While events flow it is the latest event time seen (so a
 * backlog or a replay, whose event times are behind the wall clock, does not close every window after each
 * event); once no event has arrived for the grace period it is the wall clock, so a stale agent's last window is
 * still summarised.
 */
export class UsageClock {
  private latestEventTime = -Infinity;
  private lastArrival = -Infinity;

  constructor(
    private readonly graceMs: number,
    private readonly wallClock: () => number = Date.now,
  ) {}

  observe(eventTime: number): void {
    if (eventTime > this.latestEventTime) this.latestEventTime = eventTime;
    this.lastArrival = this.wallClock();
  }

  now(wallClock: number): number {
    return wallClock - this.lastArrival >= this.graceMs ? wallClock : Math.min(wallClock, this.latestEventTime);
  }
}

/** The agent.usage.v1 event of a window; its id names the agent and window, so a replay emits the same id. */
export function usageSummary(agentId: string, w: UsageWindowState, windowMs: number): Omit<OutgoingEvent, 'source'> {
  const windowStart = new Date(w.s).toISOString();
  const data: Usage = {
    agentId,
    windowStart,
    windowEnd: new Date(w.s + windowMs).toISOString(),
    lastSeenAt: new Date(w.l).toISOString(),
    actions: w.n,
    actionsByName: { ...w.a },
    toolsUsed: [...w.t],
    scopesUsed: [...w.c],
    resourceTypes: [...w.r],
  };
  return { topic: Topics.AgentUsage, id: `usage:${agentId}:${windowStart}`, data };
}

function addDistinct(into: string[], value: string | undefined): void {
  if (value === undefined || into.length >= MAX_DISTINCT || into.includes(value)) return;
  into.push(value);
}
