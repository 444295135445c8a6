import { randomUUID } from 'node:crypto';

import { validateEvent } from '@agentgov/contracts';
import { ConsumedEvent, OutgoingEvent } from '@agentgov/messaging';

import { AgentScoringHandler, AgentScoringState } from './agent-scoring.handler';

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
  const handler = new AgentScoringHandler(known);

  function run(state: AgentScoringState, events: ConsumedEvent<'agent.activity.v1'>[]): Array<Omit<OutgoingEvent, 'source'>> {
    const emitted: Array<Omit<OutgoingEvent, 'source'>> = [];
    for (const e of events) handler.apply(state, e, (x) => emitted.push(x));
    for (const e of emitted) expect(validateEvent(e.topic, e.data)).toMatchObject({ ok: true });
    return emitted;
  }

  it('stays quiet on 14 normal days, flags "15 a day then 500 in ten minutes" before the 50th record, and ends the episode', () => {
    const state = handler.initial();
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

  it('survives serialisation between any two events', () => {
    const a = handler.initial();
    const events = Array.from({ length: 200 }, (_, i) => activity(agentId, START + i * 600_000, 1 + (i % 3)));
    run(a, events.slice(0, 100));
    const b = handler.fromJSON(JSON.parse(JSON.stringify(handler.toJSON(a))));
    run(a, events.slice(100));
    run(b, events.slice(100));
    expect(handler.toJSON(b)).toEqual(handler.toJSON(a));
  });

  it('reports an agent the registry never announced as a shadow agent, once per hour of activity', () => {
    const shadow = 'agent-nobody-registered';
    const state = handler.initial();
    const emitted = run(state, [activity(shadow, START, 1, 'sql-runner'), activity(shadow, START + 60_000, 1), activity(shadow, START + 2 * 3_600_000, 1)]);
    expect(emitted.map((e) => (e.data as any).kind)).toEqual(['shadow-agent', 'shadow-agent']);
    expect(emitted[0].data).toMatchObject({ agentId: shadow, score: 1, episodeState: 'started' });
    expect((emitted[0].data as any).summary).toContain('sql-runner');
    expect(new Set(emitted.map((e) => e.id)).size).toBe(2);
  });
});
