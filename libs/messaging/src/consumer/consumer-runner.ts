import { createHash } from 'node:crypto';

import { context, propagation, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';

import { TopicName } from '@agentgov/contracts';
import { assertSqlIdentifier } from '@agentgov/persistence';

import { ConsumedEvent, decodeMessage, headersToStrings } from '../event-envelope';
import { createIdempotentProducer } from '../kafka/producer';
import { MessagingLogger, silentLogger } from '../messaging-logger';
import { lagByPartition, messagingMetrics } from '../messaging-metrics';
import { DeadLetterPublisher } from './dead-letter-publisher';
import { isTransientInfrastructureError, NonRetryableError } from './failure-kinds';

/** Runs inside the transaction that also records the event in the inbox: use `tx` for every write. */
export type EventHandler<T extends TopicName> = (event: ConsumedEvent<T>, tx: EntityManager) => Promise<void>;

export type EventHandlers = { [K in TopicName]?: EventHandler<K> };

export interface RetryPolicy {
  /** Attempts of a failing handler before the message is dead-lettered. */
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  dataSource: DataSource;
  /** The service's schema, which holds its inbox table. */
  schema: string;
  handlers: EventHandlers;
  /** Prepended to every topic name, to run several environments (or test runs) on one cluster. */
  topicPrefix?: string;
  retry?: Partial<RetryPolicy>;
  partitionsConsumedConcurrently?: number;
  /** Commit consumed offsets at least this often within a long batch. */
  commitIntervalMs?: number;
  sessionTimeoutMs?: number;
  logger?: MessagingLogger;
}

export type MessageOutcome = 'processed' | 'duplicate' | 'dead_lettered';

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, initialBackoffMs: 100, maxBackoffMs: 2000 };

const tracer = trace.getTracer('agentgov.messaging');

