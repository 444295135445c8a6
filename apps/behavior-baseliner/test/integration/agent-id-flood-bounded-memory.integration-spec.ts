import { randomUUID } from 'node:crypto';

import { TopicPayloads, Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { waitFor, withTestDatabase } from '@agentgov/test-support';

const BOUND = 100;

function activity(agentId: string, t: number): { data: TopicPayloads['agent.activity.v1'] } {
  return {
    data: {
      agentId,
      occurredAt: new Date(t).toISOString(),
      action: 'crm.read',
      resourceType: 'crm.contact',
      tool: 'crm-api',
      recordsTouched: 1,
      outcome: 'allowed',
    },
  };
}

/** The value of a gauge or counter on the service's Prometheus page. */
async function metric(harness: ServiceHarness, name: string): Promise<number | undefined> {
  const page = await harness.request('GET', '/metrics');
  const line = String(page.body)
    .split('\n')
    .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('a flood of distinct agent ids does not grow the baseliner’s memory', () => {
  const harness = new ServiceHarness('behavior-baseliner', {
    env: { SCORING_THREADS: '1', SCORING_MAX_RESIDENT_AGENTS: String(BOUND), SCORING_CHECKPOINT_INTERVAL_MS: '300' },
  });
  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  it(`holds at most ${BOUND} agents in memory after 1,500 new ids, and an evicted agent's next event continues its baseline`, async () => {
    const t0 = Date.parse('2026-10-01T09:00:00Z');
    const flood = Array.from({ length: 1500 }, () => `flood-${randomUUID()}`);
    await harness.publish(
      Topics.AgentActivity,
      flood.map((id, i) => activity(id, t0 + i)),
    );
    const learnt = (ids: string[]) =>
      withTestDatabase(
        async (c) => (await c.query(`SELECT count(*)::int AS n FROM "behavior_baseliner"."keyed_state" WHERE "key" = ANY($1)`, [ids])).rows[0].n as number,
      );
    await waitFor(
      () => learnt(flood),
      (n) => n === flood.length,
      { what: 'every flooded id checkpointed', timeoutMs: 60000 },
    );
    await waitFor(
      () => metric(harness, 'baseliner_agents_in_memory'),
      (n) => n !== undefined && n <= BOUND,
      {
        what: 'the scoring thread evicting cold agents',
        timeoutMs: 20000,
      },
    );

    // The first ids were the first evicted: a second event must be learnt on top of the first, read back from
    // the checkpoint (eventsLearnt 2), not on a fresh baseline (1).
    const first = flood[0];
    await harness.publish(Topics.AgentActivity, [activity(first, t0 + 60_000)]);
    const view = await waitFor(
      () => harness.request('GET', `/agents/${first}/baseline`, undefined, ['soc-analyst']),
      (r) => r.status === 200 && r.body.eventsLearnt >= 2,
      { what: 'the evicted agent’s second event checkpointed', timeoutMs: 20000 },
    );
    expect(view.body.eventsLearnt).toBe(2);
    expect(await metric(harness, 'baseliner_agents_in_memory')).toBeLessThanOrEqual(BOUND);
  }, 120000);

  it('serves the scoring thread’s own metrics on the service’s /metrics: its evictions, the events it folded, its checkpoints and its lag', async () => {
    // The thread sends its metrics every second; by now it has evicted and consumed the flood above.
    const page = await waitFor(
      async () => String((await harness.request('GET', '/metrics')).body),
      (text) => /^stateful_keys_evicted_total\{[^}]*thread="scoring-0"[^}]*\} [1-9]/m.test(text),
      { what: 'the scoring thread’s evictions on /metrics', timeoutMs: 10000 },
    );
    expect(page).toMatch(/^stateful_events_processed_total\{[^}]*thread="scoring-0"[^}]*\} 15\d\d$/m);
    expect(page).toMatch(/^consumer_lag_messages\{(?=[^}]*thread="scoring-0")(?=[^}]*group="[^"]*behavior-baseliner\.scoring")[^}]*\} \d+$/m);
    expect(page).toMatch(/^stateful_checkpoint_duration_seconds_bucket\{(?=[^}]*thread="scoring-0")[^}]*le="0.25"\} [1-9]/m);
    // One TYPE line per name, or Prometheus refuses the whole page.
    const types = page.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  }, 30000);
});
