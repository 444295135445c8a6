import { randomUUID } from 'node:crypto';

import { Partitioners } from 'kafkajs';

import { Topics } from '@agentgov/contracts';
import { catalogTopics, encodeEvent, ensureTopics } from '@agentgov/messaging';
import { ServiceHarness } from '@agentgov/service-testing';
import { uniqueName, withTestDatabase } from '@agentgov/test-support';

import { BenchFigure } from '../bench-report';

const EVENTS = 300_000;
const AGENTS = 10_000;

/** Fills the activity topic of `harness` with realistic events from AGENTS agents before anything consumes it. */
async function fill(harness: ServiceHarness): Promise<void> {
  await ensureTopics(harness.kafka, catalogTopics(harness.topicPrefix));
  const agents = Array.from({ length: AGENTS }, () => randomUUID());
  const producer = harness.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const start = Date.parse('2026-10-01T08:00:00Z');
  try {
    for (let i = 0; i < EVENTS; i += 5000) {
      const messages = Array.from({ length: 5000 }, (_, k) => {
        const n = i + k;
        const e = encodeEvent({
          topic: Topics.AgentActivity,
          source: '/bench',
          data: {
            agentId: agents[n % AGENTS],
            occurredAt: new Date(start + n * 200).toISOString(),
            action: ['crm.read', 'crm.update', 'mail.send'][n % 3],
            resourceType: 'crm.contact',
            tool: ['crm-api', 'mailer'][n % 2],
            recordsTouched: 1 + (n % 7),
            outcome: n % 50 === 0 ? 'denied' : 'allowed',
          },
        });
        return { key: e.key, value: e.value, headers: e.headers };
      });
      await producer.send({ topic: harness.topic(Topics.AgentActivity), messages, acks: 1 });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The limit: how fast plain kafkajs, doing nothing with the messages, reads the same topic on this machine. */
async function rawConsumption(harness: ServiceHarness): Promise<number> {
  const consumer = harness.kafka.consumer({ groupId: uniqueName('raw'), maxBytes: 10 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [harness.topic(Topics.AgentActivity)], fromBeginning: true });
  let seen = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (!first) first = performance.now();
        seen += batch.messages.length;
        if (seen >= EVENTS) resolve(performance.now());
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  return (EVENTS * 1000) / (end - first);
}

async function covered(group: string): Promise<number> {
  const [{ n }] = await withTestDatabase(
    async (c) =>
      (await c.query(`SELECT COALESCE(sum("next_offset"), 0)::bigint AS n FROM "behavior_baseliner"."partition_checkpoints" WHERE "consumer" = $1`, [group]))
        .rows,
  );
  return Number(n);
}

export async function benchBaseliner(): Promise<BenchFigure[]> {
  const harness = new ServiceHarness('behavior-baseliner', { LOG_LEVEL: 'warn', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) });
  await fill(harness);
  const raw = await rawConsumption(harness);
  const group = `${harness.topicPrefix}behavior-baseliner.scoring`;
  const t0 = performance.now();
  await harness.start();
  let firstProgressAt = 0;
  let coveredAtFirstProgress = 0;
  for (;;) {
    const n = await covered(group);
    if (n > 0 && !firstProgressAt) {
      firstProgressAt = performance.now();
      coveredAtFirstProgress = n;
    }
    if (n >= EVENTS) break;
    if (performance.now() - t0 > 300_000) throw new Error(`baseliner covered only ${n} of ${EVENTS} events in 300 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const end = performance.now();
  // Steady state: from the first checkpoint to the last, so boot, group join and topic creation are left out.
  const rate = ((EVENTS - coveredAtFirstProgress) * 1000) / (end - firstProgressAt);
  const withBoot = (EVENTS * 1000) / (end - t0);
  const [{ bytes, keys }] = await withTestDatabase(
    async (c) =>
      (
        await c.query(
          `SELECT avg(octet_length("state"::text))::int AS bytes, count(*)::int AS keys FROM "behavior_baseliner"."keyed_state" WHERE "consumer" = $1`,
          [group],
        )
      ).rows,
  );
  await harness.stop();
  return [
    { name: 'raw kafkajs consumption of the activity topic', value: raw, unit: 'events/s', note: `${EVENTS.toLocaleString('en')} events, no processing` },
    {
      name: 'baseliner throughput (score + checkpoint), one instance',
      value: rate,
      unit: 'events/s',
      target: '≥ 50,000 events/s and ≥ 70% of raw',
      meets: rate >= 50_000 && rate >= 0.7 * raw,
      note: `${((rate / raw) * 100).toFixed(0)}% of raw; ${EVENTS.toLocaleString('en')} events of ${AGENTS.toLocaleString('en')} agents, first to last checkpoint (${withBoot.toFixed(0)} events/s counting boot)`,
    },
    { name: 'baseliner state per agent (serialised)', value: bytes, unit: 'bytes', target: '< 2 KB', meets: bytes < 2048, note: `${keys} agents` },
  ];
}