/**
 * Consumes topics with manual offset commits. Every message is validated against its contract, then its
 * handler runs in one database transaction together with an inbox row keyed by (consumer group, ce_id):
 * a redelivered event finds its row and has no second effect. Offsets are committed only after the
 * effects, so a crash or a rebalance redelivers at most the uncommitted tail, which the inbox absorbs.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly dlqProducer: Producer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly retry: RetryPolicy;
  private readonly logger: MessagingLogger;
  private readonly inboxTable: string;
  private readonly commitIntervalMs: number;
  private started = false;
  private crashed?: Error;
  /**
   * Per partition, the first offset handled since the last offset commit that went through. A commit that fails
   * (the broker restarting, its coordinator moving) is not retried as such: the partition is sent back to this
   * offset, its events come again, the inbox recognises each of them, and the commit is made again. Without this
   * a partition that goes quiet after a lost commit keeps a committed offset behind what was processed (a lag
   * alert that never clears) until its next event arrives.
   */
  private readonly uncommittedFrom = new Map<string, string>();

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.inboxTable = `"${assertSqlIdentifier(options.schema)}"."inbox"`;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger ?? silentLogger;
    this.commitIntervalMs = options.commitIntervalMs ?? 1000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    this.dlqProducer = createIdempotentProducer(options.kafka);
    this.deadLetters = new DeadLetterPublisher(this.dlqProducer, options.groupId, this.logger);
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      if (!event.payload.restart) this.crashed = error;
      this.logger.error({ group: options.groupId, err: error.message, restart: event.payload.restart }, 'consumer crashed');
    });
    // A new generation starts from the group's committed offsets: what was uncommitted before comes again anyway.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.uncommittedFrom.clear());
  }

  get topics(): TopicName[] {
    return Object.keys(this.options.handlers) as TopicName[];
  }

  private get prefix(): string {
    return this.options.topicPrefix ?? '';
  }

  /** False when the consumer stopped for good (a crash kafkajs will not restart). */
  get healthy(): boolean {
    return this.started && !this.crashed;
  }

  async start(): Promise<void> {
    // Made now (telemetry has started), so the gauges are exported before the first message.
    messagingMetrics();
    await this.dlqProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics.map((t) => this.prefix + t), fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.started = true;
  }

  /** Stops fetching, lets in-flight batches finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.consumer.disconnect();
    await this.dlqProducer.disconnect();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const physicalTopic = batch.topic;
    const topic = physicalTopic.slice(this.prefix.length) as TopicName;
    const partition = batch.partition;
    lagByPartition.set(`${physicalTopic}:${partition}`, {
      topic: physicalTopic,
      partition,
      group: this.options.groupId,
      lag: Number(batch.offsetLagLow()),
    });
    const key = `${physicalTopic}:${partition}`;
    let pending: string | undefined;
    let lastCommit = Date.now();
    /** Commits up to the last handled message; false when that failed and the partition was sent back. */
    const commit = async (): Promise<boolean> => {
      if (pending === undefined) return true;
      const offset = (BigInt(pending) + 1n).toString();
      pending = undefined;
      lastCommit = Date.now();
      try {
        await commitOffsetsIfNecessary({ topics: [{ topic: physicalTopic, partitions: [{ partition, offset }] }] });
        this.uncommittedFrom.delete(key);
        return true;
      } catch (error) {
        const from = this.uncommittedFrom.get(key);
        this.uncommittedFrom.delete(key);
        this.logger.warn(
          { topic: physicalTopic, partition, offset, redeliverFrom: from, err: (error as Error).message },
          'offset commit failed; the uncommitted events come again and the inbox absorbs them',
        );
        if (from !== undefined) this.redeliverFrom(physicalTopic, partition, from);
        return false;
      }
    };

    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      await this.handleMessage(topic, partition, message, heartbeat, isRunning);
      resolveOffset(message.offset);
      if (!this.uncommittedFrom.has(key)) this.uncommittedFrom.set(key, message.offset);
      pending = message.offset;
      await heartbeat();
      // After a failed commit the rest of this batch is fetched again from the seek (kafkajs drops it as stale).
      if (Date.now() - lastCommit >= this.commitIntervalMs && !(await commit())) return;
    }
    await commit();
  }

  /** Sends the partition's fetch position back (kafkajs skips batches it fetched before the seek). */
  private redeliverFrom(topic: string, partition: number, offset: string): void {
    try {
      this.consumer.seek({ topic, partition, offset });
    } catch (error) {
      // Only when the consumer is stopping: the next owner starts from the committed offset anyway.
      this.logger.warn({ topic, partition, offset, err: (error as Error).message }, 'could not rewind after a failed commit');
    }
  }

  private async handleMessage(
    topic: TopicName,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<MessageOutcome> {
    const startedAt = process.hrtime.bigint();
    const headers = headersToStrings(message.headers);
    const parent = propagation.extract(context.active(), headers);
    const span = tracer.startSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.kafka.destination.partition': partition,
          'messaging.kafka.message.offset': Number(message.offset),
          'messaging.consumer.group.name': this.options.groupId,
        },
      },
      parent,
    );
    try {
      const outcome = await context.with(trace.setSpan(parent, span), () => this.process(topic, partition, message, span, heartbeat, isRunning));
      span.setAttribute('agentgov.outcome', outcome);
      messagingMetrics().consumed.add(1, { topic, outcome });
      messagingMetrics().handleDuration.record(Number(process.hrtime.bigint() - startedAt) / 1e9, { topic });
      return outcome;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  private async process(
    topic: TopicName,
    partition: number,
    message: KafkaMessage,
    span: Span,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<MessageOutcome> {
    let event: ConsumedEvent;
    try {
      event = decodeMessage(topic, partition, message);
    } catch (error) {
      await this.deadLetter(topic, partition, message, error as Error, 0);
      return 'dead_lettered';
    }
    span.setAttribute('messaging.message.id', event.id);
    const digest = createHash('sha256')
      .update(message.value ?? Buffer.alloc(0))
      .digest('hex');
    const handler = this.options.handlers[topic] as EventHandler<TopicName>;
    let attempt = 0;
    let transientWaits = 0;
    for (;;) {
      try {
        return await this.options.dataSource.transaction((tx) => this.applyOnce(event, digest, tx, handler));
      } catch (error) {
        if (isTransientInfrastructureError(error)) {
          if (!isRunning()) throw error;
          transientWaits += 1;
          this.logger.warn({ topic, partition, offset: message.offset, eventId: event.id, err: (error as Error).message }, 'database unavailable; waiting');
          await this.pause(this.backoff(transientWaits), heartbeat);
          continue;
        }
        attempt += 1;
        const retryable = !(error instanceof NonRetryableError);
        if (!retryable || attempt >= this.retry.attempts) {
          await this.deadLetter(topic, partition, message, error as Error, attempt);
          return 'dead_lettered';
        }
        this.logger.warn({ topic, partition, offset: message.offset, eventId: event.id, attempt, err: (error as Error).message }, 'handler failed; retrying');
        await this.pause(this.backoff(attempt), heartbeat);
      }
    }
  }

  private async applyOnce(event: ConsumedEvent, digest: string, tx: EntityManager, handler: EventHandler<TopicName>): Promise<MessageOutcome> {
    const inserted: unknown[] = await tx.query(
      `INSERT INTO ${this.inboxTable} ("consumer", "event_id", "topic", "partition", "offset", "digest") VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [this.options.groupId, event.id, event.topic, event.partition, event.offset, digest],
    );
    if (inserted.length === 0) {
      const [seen] = (await tx.query(`SELECT "digest", "topic", "partition", "offset" FROM ${this.inboxTable} WHERE "consumer" = $1 AND "event_id" = $2`, [
        this.options.groupId,
        event.id,
      ])) as Array<{ digest: string | null; topic: string; partition: number; offset: string }>;
      // Same id, same content: a redelivery. Same id, other content: a squatted or colliding id, never dropped.
      if (!seen || seen.digest === null || seen.digest === digest) return 'duplicate';
      messagingMetrics().idReused.add(1, { topic: event.topic });
      this.logger.error(
        { topic: event.topic, partition: event.partition, offset: event.offset, eventId: event.id, firstAt: `${seen.topic}/${seen.partition}/${seen.offset}` },
        'event id reused with different content; dead-lettered',
      );
      throw new NonRetryableError(
        `event id ${event.id} was already used by another event (${seen.topic} partition ${seen.partition} offset ${seen.offset}) with different content`,
      );
    }
    await handler(event, tx);
    return 'processed';
  }

  private deadLetter(topic: string, partition: number, message: KafkaMessage, error: Error, attempts: number): Promise<void> {
    return this.deadLetters.publish(this.prefix + topic, partition, message, error, attempts);
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.retry.initialBackoffMs * 2 ** (attempt - 1), this.retry.maxBackoffMs);
    return base / 2 + Math.random() * (base / 2);
  }

  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, until - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }
}
