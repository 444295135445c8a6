/**
 * Turns a stream of scores into episodes (alarms): a score at or above `floor` starts an episode, later scores at
 * or above it continue the episode, and it ends once `quietMs` pass without one. So a burst of a thousand anomalous
 * events is one alarm, and "one false alarm" means one episode started outside any real anomaly.
 *
 * observe(t, score) returns:
 *  - 'started'   a new episode begins with this score (if a previous one had gone quiet it ended at this event too:
 *                `ended` then describes it);
 *  - 'escalated' the episode's peak rose by at least `escalationStep`;
 *  - 'ended'     the episode had gone quiet for quietMs and this (sub-floor) score closes it (see `ended`);
 *  - undefined   nothing to report.
 *
 * Time is the events' own time (replays behave the same); `expire(t)` ends a quiet episode without an event.
 * The state (toJSON) is at most three numbers.
 */
export const REPORTING_FLOOR = 0.9;
export const EPISODE_QUIET_MS = 15 * 60_000;
export const ESCALATION_STEP = 0.02;

export type EpisodeTransition = 'started' | 'escalated' | 'ended';

export interface EpisodeTrackerOptions {
  floor?: number;
  quietMs?: number;
  escalationStep?: number;
}

export interface Episode {
  startedAt: number;
  /** Time of the last score at or above the floor. */
  lastAboveAt: number;
  peak: number;
}

/** Serialised state: the open episode as [startedAt, lastAboveAt, peak], or null. */
export type EpisodeTrackerState = [number, number, number] | null;

export class EpisodeTracker {
  private readonly floor: number;
  private readonly quietMs: number;
  private readonly step: number;
  private open = false;
  private start = 0;
  private lastAbove = 0;
  private top = 0;
  private endedEpisode: Episode | undefined;

  constructor(options: EpisodeTrackerOptions = {}) {
    this.floor = options.floor ?? REPORTING_FLOOR;
    this.quietMs = options.quietMs ?? EPISODE_QUIET_MS;
    this.step = options.escalationStep ?? ESCALATION_STEP;
  }

  static fromJSON(json: unknown, options: EpisodeTrackerOptions = {}): EpisodeTracker {
    const tracker = new EpisodeTracker(options);
    if (json === null || json === undefined) return tracker;
    if (!Array.isArray(json) || json.length !== 3 || !json.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error('EpisodeTracker.fromJSON: expected null or [startedAt, lastAboveAt, peak]');
    }
    tracker.open = true;
    [tracker.start, tracker.lastAbove, tracker.top] = json as [number, number, number];
    return tracker;
  }

  /** Whether an episode is open. */
  get active(): boolean {
    return this.open;
  }

  /** Peak score of the open episode (undefined when none is open). */
  get peak(): number | undefined {
    return this.open ? this.top : undefined;
  }

  /** Start time of the open episode (undefined when none is open). */
  get startedAt(): number | undefined {
    return this.open ? this.start : undefined;
  }

  /** Time of the open episode's last score at or above the floor. */
  get lastAboveAt(): number | undefined {
    return this.open ? this.lastAbove : undefined;
  }

  /** The episode the last observe() or expire() closed, if it closed one. */
  get ended(): Episode | undefined {
    return this.endedEpisode;
  }

  observe(t: number, score: number): EpisodeTransition | undefined {
    this.endedEpisode = undefined;
    this.closeIfQuiet(t);
    if (score >= this.floor) {
      if (!this.open) {
        this.open = true;
        this.start = t;
        this.lastAbove = t;
        this.top = score;
        return 'started';
      }
      if (t > this.lastAbove) this.lastAbove = t;
      if (score >= this.top + this.step) {
        this.top = score;
        return 'escalated';
      }
      return undefined;
    }
    return this.endedEpisode ? 'ended' : undefined;
  }

  /** Ends the open episode if it has been quiet for quietMs at time t (e.g. on a timer); true when it did. */
  expire(t: number): boolean {
    this.endedEpisode = undefined;
    this.closeIfQuiet(t);
    return this.endedEpisode !== undefined;
  }

  toJSON(): EpisodeTrackerState {
    return this.open ? [this.start, this.lastAbove, this.top] : null;
  }

  private closeIfQuiet(t: number): void {
    if (this.open && t - this.lastAbove >= this.quietMs) {
      this.endedEpisode = { startedAt: this.start, lastAboveAt: this.lastAbove, peak: this.top };
      this.open = false;
    }
  }
}
