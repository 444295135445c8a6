import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { Partitioners } from 'kafkajs';

import { Topics } from '@agentgov/contracts';
import { catalogTopics, createKafkaClient, encodeEvent, ensureTopics, KEYED_STATE_FETCH } from '@agentgov/messaging';
import { ServiceHarness } from '@agentgov/service-testing';
import { benchPlaintextBroker, TEST_KAFKA_BROKERS, testKafkaSecurity, uniqueName, waitFor, withTestDatabase } from '@agentgov/test-support';

import { BenchContext } from '../bench-run';

const EVENTS = 1_000_000;
const AGENTS = 10_000;
/** No new event for this long: the broker or the service is gone, and the run fails instead of waiting forever. */
const STALL_MS = 120_000;

/**
 * Announces the agents on agent.lifecycle.v1 as the provisioner would, and waits until the baseliner has learnt
 * them all: in production nearly all activity comes from registered agents, and an unregistered one is reported
 * as a shadow agent (an anomaly event per agent, which is not the path this measures).
 */
async function register(context: BenchContext, harness: ServiceHarness, agents: string[]): Promise<void> {
  const at = new Date('2026-09-30T08:00:00Z').toISOString();
  await harness.publish(
    Topics.AgentLifecycle,
    agents.map((agentId, i) => ({
      data: {
        kind: 'agent.registered' as const,
        agentId,
        ownerId: `owner-${i % 500}`,
        name: `bench agent ${i}`,
        purpose: 'crm assistant',
        platform: 'langgraph',
        riskTier: 'medium' as const,
        scopes: ['crm.read'],
        status: 'active' as const,
        occurredAt: at,
        cause: { type: 'api' as const, actor: 'bench' },
      },
    })),
  );
  const learning = context.progress(`waiting for the baseliner to learn ${agents.length.toLocaleString('en')} registered agents`, {
    total: agents.length,
    unit: 'agents',
  });
  await waitFor(
    async () => {
      const n = await withTestDatabase(
        async (c) =>
          (await c.query(`SELECT count(*)::int AS n FROM "behavior_baseliner"."known_agents" WHERE "agent_id" = ANY($1)`, [agents])).rows[0].n as number,
      );
      learning.update(n);
      return n;
    },
    (n) => n === agents.length,
    { timeoutMs: 120_000, intervalMs: 250, what: 'the baseliner learning the registered agents' },
  );
  learning.done();
}

/** Fills the activity topic of `harness` with realistic events from the agents before anything consumes it. */
async function fill(context: BenchContext, harness: ServiceHarness, agents: string[]): Promise<void> {
  const progress = context.progress('filling the activity topic', { total: EVENTS, unit: 'events' });
  const producer = harness.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // One hour of a busy fleet: each agent acts about every 36 s. (Spreading the same events over days would make
  // every other event of an agent close an hourly usage window, which no live traffic does.)
  const start = Date.parse('2026-10-01T08:00:00Z');
  const spacingMs = 3_600_000 / EVENTS;
  try {
    for (let i = 0; i < EVENTS; i += 5000) {
      const messages = Array.from({ length: 5000 }, (_, k) => {
        const n = i + k;
        const e = encodeEvent({
          topic: Topics.AgentActivity,
          source: '/bench',
          data: {
            agentId: agents[n % AGENTS],
            occurredAt: new Date(start + n * spacingMs).toISOString(),
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
      progress.update(i + messages.length);
    }
    progress.done();
  } finally {
    await producer.disconnect();
  }
}

/**
 * The limit: how fast plain kafkajs, doing nothing with the messages, reads the same topic on this machine, over the
 * same locked-down listener (TLS and SCRAM) the service reads it from.
 */
async function rawConsumption(context: BenchContext, harness: ServiceHarness, run: string): Promise<{ rate: number; cpuPerEvent: number }> {
  // The same fetch sizes as the baseliner's consumers, so this is the limit for them. As the broker's admin: a
  // throwaway consumer group has no ACL of its own.
  // The same listener as the baseliner's (the locked-down one, or the plaintext one of a TLS-cost comparison).
  const kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'bench-raw', security: testKafkaSecurity() });
  const consumer = kafka.consumer({ groupId: uniqueName('raw'), maxWaitTimeInMs: 100, ...KEYED_STATE_FETCH });
  await consumer.connect();
  await consumer.subscribe({ topics: [harness.topic(Topics.AgentActivity)], fromBeginning: true });
  const progress = context.progress(`raw kafkajs consumption (${run})`, { total: EVENTS, unit: 'events' });
  let seen = 0;
  let first = 0;
  let cpuAtFirst: NodeJS.CpuUsage | undefined;
  // A broker that stops answering fails the run instead of leaving it waiting forever.
  let stalled: ReturnType<typeof setInterval> | undefined;
  try {
    const done = new Promise<number>((resolve, reject) => {
      let seenBefore = -1;
      stalled = setInterval(() => {
        if (seen === seenBefore) reject(new Error(`raw consumption stalled at ${seen} of ${EVENTS} events for ${STALL_MS / 1000} s`));
        seenBefore = seen;
      }, STALL_MS);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          if (!first) {
            first = performance.now();
            cpuAtFirst = process.cpuUsage();
          }
          seen += batch.messages.length;
          progress.update(seen);
          if (seen >= EVENTS) resolve(performance.now());
        },
      });
    });
    const end = await done;
    const cpu = process.cpuUsage(cpuAtFirst);
    const rate = (EVENTS * 1000) / (end - first);
    progress.done(`${Math.round(rate).toLocaleString('en')} events/s from the first batch`);
    return { rate, cpuPerEvent: (cpu.user + cpu.system) / EVENTS };
  } finally {
    clearInterval(stalled);
    await consumer.disconnect();
  }
}

