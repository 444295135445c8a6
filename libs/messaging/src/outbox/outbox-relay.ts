import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';

import { assertSqlIdentifier, connectionOf, PgNotificationListener } from '@agentgov/persistence';

import { MessagingLogger, silentLogger } from '../messaging-logger';
import { messagingMetrics } from '../messaging-metrics';
import { outboxChannel } from '../messaging-tables.sql';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  schema: string;
  /** An idempotent producer (see createIdempotentProducer); connected by the relay. */
  producer: Producer;
  batchSize?: number;
  /** Fallback poll when no notification arrives (lost connection, another replica held the lock). */
  pollIntervalMs?: number;
  logger?: MessagingLogger;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows to Kafka in id order, then deletes them.
 *
 * Ordering with several replicas: a transaction-scoped advisory lock lets one relay at a time drain the
 * table, so rows of one key are never published out of order by two replicas racing. A crash after the
 * send and before the delete republishes that batch; consumers dedupe on ce_id through their inbox.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly lockKey: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly logger: MessagingLogger;
  private running = false;
  private loop?: Promise<void>;
  private readonly listener: PgNotificationListener;
  private wake?: () => void;
  private woken = false;

  constructor(private readonly options: OutboxRelayOptions) {
    const schema = assertSqlIdentifier(options.schema);
    this.table = `"${schema}"."outbox"`;
    this.lockKey = `${schema}.outbox`;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.logger = options.logger ?? silentLogger;
    // Woken by every commit that adds rows; while the connection is lost it polls, and a reconnect drains at once.
    this.listener = new PgNotificationListener({
      connection: connectionOf(options.dataSource),
      channel: outboxChannel(schema),
      applicationName: `outbox-relay ${schema}`.slice(0, 63),
      onNotification: () => this.notify(),
      onGap: () => this.notify(),
      onError: (error) => this.logger.warn({ err: error.message }, 'outbox listener lost its connection; polling until it is back'),
    });
  }

  async start(): Promise<void> {
    // Made now (telemetry has started), so the gauges are exported before the first message.
    messagingMetrics();
    if (this.running) return;
    this.running = true;
    await this.options.producer.connect();
    await this.listener.start();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.notify();
    await this.loop;
    await this.listener.stop();
    await this.options.producer.disconnect();
  }

  /** Publishes what is in the outbox now; returns how many events went out. */
  async drainOnce(): Promise<number> {
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [this.lockKey]);
      if (!locked) {
        await runner.rollbackTransaction();
        return 0;
      }
      const rows: OutboxRow[] = await runner.query(`SELECT "id", "event_id", "topic", "key", "value", "headers" FROM ${this.table} ORDER BY "id" LIMIT $1`, [
        this.batchSize,
      ]);
      if (rows.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      await this.options.producer.sendBatch({ acks: -1, topicMessages: groupByTopic(rows) });
      await runner.query(`DELETE FROM ${this.table} WHERE "id" = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      await runner.commitTransaction();
      messagingMetrics().published.add(rows.length);
      return rows.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.drainOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        messagingMetrics().relayErrors.add(1);
        this.logger.error({ err: (error as Error).message, failures }, 'outbox relay round failed');
        await this.sleep(Math.min(100 * 2 ** failures, 5000));
        continue;
      }
      if (published === this.batchSize) continue;
      await this.sleep(this.pollIntervalMs);
    }
  }

  private notify(): void {
    this.woken = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function groupByTopic(rows: OutboxRow[]) {
  const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  for (const row of rows) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.key, value: row.value, headers: row.headers });
  }
  return [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages }));
}
