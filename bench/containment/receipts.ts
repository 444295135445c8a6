import { Kafka } from 'kafkajs';
import { Client } from 'pg';

import { CE_HEADERS, TopicPayloads } from '@agentgov/contracts';
import { headersToStrings } from '@agentgov/messaging';
import { TEST_DATABASE_URL, uniqueName, withTestDatabase } from '@agentgov/test-support';

/** An anomaly as the bench saw it on agent.anomaly.v1, with the times it carries. */
export interface SeenAnomaly {
  agentId: string;
  eventId?: string;
  /** Same key, same partitioner and partition count as agent.activity.v1: the partition the event was scored on. */
  partition: number;
  kind: TopicPayloads['agent.anomaly.v1']['kind'];
  score: number;
  episodeState: TopicPayloads['agent.anomaly.v1']['episodeState'];
  /** ce_time: when the baseliner wrote it to its outbox (in the checkpoint transaction). */
  writtenAt: number;
  /** The Kafka record's timestamp: when the baseliner's outbox relay produced it. */
  onKafkaAt: number;
  /** When this bench's own consumer received it. */
  receivedAt: number;
}

/** Reads agent.anomaly.v1 from the beginning for as long as the bench runs. */
export async function watchAnomalies(kafka: Kafka, topic: string): Promise<{ seen: SeenAnomaly[]; stop: () => Promise<void> }> {
  const seen: SeenAnomaly[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('bench-anomalies'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const receivedAt = Date.now();
      for (const message of batch.messages) {
        const data = JSON.parse(message.value?.toString('utf8') ?? '{}') as TopicPayloads['agent.anomaly.v1'];
        const headers = headersToStrings(message.headers);
        seen.push({
          agentId: data.agentId,
          eventId: data.eventId,
          partition: batch.partition,
          kind: data.kind,
          score: data.score,
          episodeState: data.episodeState,
          writtenAt: Date.parse(headers[CE_HEADERS.time] ?? ''),
          onKafkaAt: Number(message.timestamp),
          receivedAt,
        });
      }
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

/** Target agents whose containment action has a receipt from every connector (none pending or retrying). */
export async function settledAgents(agents: string[], connectors: number): Promise<Set<string>> {
  const rows = await withTestDatabase(
    async (c) =>
      (
        await c.query(
          `SELECT a."agent_id" FROM "containment"."actions" a JOIN "containment"."deliveries" d ON d."action_id" = a."id"
           WHERE a."agent_id" = ANY($1) GROUP BY a."agent_id"
           HAVING count(*) >= $2 AND count(*) FILTER (WHERE d."status" IN ('pending', 'retrying')) = 0`,
          [agents, connectors],
        )
      ).rows as Array<{ agent_id: string }>,
  );
  return new Set(rows.map((r) => r.agent_id));
}

export interface ContainmentRecord {
  agentId: string;
  /** incidents.opened_at (containment's clock, when the first anomaly of the episode was handled). */
  incidentOpenedAt: number;
  /** actions.created_at: when policy decided to contain (deliveries are created in the same transaction). */
  actionAt: number;
  reason: string;
  actions: number;
  deliveries: Array<{ target: string; status: string; at: number; attempts: number; reason: string | null }>;
  /** The latest receipt of the action, as the statement in the brief reads it; undefined while one is open. */
  lastReceiptAt?: number;
}

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/** What containment recorded for each target: its incident, its (first) containment action and every receipt. */
export async function containmentRecords(agents: string[]): Promise<Map<string, ContainmentRecord>> {
  return withTestDatabase(async (c) => {
    const rows = (
      await c.query(
        `SELECT a."agent_id", a."id", a."reason", ${ms('a."created_at"')} AS action_at, ${ms('i."opened_at"')} AS opened_at,
                (SELECT count(*)::int FROM "containment"."actions" x WHERE x."agent_id" = a."agent_id") AS actions,
                json_agg(json_build_object('target', d."target", 'status', d."status", 'at', ${ms('d."updated_at"')}, 'attempts', d."attempts", 'reason', d."reason")) AS deliveries
         FROM "containment"."actions" a
         JOIN "containment"."incidents" i ON i."id" = a."incident_id"
         JOIN "containment"."deliveries" d ON d."action_id" = a."id"
         WHERE a."agent_id" = ANY($1) AND a."kind" = 'contain'
         GROUP BY a."agent_id", a."id", a."reason", a."created_at", i."opened_at"
         ORDER BY a."created_at"`,
        [agents],
      )
    ).rows as Array<{ agent_id: string; reason: string; action_at: number; opened_at: number; actions: number; deliveries: ContainmentRecord['deliveries'] }>;
    const records = new Map<string, ContainmentRecord>();
    for (const r of rows) {
      if (records.has(r.agent_id)) continue; // the first containment of the agent
      records.set(r.agent_id, {
        agentId: r.agent_id,
        incidentOpenedAt: r.opened_at,
        actionAt: r.action_at,
        reason: r.reason,
        actions: r.actions,
        deliveries: r.deliveries,
      });
    }
    for (const record of records.values()) {
      if (record.deliveries.some((d) => d.status === 'pending' || d.status === 'retrying')) continue;
      // The end of the measurement, exactly as specified: the latest confirmed or sent receipt of the agent's action.
      const [{ last }] = (
        await c.query(
          `SELECT ${ms('max(d."updated_at")')} AS last FROM "containment"."deliveries" d JOIN "containment"."actions" a ON a."id" = d."action_id"
           WHERE a."agent_id" = $1 AND d."status" IN ('confirmed', 'sent')`,
          [record.agentId],
        )
      ).rows as Array<{ last: number | null }>;
      if (last !== null) record.lastReceiptAt = last;
    }
    return records;
  });
}

/**
 * Offset of the database clock from this process's clock (ms; positive: Postgres ahead), from the exchange with the
 * shortest round trip (Date.now(), the clock produce times are taken with). Both read the same machine's clock, so
 * this is expected to be within the round trip.
 */
export async function clockOffset(): Promise<{ offsetMs: number; roundTripMs: number }> {
  return withTestDatabase(async (c) => {
    let best = { offsetMs: NaN, roundTripMs: Infinity };
    for (let i = 0; i < 10; i++) {
      const before = Date.now();
      const [{ db }] = (await c.query(`SELECT ${ms('clock_timestamp()')} AS db`)).rows as Array<{ db: number }>;
      const after = Date.now();
      if (after - before < best.roundTripMs) best = { offsetMs: db - (before + after) / 2, roundTripMs: after - before };
    }
    return best;
  });
}

/**
 * The starts of the baseliner's checkpoint transactions, per partition (partition_checkpoints.updated_at is set with
 * now(), the transaction's start), polled while the bench runs: an anomaly leaves with a checkpoint, and this tells
 * the wait for that checkpoint from the checkpoint's own writing (its state upserts come before the outbox row).
 */
export class CheckpointWatch {
  readonly starts = new Map<number, number[]>();
  private running = false;
  private loop?: Promise<void>;
  private readonly client = new Client({ connectionString: TEST_DATABASE_URL });

  constructor(private readonly group: string) {}

  async start(intervalMs = 10): Promise<void> {
    await this.client.connect();
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const rows = (
          await this.client.query(`SELECT "partition", ${ms('"updated_at"')} AS at FROM "behavior_baseliner"."partition_checkpoints" WHERE "consumer" = $1`, [
            this.group,
          ])
        ).rows as Array<{ partition: number; at: number }>;
        for (const r of rows) {
          const seen = this.starts.get(r.partition) ?? [];
          if (seen[seen.length - 1] !== r.at) seen.push(r.at);
          this.starts.set(r.partition, seen);
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }

  /** Start of the checkpoint that wrote an event at `writtenAt` on the partition: the latest one begun before it. */
  startOf(partition: number, writtenAt: number): number | undefined {
    const before = (this.starts.get(partition) ?? []).filter((at) => at <= writtenAt);
    return before.length ? Math.max(...before) : undefined;
  }
}
