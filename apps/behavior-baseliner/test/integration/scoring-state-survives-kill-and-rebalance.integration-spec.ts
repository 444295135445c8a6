import { randomUUID } from 'node:crypto';

import { AgentBehaviorModel } from '@agentgov/anomaly-scoring';
import { TopicPayloads, Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { uniqueName, waitFor, withTestDatabase } from '@agentgov/test-support';

import { scoringGroupId } from '../../src/scoring/scoring-threads';

const AGENTS = 40;
const EVENTS = 4000;
const START = Date.parse('2026-10-01T08:00:00Z');

/** Activity for AGENTS agents over ~11 hours of event time (several usage windows each), in publishing order. */
function traffic(): { events: Array<{ data: TopicPayloads['agent.activity.v1'] }>; perAgent: Map<string, number> } {
  const agents = Array.from({ length: AGENTS }, () => randomUUID());
  const perAgent = new Map(agents.map((a) => [a, 0]));
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const agentId = agents[(i * 7) % AGENTS];
    perAgent.set(agentId, (perAgent.get(agentId) ?? 0) + 1);
    return {
      data: {
        agentId,
        occurredAt: new Date(START + i * 10_000).toISOString(),
        action: ['crm.read', 'crm.update'][i % 2],
        resourceType: 'crm.contact',
        tool: 'crm-api',
        recordsTouched: 1 + (i % 3),
        outcome: 'allowed' as const,
      },
    };
  });
  return { events, perAgent };
}

async function covered(harness: ServiceHarness): Promise<number> {
  const [{ n }] = await withTestDatabase(
    async (c) =>
      (
        await c.query(`SELECT COALESCE(sum("next_offset"), 0)::int AS n FROM "behavior_baseliner"."partition_checkpoints" WHERE "consumer" = $1`, [
          scoringGroupId(harness.topicPrefix),
        ])
      ).rows,
  );
  return n;
}

/** Events each agent's checkpointed model has learnt from. */
async function eventsLearnt(harness: ServiceHarness): Promise<Map<string, number>> {
  const rows: Array<{ key: string; state: { m: unknown } }> = await withTestDatabase(
    async (c) =>
      (await c.query(`SELECT "key", "state" FROM "behavior_baseliner"."keyed_state" WHERE "consumer" = $1`, [scoringGroupId(harness.topicPrefix)])).rows,
  );
  return new Map(rows.map((r) => [r.key, AgentBehaviorModel.fromJSON(r.state.m).eventsSeen]));
}

/**
 * Actions per agent summed over its agent.usage.v1 windows (each window once: a replay may publish one again),
 * once they add up to `total`; and the windows published twice with different contents (there must be none).
 */
async function usageTotals(harness: ServiceHarness, total: number): Promise<{ totals: Map<string, number>; conflicting: string[] }> {
  const byWindow = new Map<string, TopicPayloads['agent.usage.v1']>();
  const conflicting: string[] = [];
  const consumer = harness.kafka.consumer({ groupId: uniqueName('usage-reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [harness.topic(Topics.AgentUsage)], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const usage = JSON.parse(message.value?.toString('utf8') ?? '{}') as TopicPayloads['agent.usage.v1'];
      const id = `${usage.agentId}@${usage.windowStart}`;
      const seen = byWindow.get(id);
      if (seen && JSON.stringify(seen) !== JSON.stringify(usage)) conflicting.push(id);
      byWindow.set(id, usage);
    },
  });
  const sum = () => [...byWindow.values()].reduce((n, u) => n + u.actions, 0);
  try {
    await waitFor(
      async () => sum(),
      (n) => n >= total,
      { what: `usage windows adding up to ${total} actions`, timeoutMs: 60000 },
    );
  } finally {
    await consumer.disconnect();
  }
  const totals = new Map<string, number>();
  for (const u of byWindow.values()) totals.set(u.agentId, (totals.get(u.agentId) ?? 0) + u.actions);
  return { totals, conflicting };
}

/** Publishes in slices while `during` runs once the first `after` events are out. */
async function publishWhile(
  harness: ServiceHarness,
  events: Array<{ data: TopicPayloads['agent.activity.v1'] }>,
  after: number,
  during: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    await harness.publish(Topics.AgentActivity, events.slice(i, i + 200));
    if (i + 200 === after) await during();
  }
}

const FAST = { SCORING_CHECKPOINT_INTERVAL_MS: '200', SCORING_SESSION_TIMEOUT_MS: '6000', USAGE_WINDOW_MINUTES: '60', USAGE_GRACE_SECONDS: '3' };

describe('the baseliner’s per-agent state counts every event exactly once across failures', () => {
  const started: ServiceHarness[] = [];
  afterEach(async () => {
    for (const h of started.splice(0)) await h.stop();
  });

  it('after a kill -9 mid-stream and a restart, each agent has learnt exactly its events, and its usage adds up to them', async () => {
    const first = new ServiceHarness('behavior-baseliner', { env: FAST });
    started.push(first);
    await first.start();
    const { events, perAgent } = traffic();
    let coveredAtKill = 0;
    await publishWhile(first, events, 1600, async () => {
      await waitFor(
        () => covered(first),
        (n) => n > 0,
        { what: 'a first checkpoint', timeoutMs: 30000 },
      );
      first.service.kill();
      await first.service.waitForExit();
      coveredAtKill = await covered(first);
    });
    expect(coveredAtKill).toBeLessThan(EVENTS);

    const second = first.replica();
    started.push(second);
    await second.start();
    await waitFor(
      () => covered(second),
      (n) => n === EVENTS,
      { what: 'every event covered', timeoutMs: 60000 },
    );
    expect(Object.fromEntries(await eventsLearnt(second))).toEqual(Object.fromEntries(perAgent));
    // ~11 hours of event time, all in the past: every agent's windows close, on the clock for the last one.
    const { totals, conflicting } = await usageTotals(second, EVENTS);
    expect(Object.fromEntries(totals)).toEqual(Object.fromEntries(perAgent));
    expect(conflicting).toEqual([]);
  }, 150000);

  it('through a second replica joining and the first leaving mid-stream, each agent has learnt exactly its events', async () => {
    const a = new ServiceHarness('behavior-baseliner', { env: FAST });
    started.push(a);
    await a.start();
    const b = a.replica();
    started.push(b);
    const { events, perAgent } = traffic();
    await publishWhile(a, events.slice(0, 2400), 1000, () => b.start());
    await a.stop();
    await b.publish(Topics.AgentActivity, events.slice(2400));
    await waitFor(
      () => covered(b),
      (n) => n === EVENTS,
      { what: 'every event covered', timeoutMs: 60000 },
    );
    expect(Object.fromEntries(await eventsLearnt(b))).toEqual(Object.fromEntries(perAgent));
  }, 150000);
});
