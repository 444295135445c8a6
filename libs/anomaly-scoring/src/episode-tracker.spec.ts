import { EPISODE_QUIET_MS, EpisodeTracker, REPORTING_FLOOR } from './episode-tracker';

const MIN = 60_000;

describe('EpisodeTracker', () => {
  it('opens an episode at the floor, continues it, escalates on a new peak, and ends it after 15 quiet minutes', () => {
    const e = new EpisodeTracker();
    expect(REPORTING_FLOOR).toBe(0.9);
    expect(EPISODE_QUIET_MS).toBe(15 * MIN);
    expect(e.observe(0, 0.3)).toBeUndefined();
    expect(e.active).toBe(false);
    expect(e.observe(1 * MIN, 0.9)).toBe('started');
    expect(e).toMatchObject({ active: true, startedAt: 1 * MIN, peak: 0.9 });
    expect(e.observe(2 * MIN, 0.91)).toBeUndefined(); // +0.01: not an escalation
    expect(e.observe(3 * MIN, 0.95)).toBe('escalated');
    expect(e.peak).toBe(0.95);
    expect(e.observe(4 * MIN, 0.2)).toBeUndefined();
    expect(e.observe(17 * MIN, 0.96)).toBeUndefined(); // 14 min after the last high score: same episode, +0.01
    expect(e.peak).toBe(0.95);
    expect(e.observe(18 * MIN, 0.3)).toBeUndefined();
    expect(e.observe(17 * MIN + EPISODE_QUIET_MS, 0.3)).toBe('ended');
    expect(e.ended).toEqual({ startedAt: 1 * MIN, lastAboveAt: 17 * MIN, peak: 0.95 });
    expect(e).toMatchObject({ active: false, peak: undefined, startedAt: undefined });
  });

  it('counts a high score after a quiet period as a new episode (the old one ends at the same event)', () => {
    const e = new EpisodeTracker();
    expect(e.observe(0, 0.95)).toBe('started');
    expect(e.observe(60 * MIN, 0.97)).toBe('started');
    expect(e.ended).toEqual({ startedAt: 0, lastAboveAt: 0, peak: 0.95 });
    expect(e.startedAt).toBe(60 * MIN);
  });

  it('ends a quiet episode on expire() without an event', () => {
    const e = new EpisodeTracker();
    e.observe(0, 0.95);
    expect(e.expire(10 * MIN)).toBe(false);
    expect(e.expire(15 * MIN)).toBe(true);
    expect(e.active).toBe(false);
  });

  it('serialises to at most three numbers and restores exactly', () => {
    const e = new EpisodeTracker();
    expect(e.toJSON()).toBeNull();
    e.observe(5, 0.93);
    const json = JSON.parse(JSON.stringify(e.toJSON()));
    expect(json).toEqual([5, 5, 0.93]);
    const r = EpisodeTracker.fromJSON(json);
    expect(r.observe(10, 0.96)).toBe(e.observe(10, 0.96));
    expect(r.toJSON()).toEqual(e.toJSON());
    expect(EpisodeTracker.fromJSON(null).active).toBe(false);
    expect(() => EpisodeTracker.fromJSON([1, 2])).toThrow();
  });

  it('takes its floor, quiet period and escalation step as options', () => {
    const e = new EpisodeTracker({ floor: 0.5, quietMs: MIN, escalationStep: 0.1 });
    expect(e.observe(0, 0.5)).toBe('started');
    expect(e.observe(1, 0.55)).toBeUndefined();
    expect(e.observe(2, 0.6)).toBe('escalated');
    expect(e.observe(2 + MIN, 0.1)).toBe('ended');
  });
});
