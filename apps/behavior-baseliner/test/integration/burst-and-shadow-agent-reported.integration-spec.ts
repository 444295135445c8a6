import { randomUUID } from 'node:crypto';

import { Topics, TopicPayloads } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { collectMessages, withTestDatabase } from '@agentgov/test-support';

const DAY = 86_400_000;

function activity(agentId: string, t: number, recordsTouched: number, tool = 'crm-api'): { data: TopicPayloads['agent.activity.v1'] } {
  return {
    data: { agentId, occurredAt: new Date(t).toISOString(), action: 'crm.read', resourceType: 'crm.contact', tool, recordsTouched, outcome: 'allowed' },
  };
}

describe('the baseliner, over Kafka, reports a burst far above an agent’s baseline and a shadow agent', () => {
  const harness = new ServiceHarness('behavior-baseliner');
  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  it('emits one episode start for "15 a day then 500 in ten minutes", with the registry’s owner and tier, and a shadow-agent anomaly', async () => {
    const agentId = randomUUID();
    const start = Date.parse('2026-10-01T00:00:00Z');
    await harness.publish(Topics.AgentLifecycle, [
      {
        data: {
          kind: 'agent.registered',
          agentId,
          ownerId: 'owner-42',
          name: 'crm sync',
          purpose: 'crm-sync',
          platform: 'langgraph',
          riskTier: 'high',
          scopes: ['crm.read'],
          status: 'active',
          occurredAt: new Date(start).toISOString(),
          cause: { type: 'api', actor: 'admin' },
        },
      },
    ]);
    // Let the registry event land before the activity is scored (they travel on different topics).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const normal = [];
    for (let day = 0; day < 14; day++) for (let k = 0; k < 15; k++) normal.push(activity(agentId, start + day * DAY + (9 + k * 0.5) * 3_600_000, 1));
    const burstStart = start + 14 * DAY + 11 * 3_600_000;
    const burst = Array.from({ length: 100 }, (_, i) => activity(agentId, burstStart + i * 6000, 5));
    const shadowId = `shadow-${randomUUID().slice(0, 8)}`;
    await harness.publish(Topics.AgentActivity, [...normal, ...burst, activity(shadowId, burstStart, 3, 'sql-runner')]);

    const anomalies = (await collectMessages(harness.kafka, harness.topic(Topics.AgentAnomaly), 2, { timeoutMs: 30000, settleMs: 2000 })).map((m) =>
      JSON.parse(m.value),
    );
    const behavior = anomalies.filter((a) => a.kind === 'behavior');
    expect(behavior.map((a) => a.episodeState)[0]).toBe('started');
    expect(behavior.filter((a) => a.episodeState === 'started')).toHaveLength(1);
    expect(behavior[0]).toMatchObject({ agentId, ownerId: 'owner-42', riskTier: 'high' });
    expect(behavior[0].score).toBeGreaterThanOrEqual(0.9);
    expect(anomalies.filter((a) => a.kind === 'shadow-agent').map((a) => a.agentId)).toEqual([shadowId]);

    const [{ n }] = await withTestDatabase(async (c) =>
      (await c.query(`SELECT count(*)::int AS n FROM "behavior_baseliner"."keyed_state" WHERE "key" = ANY($1)`, [[agentId, shadowId]])).rows,
    );
    expect(n).toBe(2);
  }, 90000);
});
