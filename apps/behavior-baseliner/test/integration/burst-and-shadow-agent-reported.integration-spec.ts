import { randomUUID } from 'node:crypto';

import { TopicPayloads, Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { collectMessages, waitFor, withTestDatabase } from '@agentgov/test-support';

const DAY = 86_400_000;

function activity(agentId: string, t: number, recordsTouched: number, tool = 'crm-api'): { data: TopicPayloads['agent.activity.v1'] } {
  return {
    data: { agentId, occurredAt: new Date(t).toISOString(), action: 'crm.read', resourceType: 'crm.contact', tool, recordsTouched, outcome: 'allowed' },
  };
}

describe('the baseliner, over Kafka, reports a burst far above an agent’s baseline and a shadow agent', () => {
  // Anomalies leave with their partition's checkpoint: a short interval lets the test wait out every partition.
  const harness = new ServiceHarness('behavior-baseliner', { env: { SCORING_CHECKPOINT_INTERVAL_MS: '500' } });
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

    const messages = await collectMessages(harness.kafka, harness.topic(Topics.AgentAnomaly), 2, { timeoutMs: 30000, settleMs: 4000 });
    // The same ce_source shape as every other service's events, including from the scoring threads.
    expect(new Set(messages.map((m) => m.headers['ce_source']))).toEqual(new Set(['/agentgov/behavior-baseliner']));
    const anomalies = messages.map((m) => JSON.parse(m.value));
    const behavior = anomalies.filter((a) => a.kind === 'behavior');
    expect(behavior.map((a) => a.episodeState)[0]).toBe('started');
    expect(behavior.filter((a) => a.episodeState === 'started')).toHaveLength(1);
    expect(behavior[0]).toMatchObject({ agentId, ownerId: 'owner-42', riskTier: 'high' });
    expect(behavior[0].score).toBeGreaterThanOrEqual(0.9);
    expect(anomalies.filter((a) => a.kind === 'shadow-agent').map((a) => a.agentId)).toEqual([shadowId]);

    const [{ n }] = await withTestDatabase(
      async (c) => (await c.query(`SELECT count(*)::int AS n FROM "behavior_baseliner"."keyed_state" WHERE "key" = ANY($1)`, [[agentId, shadowId]])).rows,
    );
    expect(n).toBe(2);

    // The analysts' view, from the checkpoint.
    const view = await waitFor(
      () => harness.request('GET', `/agents/${agentId}/baseline`, undefined, ['soc-analyst']),
      (r) => r.status === 200 && r.body.eventsLearnt === normal.length + burst.length,
      { what: 'the checkpoint of every event', timeoutMs: 20000 },
    );
    expect(view.body).toMatchObject({ agentId, registered: true, ownerId: 'owner-42', riskTier: 'high', platform: 'langgraph', warm: true });
    expect(view.body.episode).toMatchObject({ id: behavior[0].episodeId });
    expect(view.body.episode.peakScore).toBeGreaterThanOrEqual(0.9);
    expect(view.body.baseline.recordsPer10Minutes).toBeGreaterThan(0);
    expect(view.body.baseline.activeHoursUtc).toEqual(expect.arrayContaining([9, 10, 11, 12, 13, 14, 15, 16]));
    expect(view.body.recentScores).toHaveLength(10);
    expect(view.body.recentScores[9].score).toBeGreaterThanOrEqual(0.9);
    // Each hour with activity is a usage window: the 8 working hours of 14 days were summarised as the next one
    // began; the burst's hour stays open until a minute passes with no activity at all.
    expect(view.body.usageWindow).toMatchObject({ windowStart: new Date(burstStart).toISOString(), actions: burst.length, toolsUsed: ['crm-api'] });
    const usage = (await collectMessages(harness.kafka, harness.topic(Topics.AgentUsage), 14 * 8, { timeoutMs: 30000, settleMs: 1000 }))
      .map((m) => JSON.parse(m.value))
      .filter((u) => u.agentId === agentId);
    expect(usage).toHaveLength(14 * 8);
    expect(usage.reduce((sum, u) => sum + u.actions, 0)).toBe(normal.length);
    expect(usage.every((u) => u.toolsUsed.join() === 'crm-api' && u.resourceTypes.join() === 'crm.contact')).toBe(true);

    const shadowView = await harness.request('GET', `/agents/${shadowId}/baseline`, undefined, ['soc-analyst']);
    expect(shadowView.body).toMatchObject({ agentId: shadowId, registered: false });
    expect((await harness.request('GET', `/agents/${randomUUID()}/baseline`)).body).toMatchObject({ status: 404, code: 'BASELINE_NOT_FOUND' });
    expect((await harness.request('GET', `/agents/${agentId}/baseline`, undefined, ['reviewer'])).status).toBe(403);
    expect((await fetch(`${harness.url}/agents/${agentId}/baseline`)).status).toBe(401);
    expect((await harness.request('GET', `/agents/${'x'.repeat(129)}/baseline`)).status).toBe(400);
  }, 90000);

  it("gives the analysts' chart: actions per usage window over the last days, the open window, and the learnt usual range of each", async () => {
    const agentId = randomUUID();
    const hour = 3_600_000;
    const today = Math.floor(Date.now() / DAY) * DAY;
    const first = today - 10 * DAY;
    // 15 reads a day from 09:00 to 16:00 for ten days, then 100 reads in the first ten minutes of the current hour (the
    // burst's hour is not over, so the model has not learnt from its peak yet).
    const normal = [];
    for (let day = 0; day < 10; day++) for (let k = 0; k < 15; k++) normal.push(activity(agentId, first + day * DAY + (9 + k * 0.5) * hour, 1));
    const burstStart = Math.floor(Date.now() / hour) * hour + 30_000;
    const burst = Array.from({ length: 100 }, (_, i) => activity(agentId, burstStart + i * 6000, 5));
    await harness.publish(Topics.AgentActivity, [...normal, ...burst]);

    const view = await waitFor(
      () => harness.request('GET', `/agents/${agentId}/baseline?days=7`, undefined, ['soc-analyst']),
      (r) => r.status === 200 && r.body.eventsLearnt === normal.length + burst.length,
      { what: 'the checkpoint of every event', timeoutMs: 20000 },
    );
    const { activity: chart } = view.body;
    expect(chart.windowMinutes).toBe(60);
    expect(Date.parse(chart.to) - Date.parse(chart.from)).toBeGreaterThanOrEqual(7 * DAY);
    type Window = { start: string; actions: number; open: boolean };
    const burstHour = Math.floor(burstStart / hour) * hour;
    const before = chart.windows.filter((w: Window) => Date.parse(w.start) < burstHour);
    const during = chart.windows.filter((w: Window) => Date.parse(w.start) >= burstHour);
    // Each working hour of the days in range is one window of two reads (one at :00, one at :30; 16:00 has one).
    expect(before.length).toBeGreaterThanOrEqual(6 * 8);
    expect(before.every((w: Window) => !w.open && w.actions <= 2 && Date.parse(w.start) >= Date.parse(chart.from))).toBe(true);
    expect(during).toEqual([expect.objectContaining({ start: new Date(burstHour).toISOString(), actions: burst.length, open: true })]);
    // The learnt range covers every window of the chart; the burst is far above the top of it.
    expect(chart.usual.length).toBe(Math.ceil((Date.parse(chart.to) - Date.parse(chart.from)) / hour));
    type Usual = { start: string; expected: number; high: number };
    expect(chart.usual.every((u: Usual) => u.high > u.expected)).toBe(true);
    // The usual level: 15 a day over its 8 active hours (about 2 in each of them), none at night.
    const at = (h: number) => chart.usual.find((u: Usual) => new Date(u.start).getUTCHours() === h);
    expect(at(11).expected).toBeGreaterThan(1.5);
    expect(at(11).expected).toBeLessThan(2.5);
    expect(at(3).expected).toBe(0);
    expect(burst.length).toBeGreaterThan(chart.usual.find((u: Usual) => u.start === during[0].start).high * 2);

    expect((await harness.request('GET', `/agents/${agentId}/baseline?days=0`, undefined, ['soc-analyst'])).status).toBe(400);
    const longest = await harness.request('GET', `/agents/${agentId}/baseline?days=30`, undefined, ['soc-analyst']);
    expect(Date.parse(longest.body.activity.to) - Date.parse(longest.body.activity.from)).toBeLessThan(15 * DAY);
    expect(longest.body.activity.windows.filter((w: { open: boolean }) => !w.open)).toHaveLength(10 * 8);
  }, 90000);

  it('keeps the newest registry announcement by event time: a replayed older one never sets the agent back', async () => {
    const agentId = randomUUID();
    const at = Date.parse('2026-11-01T00:00:00Z');
    const lifecycle = (status: 'active' | 'suspended', riskTier: 'low' | 'critical', t: number): { data: TopicPayloads['agent.lifecycle.v1'] } => ({
      data: {
        kind: status === 'active' ? 'agent.registered' : 'agent.suspended',
        agentId,
        ownerId: 'owner-7',
        name: 'billing agent',
        purpose: 'billing',
        platform: 'langgraph',
        riskTier,
        scopes: ['billing.read'],
        status,
        occurredAt: new Date(t).toISOString(),
        cause: { type: 'api', actor: 'admin' },
      },
    });
    // The newer event first, then an older one (a replay, or a forged one carrying an old time).
    const [, older] = await harness.publish(Topics.AgentLifecycle, [lifecycle('suspended', 'critical', at + 3_600_000), lifecycle('active', 'low', at)]);
    await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT 1 FROM "behavior_baseliner"."inbox" WHERE "event_id" = $1`, [older])).rowCount),
      (n) => n === 1,
      { what: 'the older announcement consumed' },
    );
    const [row] = await withTestDatabase(
      async (c) => (await c.query(`SELECT "risk_tier", "status" FROM "behavior_baseliner"."known_agents" WHERE "agent_id" = $1`, [agentId])).rows,
    );
    expect(row).toEqual({ risk_tier: 'critical', status: 'suspended' });
  }, 60000);
});