/** The service's baseliner_events_scored_total (all scoring threads), from its Prometheus endpoint. */
async function processedEvents(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('baseliner_events_scored_total'));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function covered(group: string): Promise<number> {
  const [{ n }] = await withTestDatabase(
    async (c) =>
      (await c.query(`SELECT COALESCE(sum("next_offset"), 0)::bigint AS n FROM "behavior_baseliner"."partition_checkpoints" WHERE "consumer" = $1`, [group]))
        .rows,
  );
  return Number(n);
}

interface ScoringRun {
  /** Events/s while 5% to 95% of the events were scored. */
  rate: number;
  /** Events/s from process start to the checkpoint that covers every event. */
  withBoot: number;
  /** CPU time of the service's process per event scored, over the same span as `rate` (µs). */
  cpuPerEvent: number;
}

/**
 * One run of the service over the whole topic, from nothing: its scoring group's checkpoints, state and Kafka
 * offsets are removed first, so every run scores all the events.
 */
async function scoringRun(context: BenchContext, harness: ServiceHarness, group: string, run: string): Promise<ScoringRun> {
  await withTestDatabase(async (c) => {
    await c.query(`DELETE FROM "behavior_baseliner"."partition_checkpoints" WHERE "consumer" = $1`, [group]);
    await c.query(`DELETE FROM "behavior_baseliner"."keyed_state" WHERE "consumer" = $1`, [group]);
  });
  const admin = harness.kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listGroups()).groups.some((g) => g.groupId === group)) await admin.deleteGroups([group]);
  } finally {
    await admin.disconnect();
  }
  const t0 = performance.now();
  const progress = context.progress(`baseliner scoring the backlog (${run}; from its process start)`, { total: EVENTS, unit: 'events' });
  await harness.start();
  // Scoring rate from the service's own counter, from 5% to 95% of the events, so boot, group join and the tail are
  // left out. It is sampled every 200 ms, the pace at which the scoring threads report progress: polling faster only
  // loads the machine under measurement, which raw consumption does not share. Checkpoints run beside scoring; the
  // time until the last one covers every event is reported too.
  const pid = harness.service.process.pid;
  if (pid === undefined) throw new Error('the baseliner process has no pid');
  const samples: Array<{ at: number; n: number; cpuMs: number }> = [];
  for (;;) {
    const n = await processedEvents(harness.url);
    samples.push({ at: performance.now(), n, cpuMs: processCpuMs(pid) });
    progress.update(n);
    if (n >= EVENTS) break;
    if (performance.now() - t0 > 600_000) throw new Error(`baseliner scored only ${n} of ${EVENTS} events in 600 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const from = samples.find((s) => s.n >= EVENTS * 0.05)!;
  const to = samples.find((s) => s.n >= EVENTS * 0.95)!;
  const rate = ((to.n - from.n) * 1000) / (to.at - from.at);
  const cpuPerEvent = ((to.cpuMs - from.cpuMs) * 1000) / (to.n - from.n);
  progress.done(`${Math.round(rate).toLocaleString('en')} events/s from 5% to 95%`);
  const checkpointing = context.progress(`waiting for the checkpoints to cover every event (${run})`, { total: EVENTS, unit: 'events' });
  for (let n = await covered(group); n < EVENTS; n = await covered(group)) {
    checkpointing.update(n);
    if (performance.now() - t0 > 660_000) throw new Error('the last checkpoint never covered every event');
    await new Promise((r) => setTimeout(r, 50));
  }
  const withBoot = (EVENTS * 1000) / (performance.now() - t0);
  checkpointing.done();
  await harness.stop();
  return { rate, withBoot, cpuPerEvent };
}

/** CPU time (all threads, user and system) a process has used so far, from /proc, in milliseconds. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime (fields 14 and 15 of the line) are in clock ticks, 100 a second on Linux.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const RUNS = 2;

export async function benchBaseliner(context: BenchContext): Promise<void> {
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the service under this load.
  const harness = new ServiceHarness('behavior-baseliner', {
    env: { LOG_LEVEL: 'warn', ...(process.env.BENCH_SCORING_THREADS ? { SCORING_THREADS: process.env.BENCH_SCORING_THREADS } : {}) },
    nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean),
    keepTopics: true,
  });
  const agents = Array.from({ length: AGENTS }, () => randomUUID());
  const group = `${harness.topicPrefix}behavior-baseliner.scoring`;
  // The service runs several times over one backlog: its topics stay until the end.
  try {
    await ensureTopics(harness.kafka, catalogTopics(harness.topicPrefix));
    const starting = context.progress('starting the baseliner');
    await harness.start();
    starting.done();
    await register(context, harness, agents);
    await harness.stop();
    await fill(context, harness, agents);
    // Plain consumption and the service take turns, twice, and each is credited with its better run: on this
    // shared 2-core machine either can meet a slow moment, and the ratio compares what each can reach. After each
    // turn the best so far is recorded, so a failure in the second keeps the first.
    const raws: Array<{ rate: number; cpuPerEvent: number }> = [];
    const runs: ScoringRun[] = [];
    const list = (values: number[]) => values.map((v) => Math.round(v).toLocaleString('en')).join(' and ');
    for (let i = 0; i < RUNS; i++) {
      const run = `run ${i + 1} of ${RUNS}`;
      raws.push(await rawConsumption(context, harness, run));
      runs.push(await scoringRun(context, harness, group, run));
      const bestRaw = raws.reduce((a, b) => (b.rate > a.rate ? b : a));
      const raw = bestRaw.rate;
      const best = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
      const rate = best.rate;
      const of = runs.length === RUNS ? `best of ${RUNS} runs` : `best of ${runs.length} run so far (of ${RUNS})`;
      context.record({
        name: 'raw kafkajs consumption of the activity topic',
        value: raw,
        unit: 'events/s',
        note: `${EVENTS.toLocaleString('en')} events over ${benchPlaintextBroker() ? 'the plaintext comparison listener' : 'TLS and SCRAM'} (the listener the service reads from), no processing, same fetch sizes as the baseliner; ${of} (${list(raws.map((r) => r.rate))}), taking turns with the baseliner's; ${bestRaw.cpuPerEvent.toFixed(1)} µs of CPU per event in the better run`,
      });
      context.record({
        name: 'baseliner throughput (score + checkpoint), one instance',
        value: rate,
        unit: 'events/s',
        target: '≥ 50,000 events/s and ≥ 70% of raw',
        meets: rate >= 50_000 && rate >= 0.7 * raw,
        note: `${((rate / raw) * 100).toFixed(0)}% of raw; ${EVENTS.toLocaleString('en')} events of ${AGENTS.toLocaleString('en')} agents, 5% to 95% of the events scored; ${of} (${list(runs.map((r) => r.rate))}); ${best.cpuPerEvent.toFixed(1)} µs of the service's CPU (all threads) per event in the better run; ${best.withBoot.toFixed(0)} events/s from process start to the checkpoint covering all`,
      });
    }
    const [{ bytes, keys }] = await withTestDatabase(
      async (c) =>
        (
          await c.query(
            `SELECT avg(octet_length("state"::text))::int AS bytes, count(*)::int AS keys FROM "behavior_baseliner"."keyed_state" WHERE "consumer" = $1`,
            [group],
          )
        ).rows,
    );
    context.record({
      name: 'baseliner state per agent (serialised)',
      value: bytes,
      unit: 'bytes',
      target: '< 2 KB',
      meets: bytes < 2048,
      note: `${keys} agents`,
    });
  } finally {
    await harness.stop();
    await harness.removeTopics();
    // The run's agents and their state are the bench's own: leave nothing behind in the shared test database, however
    // the run ended.
    await withTestDatabase(async (c) => {
      await c.query(`DELETE FROM "behavior_baseliner"."keyed_state" WHERE "consumer" = $1`, [group]);
      await c.query(`DELETE FROM "behavior_baseliner"."partition_checkpoints" WHERE "consumer" = $1`, [group]);
      await c.query(`DELETE FROM "behavior_baseliner"."known_agents" WHERE "agent_id" = ANY($1)`, [agents]);
    }).catch((error) => context.log(`could not remove the run's agents and state: ${error instanceof Error ? error.message : String(error)}`));
  }
}
