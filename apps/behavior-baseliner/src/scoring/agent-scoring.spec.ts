import { randomUUID } from 'node:crypto';

import { validateEvent } from '@agentgov/contracts';
import { ConsumedEvent, OutgoingEvent } from '@agentgov/messaging';

import { AgentProfile } from '../registry/agent-profiles.repository';
import { AgentScoring, AgentScoringState, RECENT_EVENT_IDS } from './agent-scoring';

const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');

function activity(agentId: string, t: number, recordsTouched: number, tool = 'crm-api'): ConsumedEvent<'agent.activity.v1'> {
  return {
    id: randomUUID(),
    type: 'agentgov.agent.activity.v1',
    source: '/tests',
    time: new Date(t).toISOString(),
    topic: 'agent.activity.v1',
    partition: 0,
    offset: '0',
    key: agentId,
    headers: {},
    data: { agentId, occurredAt: new Date(t).toISOString(), action: 'crm.read', resourceType: 'crm.contact', tool, recordsTouched, outcome: 'allowed' },
  };
}

/** Deterministic jitter, so the test never depends on chance. */
function jitter(i: number): number {
  return ((i * 2654435761) % 1000) / 1000;
}

describe('the baseliner reports episodes, not every event', () => {
  const agentId = randomUUID();
  const known = new Map([[agentId, { ownerId: 'owner-1', riskTier: 'high' as const, status: 'active' }]]);
  const handler = new AgentScoring(known, { usageWindowMs: 3_600_000, usageGraceMs: 60_000 });

  /** Every event the handler emits, each checked against its contract. */
  function runAll(state: AgentScoringState, events: ConsumedEvent<'agent.activity.v1'>[]): Array<Omit<OutgoingEvent, 'source'>> {
    const emitted: Array<Omit<OutgoingEvent, 'source'>> = [];
    for (const e of events) handler.apply(state, e, (x) => emitted.push(x));
    for (const e of emitted) expect(validateEvent(e.topic, e.data)).toMatchObject({ ok: true });
    return emitted;
  }

  /** The anomalies only (usage summaries are covered below). */
  function run(state: AgentScoringState, events: ConsumedEvent<'agent.activity.v1'>[]): Array<Omit<OutgoingEvent, 'source'>> {
    return runAll(state, events).filter((e) => e.topic === 'agent.anomaly.v1');
  }

  it('stays quiet on 14 normal days, flags "15 a day then 500 in ten minutes" before the 50th record, and ends the episode', () => {
    const state = handler.initial(agentId);
    const normal: ConsumedEvent<'agent.activity.v1'>[] = [];
    for (let day = 0; day < 14; day++) {
      for (let k = 0; k < 15; k++) normal.push(activity(agentId, START + day * DAY + (9 + k * 0.5 + jitter(day * 15 + k) * 0.3) * 3_600_000, 1));
    }
    expect(run(state, normal)).toEqual([]);

    const burstStart = START + 14 * DAY + 11 * 3_600_000;
    const burst = Array.from({ length: 100 }, (_, i) => activity(agentId, burstStart + i * 6000, 5)); // 500 records in 10 minutes
    const emitted = run(state, burst);
    const started = emitted.filter((e) => (e.data as any).episodeState === 'started');
    expect(started).toHaveLength(1);
    const firstIndex = burst.findIndex((e) => e.id === (started[0].data as any).eventId);
    expect((firstIndex + 1) * 5).toBeLessThan(50);
    expect(started[0].data).toMatchObject({ kind: 'behavior', agentId, ownerId: 'owner-1', riskTier: 'high' });
    expect((started[0].data as any).score).toBeGreaterThanOrEqual(0.9);
    expect((started[0].data as any).features[0].name).toMatch(/records|rate/);
    expect(emitted.every((e) => (e.data as any).episodeId === (started[0].data as any).episodeId)).toBe(true);

    const after = run(state, [activity(agentId, burstStart + 2 * 3_600_000, 1)]);
    expect(after.map((e) => (e.data as any).episodeState)).toEqual(['ended']);
  });

  it('gives the end of one episode and the start of the next, reported for the same event, ids of their own', () => {
    const state = handler.initial(agentId);
    // The tracker as it is when an agent, quiet long enough to close its open episode, bursts again at once.
    state.episodeId = randomUUID();
    state.episodes = { observe: () => 'started', ended: { peak: 0.99 } } as unknown as AgentScoringState['episodes'];
    const emitted = run(state, [activity(agentId, START, 500)]);
    expect(emitted.map((e) => (e.data as any).episodeState)).toEqual(['ended', 'started']);
    expect(new Set(emitted.map((e) => e.id)).size).toBe(2);
    // Derived from what they report, so scoring the same event again after a crash gives the same ids.
    expect(emitted.every((e) => /^[0-9a-f-]{36}$/.test(e.id!))).toBe(true);
  });

  it('survives serialisation between any two events', () => {
    const a = handler.initial(agentId);
    const events = Array.from({ length: 200 }, (_, i) => activity(agentId, START + i * 600_000, 1 + (i % 3)));
    run(a, events.slice(0, 100));
    const b = handler.fromJSON(JSON.parse(JSON.stringify(handler.toJSON(a))));
    run(a, events.slice(100));
    run(b, events.slice(100));
    expect(handler.toJSON(b)).toEqual(handler.toJSON(a));
  });

  it('keeps the registry answer for an agent until the registry changes, then sees the agent registered since', () => {
    const late = `agent-registered-late-${randomUUID()}`;
    const registry = new Map<string, AgentProfile>();
    let version = 0;
    const lookups: string[] = [];
    const view = {
      get: (id: string) => {
        lookups.push(id);
        return registry.get(id);
      },
      get version() {
        return version;
      },
    };
    const handler = new AgentScoring(view, { usageWindowMs: 3_600_000, usageGraceMs: 60_000 });
    const state = handler.initial(late);
    const kinds = (events: ConsumedEvent<'agent.activity.v1'>[]) => {
      const emitted: Array<Omit<OutgoingEvent, 'source'>> = [];
      for (const e of events) handler.apply(state, e, (x) => emitted.push(x));
      return emitted.filter((e) => e.topic === 'agent.anomaly.v1').map((e) => (e.data as { kind: string }).kind);
    };

    expect(kinds([activity(late, START, 1), activity(late, START + 60_000, 1)])).toEqual(['shadow-agent']);
    expect(lookups).toHaveLength(1);

    registry.set(late, { ownerId: 'owner-late', riskTier: 'low', status: 'active' });
    version++;
    // Past the hour after which a shadow agent is reported again: only the new registry answer prevents it.
    expect(kinds([activity(late, START + 2 * 3_600_000, 1)])).toEqual([]);
    expect(lookups).toHaveLength(2);
  });

  it('reports an agent the registry never announced as a shadow agent, once per hour of activity', () => {
    const shadow = 'agent-nobody-registered';
    const state = handler.initial(shadow);
    const emitted = run(state, [activity(shadow, START, 1, 'sql-runner'), activity(shadow, START + 60_000, 1), activity(shadow, START + 2 * 3_600_000, 1)]);
    expect(emitted.map((e) => (e.data as any).kind)).toEqual(['shadow-agent', 'shadow-agent']);
    expect(emitted[0].data).toMatchObject({ agentId: shadow, score: 1, episodeState: 'started' });
    expect((emitted[0].data as any).summary).toContain('sql-runner');
    expect(new Set(emitted.map((e) => e.id)).size).toBe(2);
  });

  it('never reports behaviour episodes for an unregistered id: a burst after weeks of activity is only ever a shadow-agent report', () => {
    const shadow = `agent-unregistered-${randomUUID()}`;
    const state = handler.initial(shadow);
    const normal: ConsumedEvent<'agent.activity.v1'>[] = [];
    for (let day = 0; day < 14; day++) {
      for (let k = 0; k < 15; k++) normal.push(activity(shadow, START + day * DAY + (9 + k * 0.5 + jitter(day * 15 + k) * 0.3) * 3_600_000, 1));
    }
    const burstStart = START + 14 * DAY + 11 * 3_600_000;
    const burst = Array.from({ length: 100 }, (_, i) => activity(shadow, burstStart + i * 6000, 5));
    const emitted = run(state, [...normal, ...burst, activity(shadow, burstStart + 2 * 3_600_000, 1)]);
    expect(new Set(emitted.map((e) => (e.data as any).kind))).toEqual(new Set(['shadow-agent']));
    // The same traffic from a registered agent starts an episode (the first test), so only the registry check is silencing it.
  });

  it('reports at most 60 new shadow agents an hour per source: a flood of invented ids does not flood the SOC, and a held-back id is reported later', () => {
    const flooding = (agentId: string, t: number) => ({ ...activity(agentId, t, 1), source: '/gateway/compromised' });
    const states = new Map<string, AgentScoringState>();
    const shadowReports = (events: ConsumedEvent<'agent.activity.v1'>[]) => {
      const emitted: string[] = [];
      for (const e of events) {
        const state = states.get(e.key) ?? handler.initial(e.key);
        states.set(e.key, state);
        handler.apply(state, e, (x) => {
          if (x.topic === 'agent.anomaly.v1' && (x.data as any).kind === 'shadow-agent') emitted.push((x.data as any).agentId);
        });
      }
      return emitted;
    };
    const ids = Array.from({ length: 200 }, (_, i) => `invented-${i}-${randomUUID()}`);
    // 200 invented ids within 20 seconds: the bucket refills a sixth of a report meanwhile.
    const flood = shadowReports(ids.map((id, i) => flooding(id, START + i * 100)));
    expect(flood).toHaveLength(60);
    // Another source is not held back by this one.
    expect(shadowReports([activity(`elsewhere-${randomUUID()}`, START + 20_000, 1)])).toHaveLength(1);
    // Two hours later the source has its rate back: a held-back id is reported on its next activity.
    const heldBack = ids[150]!;
    expect(shadowReports([flooding(heldBack, START + 2 * 3_600_000)])).toEqual([heldBack]);
  });

  it("summarises usage per window of event time, and a quiet agent's last window once it is over on the clock", () => {
    let wall = 0;
    const handler = new AgentScoring(known, { usageWindowMs: 3_600_000, usageGraceMs: 60_000, clock: () => wall });
    const runAll = (state: AgentScoringState, events: ConsumedEvent<'agent.activity.v1'>[]) => {
      const emitted: Array<Omit<OutgoingEvent, 'source'>> = [];
      for (const e of events) {
        wall = Date.parse(e.data.occurredAt); // live traffic: it arrives as it happens
        handler.apply(state, e, (x) => emitted.push(x));
      }
      return emitted;
    };
    const state = handler.initial(agentId);
    const hour = Date.parse('2026-10-02T10:00:00Z');
    const used = (t: number, action: string, tool: string, scope: string) => ({
      ...activity(agentId, t, 2, tool),
      data: { ...activity(agentId, t, 2, tool).data, action, scope },
    });
    const inFirst = runAll(state, [used(hour + 60_000, 'crm.read', 'crm-api', 'crm:read'), used(hour + 120_000, 'crm.read', 'mailer', 'mail:send')]);
    expect(inFirst.filter((e) => e.topic === 'agent.usage.v1')).toEqual([]);

    const next = runAll(state, [used(hour + 3_600_000 + 5_000, 'crm.update', 'crm-api', 'crm:write')]).filter((e) => e.topic === 'agent.usage.v1');
    expect(next).toHaveLength(1);
    expect(next[0].id).toBe(`usage:${agentId}:2026-10-02T10:00:00.000Z`);
    expect(next[0].data).toEqual({
      agentId,
      windowStart: '2026-10-02T10:00:00.000Z',
      windowEnd: '2026-10-02T11:00:00.000Z',
      lastSeenAt: new Date(hour + 120_000).toISOString(),
      actions: 2,
      actionsByName: { 'crm.read': 2 },
      toolsUsed: ['crm-api', 'mailer'],
      scopesUsed: ['crm:read', 'mail:send'],
      resourceTypes: ['crm.contact'],
    });

    const timerEmits: Array<Omit<OutgoingEvent, 'source'>> = [];
    const windowEnd = hour + 2 * 3_600_000;
    // An agent evicted from memory is read back when its window could first be summarised: no earlier.
    expect(handler.wakeAt(state)).toBe(windowEnd + 60_000);
    expect(handler.onTimer(agentId, state, windowEnd + 30_000, (x) => timerEmits.push(x))).toBe(false); // within the grace
    expect(handler.onTimer(agentId, state, windowEnd + 61_000, (x) => timerEmits.push(x))).toBe(true);
    expect(timerEmits.map((e) => e.data)).toEqual([
      expect.objectContaining({ windowStart: '2026-10-02T11:00:00.000Z', actions: 1, scopesUsed: ['crm:write'] }),
    ]);
    expect(handler.onTimer(agentId, state, windowEnd + 3_600_000, (x) => timerEmits.push(x))).toBe(false); // nothing left to summarise
    expect(handler.wakeAt(state)).toBeUndefined();
  });

  it('does not close windows on the clock while a backlog with older event times is being consumed, and never reuses a window id', () => {
    let wall = Date.parse('2026-11-23T12:00:00Z');
    const handler = new AgentScoring(known, { usageWindowMs: 3_600_000, usageGraceMs: 60_000, clock: () => wall });
    const state = handler.initial(agentId);
    const emitted: Array<Omit<OutgoingEvent, 'source'>> = [];
    const old = Date.parse('2026-10-02T10:00:00Z');
    handler.apply(state, activity(agentId, old, 1), (x) => emitted.push(x));
    wall += 200;
    expect(handler.onTimer(agentId, state, wall, (x) => emitted.push(x))).toBe(false); // events still flowing
    handler.apply(state, activity(agentId, old + 60_000, 1), (x) => emitted.push(x));
    wall += 120_000; // the backlog is drained and nothing has come for longer than the grace
    expect(handler.onTimer(agentId, state, wall, (x) => emitted.push(x))).toBe(true);
    expect(emitted.map((e) => (e.data as any).actions)).toEqual([2]);

    // A late event from the window just summarised goes into the next window, under a new id.
    handler.apply(state, activity(agentId, old + 120_000, 1), (x) => emitted.push(x));
    wall += 120_000;
    handler.onTimer(agentId, state, wall, (x) => emitted.push(x));
    expect(emitted.map((e) => e.id)).toEqual([`usage:${agentId}:2026-10-02T10:00:00.000Z`, `usage:${agentId}:2026-10-02T11:00:00.000Z`]);
  });

  it("keeps the latest scores for the analysts' view", () => {
    const state = handler.initial(agentId);
    run(
      state,
      Array.from({ length: 25 }, (_, i) => activity(agentId, START + i * 60_000, 1)),
    );
    expect(state.recent.t).toHaveLength(10);
    expect(state.recent.t[9]).toBe(Math.floor((START + 24 * 60_000) / 1000));
    expect(state.recent.s.every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  it(`counts an event delivered again (same id) once, even across a checkpoint, within the agent's latest ${RECENT_EVENT_IDS} events`, () => {
    const shadow = `agent-replayed-${randomUUID()}`;
    const state = handler.initial(shadow);
    const events = Array.from({ length: RECENT_EVENT_IDS }, (_, i) => activity(shadow, START + i * 60_000, 1));
    const first = runAll(state, events);
    const restored = handler.fromJSON(JSON.parse(JSON.stringify(handler.toJSON(state))));
    // The same ids again, one with other content (a forged replay): nothing is counted, nothing emitted.
    const again = runAll(restored, [...events.slice(1), { ...events[0], data: { ...events[0].data, recordsTouched: 999 } }]);
    expect(again).toEqual([]);
    expect(restored.model.eventsSeen).toBe(RECENT_EVENT_IDS);
    expect(restored.usage?.n).toBe(RECENT_EVENT_IDS);
    expect(first.filter((e) => (e.data as any).kind === 'shadow-agent')).toHaveLength(1);

    // Beyond the window an old id is counted again: the bound the state size buys.
    runAll(restored, [activity(shadow, START + 3_600_000, 1), events[0]]);
    expect(restored.model.eventsSeen).toBe(RECENT_EVENT_IDS + 2);
  });
});
