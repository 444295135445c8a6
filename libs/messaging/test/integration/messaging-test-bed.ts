import { randomUUID } from 'node:crypto';

import { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaJSError, Message, Partitioners } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';

import { TopicPayloads, Topics } from '@agentgov/contracts';
import {
  cleanUpTestTopics,
  createTopics,
  dropSchema,
  TEST_DATABASE_URL,
  TEST_KAFKA_BROKERS,
  testKafkaSecurity,
  testTopicPrefix,
  uniqueName,
} from '@agentgov/test-support';

import { ConsumedEvent, createKafkaClient, encodeEvent, messagingTablesUpSql } from '../../src';

export const ACTIVITY = Topics.AgentActivity;

/**
 * A private world per test file on the real broker and database: its own schema (inbox, outbox and an
 * `effects` table that handlers write to) and its own topic prefix, so tests never see each other's data.
 */
export class MessagingTestBed {
  readonly schema = uniqueName('msgtest');
  readonly prefix = testTopicPrefix('t');
  readonly kafka: Kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'messaging-tests', security: testKafkaSecurity() });
  readonly dataSource = new DataSource({ type: 'postgres', url: TEST_DATABASE_URL, extra: { max: 6 } });

  topic(name: string = ACTIVITY): string {
    return this.prefix + name;
  }

  async setUp(partitions = 3): Promise<void> {
    await this.dataSource.initialize();
    await this.dataSource.query(`CREATE SCHEMA "${this.schema}"`);
    for (const sql of messagingTablesUpSql(this.schema)) await this.dataSource.query(sql);
    // No unique constraint on purpose: a doubled effect must be visible as a second row.
    await this.dataSource.query(
      `CREATE TABLE "${this.schema}"."effects" ("seq" bigserial PRIMARY KEY, "event_id" text NOT NULL, "agent_id" text NOT NULL, "action" text NOT NULL)`,
    );
    await createTopics(this.kafka, [
      { topic: this.topic(), numPartitions: partitions },
      { topic: `${this.topic()}.dlq`, numPartitions: 1 },
    ]);
  }

  /** Drops the schema and deletes every topic (and consumer group) under the bed's prefix, whoever created it. */
  async tearDown(): Promise<void> {
    await cleanUpTestTopics(this.prefix);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await dropSchema(this.schema);
  }

  async effects(): Promise<Array<{ event_id: string; agent_id: string; action: string }>> {
    return this.dataSource.query(`SELECT "event_id", "agent_id", "action" FROM "${this.schema}"."effects" ORDER BY "seq"`);
  }

  async effectCount(): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM "${this.schema}"."effects"`);
    return n;
  }

  /** Sum over partitions of the group's committed offsets: how many messages the group has finished. */
  async committed(groupId: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [this.topic()] });
      return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async produce(messages: Message[]): Promise<void> {
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({ topic: this.topic(), messages, acks: -1 });
    } finally {
      await producer.disconnect();
    }
  }
}

/** The effect a test handler has: one row in `effects`, written in the handler's transaction. */
export async function recordEffect(schema: string, event: ConsumedEvent<typeof ACTIVITY>, tx: EntityManager): Promise<void> {
  await tx.query(`INSERT INTO "${schema}"."effects" ("event_id", "agent_id", "action") VALUES ($1, $2, $3)`, [event.id, event.data.agentId, event.data.action]);
}

export function activity(agentId: string, action: string, overrides: Partial<TopicPayloads[typeof ACTIVITY]> = {}): TopicPayloads[typeof ACTIVITY] {
  return {
    agentId,
    occurredAt: new Date().toISOString(),
    action,
    resourceType: 'crm.contact',
    recordsTouched: 1,
    outcome: 'allowed',
    ...overrides,
  } as TopicPayloads[typeof ACTIVITY];
}

/** A valid activity event as a Kafka message, encoded the way every producer of the system encodes it. */
export function activityMessage(agentId: string, action: string, id: string = randomUUID()): Message {
  const encoded = encodeEvent({ topic: ACTIVITY, data: activity(agentId, action), source: '/tests', id });
  return { key: encoded.key, value: encoded.value, headers: encoded.headers };
}

/**
 * The Kafka client, except that the first `count` offset commits of the consumers it makes fail the way they do
 * while the group coordinator is unavailable (a broker restarting): commits from a batch and direct ones alike.
 */
export function kafkaFailingFirstCommits(real: Kafka, count: number): { kafka: Kafka; failedCommits: () => number } {
  let failed = 0;
  const failOrDo = async <T>(commit: () => Promise<T>): Promise<T> => {
    if (failed < count) {
      failed++;
      throw new KafkaJSError('The coordinator is not available', { retriable: true });
    }
    return commit();
  };
  const kafka = Object.create(real) as Kafka;
  kafka.consumer = (config: ConsumerConfig): Consumer => {
    const consumer = real.consumer(config);
    const run = consumer.run.bind(consumer);
    const commitOffsets = consumer.commitOffsets.bind(consumer);
    consumer.commitOffsets = (offsets) => failOrDo(() => commitOffsets(offsets));
    consumer.run = (runConfig) => {
      const eachBatch = runConfig?.eachBatch;
      if (!eachBatch) return run(runConfig);
      return run({
        ...runConfig,
        eachBatch: (payload: EachBatchPayload) =>
          eachBatch({ ...payload, commitOffsetsIfNecessary: (offsets) => failOrDo(() => payload.commitOffsetsIfNecessary(offsets)) }),
      });
    };
    return consumer;
  };
  return { kafka, failedCommits: () => failed };
}
