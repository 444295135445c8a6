import { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';

import { TopicName } from '@agentgov/contracts';
import { assertSqlIdentifier } from '@agentgov/persistence';

import { DeadLetterPublisher } from '../consumer/dead-letter-publisher';
import { ConsumedEvent, decodeMessage, OutgoingEvent } from '../event-envelope';
import { createIdempotentProducer } from '../kafka/producer';
import { MessagingLogger, silentLogger } from '../messaging-logger';
import { lagByPartition, liveKeyedStateRunners, messagingMetrics } from '../messaging-metrics';
import { OutboxWriter } from '../outbox/outbox-writer';

/** What to keep per key (per agent, for the baseliner) and how to fold an event into it. */
export interface KeyedStateHandler<T extends TopicName, S> {
  initial(key: string, event: ConsumedEvent<T>): S;
  /**
   * Folds the event into the state (mutating it). Events to emit go through `emit`; they reach the outbox in the
   * same transaction as the state they came from. Give them ids derived from the event's id: after a crash the
   * events since the last checkpoint are applied again and must emit the same ids.
   */
  apply(state: S, event: ConsumedEvent<T>, emit: (event: Omit<OutgoingEvent, 'source'>) => void): void;
  toJSON(state: S): unknown;
  fromJSON(json: unknown): S;
  /**
   * Called for every key about once per checkpoint interval with the wall-clock time, for work that time alone
   * triggers (closing a summary window of a key that went quiet). Returns true when it changed the state.
   * Ids of what it emits must derive from the state (e.g. the window), not from the clock, so a replay emits
   * the same ids.
   */
  onTimer?(key: string, state: S, now: number, emit: (event: Omit<OutgoingEvent, 'source'>) => void): boolean;
  /**
   * The earliest wall-clock time (epoch ms) at which `onTimer` could change this state, if it could at all. A key
   * evicted from memory is brought back at that time so its timer still runs; without it, an evicted key's timer
   * waits for the key's next event.
   */
  wakeAt?(state: S): number | undefined;
}

export interface KeyedStateRunnerOptions<T extends TopicName, S> {
  kafka: Kafka;
  groupId: string;
  topic: T;
  topicPrefix?: string;
  dataSource: DataSource;
  schema: string;
  handler: KeyedStateHandler<T, S>;
  outbox: OutboxWriter;
  /** Within a long batch, how often a partition's changed state, emitted events and offset are written (one transaction); every batch also ends with one. */
  checkpointIntervalMs?: number;
  /**
   * Emitted events that must not wait for the checkpoint (an anomaly, which someone will act on): they are
   * written to the outbox on their own at the end of the batch that emitted them. A crash before the checkpoint
   * replays the events that emitted them, which emit them again under the same ids; consumers deduplicate by id.
   */
  urgent?: (event: Omit<OutgoingEvent, 'source'>) => boolean;
  sessionTimeoutMs?: number;
  /**
   * Keys held in memory, over all the partitions this runner owns. Beyond it, the keys least recently changed
   * whose state is already checkpointed are evicted and read back from Postgres when their next event (or timer)
   * comes. Keys changed since the last checkpoint stay until it is written, so memory can briefly exceed the bound
   * by what one checkpoint interval changes. Unbounded when absent: a partition's whole state is then loaded at
   * assignment and kept.
   */
  maxResidentKeys?: number;
  /**
   * Messages handed over by kafkajs and not yet applied, beyond which kafkajs waits before fetching more. Handing
   * batches over lets the next fetch (the broker's work) overlap with applying the last one; about one full fetch
   * (KEYED_STATE_FETCH.maxBytes of small events) keeps the consumer busy without holding several in memory.
   */
  maxBacklogMessages?: number;
  logger?: MessagingLogger;
}

interface PartitionState<S> {
  partition: number;
  fence: number;
  /** The next offset the in-memory state has not seen. */
  nextOffset: bigint | null;
  checkpointedOffset: bigint | null;
  /**
   * The checkpointed offset as last committed to Kafka. Kafka's offset is only a fetch hint here, but a lag alert
   * reads it: a commit lost to a broker restart is made again at the next idle flush even if no event came since.
   */
  kafkaCommittedOffset: bigint | null;
  /** Keys in memory, least recently checkpointed first (the eviction order). */
  states: Map<string, S>;
  /** Every key the partition has in Postgres is also in memory: a key not in `states` is new. */
  complete: boolean;
  dirty: Set<string>;
  /** Keys of the checkpoint being written: not yet durable, so not evictable. */
  inflightKeys: ReadonlySet<string>;
  pendingEmits: Array<Omit<OutgoingEvent, 'source'>>;
  /** Urgent emits not yet written, and the write of the previous ones (one at a time, in order). */
  urgentEmits: Array<Omit<OutgoingEvent, 'source'>>;
  urgentWrite: Promise<void>;
  lastCheckpoint: number;
  /** The checkpoint being written, if any: it runs beside the processing of later events, one at a time. */
  inflight: Promise<void> | null;
  /** Serialises the partition's work: a batch and the idle-flush timer never touch its state at once. */
  queue: Promise<void>;
}

class FencedOut extends Error {}

/** Fetch sizes of the runner's consumer (exported so a benchmark's plain consumer can match them). */
export const KEYED_STATE_FETCH = { maxBytes: 16 << 20, maxBytesPerPartition: 4 << 20 } as const;

/** A partition's changes up to one offset, serialised at one instant so later events can go on changing the live state. */
interface Snapshot {
  keys: string[];
  states: string[];
  wakeAts: Array<string | null>;
  emits: Array<Omit<OutgoingEvent, 'source'>>;
  nextOffset: bigint | null;
}

/** Evicted keys whose timer is due, read back per partition and sweep. */
const WAKE_BATCH = 1000;
const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Consumes a topic into per-key state held in memory, partitioned like the topic, and checkpoints each partition's
 * changed keys, the events they emitted and the offset they cover in ONE Postgres transaction. A partition's new
 * owner (after a crash, a rebalance or a restart) loads that state and skips what it already covers, so no event
 * is counted twice or missed. Ownership is fenced: loading a partition bumps its token, and a checkpoint from an
 * owner that has since lost the partition is refused and its unsaved work dropped.
 * Kafka's committed offsets only speed up the next fetch; the checkpoint in Postgres is the truth.
 */
export class KeyedStateRunner<T extends TopicName, S> {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly logger: MessagingLogger;
  private readonly partitions = new Map<number, PartitionState<S>>();
  private readonly loading = new Map<number, Promise<PartitionState<S>>>();
  /** Bumped at every group join: loads begun before it are stale. */
  private generation = 0;
  private readonly table: { checkpoints: string; state: string };
  private readonly physicalTopic: string;
  private readonly interval: number;
  private started = false;
  private processedTotal = 0;
  private readonly maxBacklog: number;
  /** Messages handed over and not yet applied, over all partitions, and who waits for that to fall. */
  private backlog = 0;
  private backlogWaiters: Array<() => void> = [];
  private flushTimer?: NodeJS.Timeout;
  private readonly maxResident: number;
  /** Partitions of the current assignment: they share the resident-key budget. */
  private assignedPartitions = 1;

  constructor(private readonly options: KeyedStateRunnerOptions<T, S>) {
    const schema = assertSqlIdentifier(options.schema);
    this.table = { checkpoints: `"${schema}"."partition_checkpoints"`, state: `"${schema}"."keyed_state"` };
    this.physicalTopic = (options.topicPrefix ?? '') + options.topic;
    this.interval = options.checkpointIntervalMs ?? 1000;
    this.logger = options.logger ?? silentLogger;
    this.maxBacklog = options.maxBacklogMessages ?? 50_000;
    this.maxResident = options.maxResidentKeys ?? Infinity;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      // A member learns of a rebalance at its next heartbeat, and the group waits for it: at kafkajs's 3 s default,
      // a thread joining at start-up idles that long while its sibling reads every partition.
      heartbeatInterval: 1000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      // Larger fetches mean fewer round trips, each with a fixed cost at the broker and in kafkajs.
      maxBytes: KEYED_STATE_FETCH.maxBytes,
      maxBytesPerPartition: KEYED_STATE_FETCH.maxBytesPerPartition,
    });
    this.producer = createIdempotentProducer(options.kafka);
    this.deadLetters = new DeadLetterPublisher(this.producer, options.groupId, this.logger);
    // After any rebalance, whatever this instance holds may be stale: reload from the checkpoints on next use.
    // Partitions assigned are loaded at once, not at their first new message: a partition with no new traffic
    // still has keys whose timers must run (a quiet agent's usage window) on its new owner.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.partitions.clear();
      this.loading.clear();
      this.generation += 1;
      const assigned = payload.memberAssignment[this.physicalTopic] ?? [];
      this.assignedPartitions = Math.max(1, assigned.length);
      for (const partition of assigned) {
        this.ensureLoaded(partition).catch((error: Error) =>
          this.logger.warn({ topic: this.physicalTopic, partition, err: error.message }, 'loading an assigned partition failed; its next batch retries'),
        );
      }
    });
  }

  /** Events folded into state since start (for a parent thread's metrics). */
  get processedCount(): number {
    return this.processedTotal;
  }

  /** Keys whose state is held in memory now. */
  get residentKeys(): number {
    let n = 0;
    for (const part of this.partitions.values()) n += part.states.size;
    return n;
  }

  /** Every key held in memory, with its state (e.g. to derive cohort statistics). */
  *entries(): IterableIterator<[string, S]> {
    for (const part of this.partitions.values()) yield* part.states;
  }

  /** Keys held in memory for a partition (for APIs that show current state). */
  stateOf(key: string): S | undefined {
    for (const part of this.partitions.values()) {
      const state = part.states.get(key);
      if (state) return state;
    }
    return undefined;
  }

  async start(): Promise<void> {
    // Made now (telemetry has started), so the gauges are exported before the first message.
    messagingMetrics();
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.physicalTopic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.started = true;
    liveKeyedStateRunners.add(this);
    // A partition whose traffic stopped still gets its last events saved within about one interval.
    this.flushTimer = setInterval(() => void this.flushIdle(), this.interval);
    this.flushTimer.unref();
  }

  /** Stops fetching, checkpoints every partition it holds, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    liveKeyedStateRunners.delete(this);
    clearInterval(this.flushTimer);
    await this.consumer.stop();
    // Batches handed over before the consumer stopped are applied first (exclusive queues behind them).
    for (const part of [...this.partitions.values()]) {
      await this.exclusive(part, () => this.checkpointNow(part)).catch((error) =>
        this.logger.warn({ partition: part.partition, err: (error as Error).message }, 'final checkpoint failed'),
      );
      await part.urgentWrite;
    }
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private exclusive(part: PartitionState<S>, work: () => Promise<void>): Promise<void> {
    const run = part.queue.then(work, work);
    part.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes the partition's urgent emits now, in a transaction of their own, after any earlier such write. If it
   * fails they go back to the pending emits, and the next checkpoint carries them.
   */
  private writeUrgent(part: PartitionState<S>): void {
    if (part.urgentEmits.length === 0) return;
    const emits = part.urgentEmits;
    part.urgentEmits = [];
    part.urgentWrite = part.urgentWrite
      .then(() => this.options.dataSource.transaction((tx) => this.options.outbox.append(tx, emits)))
      .then(
        () => undefined,
        (error: Error) => {
          this.logger.warn({ partition: part.partition, err: error.message }, 'urgent events not written; the next checkpoint carries them');
          part.pendingEmits.push(...emits);
        },
      );
  }

  /** What the handler emits through: an urgent event goes out at the end of its batch, others with the next checkpoint. */
  private emitterOf(part: PartitionState<S>): (event: Omit<OutgoingEvent, 'source'>) => void {
    return (event) => {
      if (this.options.urgent?.(event)) part.urgentEmits.push(event);
      else part.pendingEmits.push(event);
    };
  }

  private async flushIdle(): Promise<void> {
    for (const part of [...this.partitions.values()]) {
      if (this.options.handler.onTimer) {
        await this.exclusive(part, async () => {
          await this.wakeEvicted(part);
          this.runTimers(part);
          // Woken keys whose timer did not fire yet (a handler's clock may lag the wall clock) leave again at once.
          this.evict(part, NO_KEYS);
        }).catch((error: Error) => this.logger.warn({ partition: part.partition, err: error.message }, 'running timers failed; the next interval retries'));
      }
      if (!part.inflight && Date.now() - part.lastCheckpoint >= this.interval) {
        await this.exclusive(part, () => this.checkpointNow(part)).catch((error) => this.onCheckpointError(part, error));
      }
      await this.exclusive(part, async () => this.evict(part, NO_KEYS));
    }
  }

  /** A partition's share of the resident-key budget. */
  private budget(): number {
    return Math.max(1, Math.floor(this.maxResident / this.assignedPartitions));
  }

  /**
   * Drops from memory, least recently checkpointed first, keys whose state is durable (not changed since the last
   * checkpoint, not in the one being written), until the partition is a tenth under its budget (evicting in bulk,
   * not a key per new event). `keep`: keys the batch about to be applied needs. A key whose timer is due is
   * evicted too (the sweep brings it back to run it): exempting those would let a flood of events with old times
   * hold every key in memory.
   */
  private evict(part: PartitionState<S>, keep: ReadonlySet<string>): void {
    if (part.states.size <= this.budget() || this.partitions.get(part.partition) !== part) return;
    const target = Math.floor(this.budget() * 0.9);
    let evicted = 0;
    for (const key of part.states.keys()) {
      if (part.states.size <= target) break;
      if (part.dirty.has(key) || part.inflightKeys.has(key) || keep.has(key)) continue;
      part.states.delete(key);
      evicted++;
    }
    if (evicted > 0) {
      part.complete = false;
      messagingMetrics().evicted.add(evicted);
    }
  }

  /** Reads back from their checkpoints the keys of a batch that are not in memory (evicted, or never loaded). */
  private async readBack(part: PartitionState<S>, keys: ReadonlySet<string>): Promise<void> {
    const missing: string[] = [];
    for (const key of keys) if (!part.states.has(key)) missing.push(key);
    if (missing.length === 0) return;
    const rows: Array<{ key: string; state: unknown }> = await this.options.dataSource.query(
      `SELECT "key", "state" FROM ${this.table.state} WHERE "consumer" = $1 AND "key" = ANY($2::text[])`,
      [this.options.groupId, missing],
    );
    for (const row of rows) part.states.set(row.key, this.options.handler.fromJSON(row.state));
    messagingMetrics().reloaded.add(rows.length);
  }

  /**
   * Brings back evicted keys whose timer is due (at most WAKE_BATCH per partition and interval, the earliest first),
   * so a quiet agent's timer runs even while it is out of memory. Keys already in memory are left as they are
   * (their in-memory state is newer than any checkpoint).
   */
  private async wakeEvicted(part: PartitionState<S>): Promise<void> {
    if (part.complete || !this.options.handler.wakeAt || this.partitions.get(part.partition) !== part) return;
    const rows: Array<{ key: string; state: unknown }> = await this.options.dataSource.query(
      `SELECT "key", "state" FROM ${this.table.state}
       WHERE "consumer" = $1 AND "topic" = $2 AND "partition" = $3 AND "wake_at" <= $4 ORDER BY "wake_at" LIMIT ${WAKE_BATCH}`,
      [this.options.groupId, this.physicalTopic, part.partition, Date.now()],
    );
    if (this.partitions.get(part.partition) !== part) return;
    let woken = 0;
    for (const row of rows) {
      if (part.states.has(row.key)) continue;
      part.states.set(row.key, this.options.handler.fromJSON(row.state));
      woken++;
    }
    messagingMetrics().reloaded.add(woken);
  }

  /** The distinct keys of a batch's messages not yet applied (record keys: the payload's key, or a dead letter). */
  private keysOf(messages: EachBatchPayload['batch']['messages'], next: number): Set<string> {
    const keys = new Set<string>();
    for (const message of messages) if (message.key && Number(message.offset) >= next) keys.add(message.key.toString('utf8'));
    return keys;
  }

  private runTimers(part: PartitionState<S>): void {
    if (this.partitions.get(part.partition) !== part) return;
    const now = Date.now();
    const emit = this.emitterOf(part);
    for (const [key, state] of part.states) {
      if (this.options.handler.onTimer?.(key, state, now, emit)) part.dirty.add(key);
    }
    this.writeUrgent(part);
  }

  private onCheckpointError(part: PartitionState<S>, error: unknown): void {
    if (error instanceof FencedOut) {
      this.logger.warn({ topic: this.physicalTopic, partition: part.partition }, 'partition taken over by another instance; unsaved work dropped');
      if (this.partitions.get(part.partition) === part) this.partitions.delete(part.partition);
      return;
    }
    this.logger.error({ topic: this.physicalTopic, partition: part.partition, err: (error as Error).message }, 'checkpoint failed; retrying');
  }

  /**
   * kafkajs fetches again only once this returns, so the batch is handed over rather than applied here: the next
   * fetch overlaps with applying this one. Its fetch position moves past the batch at once; what is durable is
   * still only what a checkpoint covers, and a partition whose queued batches are dropped (rebalanced, fenced,
   * failed) is read again from its checkpoint.
   */
  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // The consumer lag gauge, as ConsumerRunner keeps it: how far this partition's group is behind, as of this batch.
    lagByPartition.set(`${this.physicalTopic}:${batch.partition}`, {
      topic: this.physicalTopic,
      partition: batch.partition,
      group: this.options.groupId,
      lag: Number(batch.offsetLagLow()),
    });
    const part = await this.ensureLoaded(batch.partition);
    const size = batch.messages.length;
    if (size === 0) return;
    payload.resolveOffset(batch.messages[size - 1].offset);
    this.backlog += size;
    void this.exclusive(part, () => this.processBatch(part, payload))
      .catch((error) => this.onBatchError(part, error))
      .finally(() => {
        this.backlog -= size;
        if (this.backlog <= this.maxBacklog) for (const wake of this.backlogWaiters.splice(0)) wake();
      });
    while (this.backlog > this.maxBacklog) await new Promise<void>((wake) => this.backlogWaiters.push(wake));
  }

  /**
   * A batch that could not be applied (its dead letter not published, a handler failing): the partition's state
   * is dropped and kafkajs sent back to its checkpoint, so the next batch reloads it and nothing is skipped.
   * (kafkajs skips the batches it fetched before the seek.)
   */
  private onBatchError(part: PartitionState<S>, error: unknown): void {
    if (error instanceof FencedOut) return this.onCheckpointError(part, error);
    if (this.partitions.get(part.partition) !== part) return;
    this.partitions.delete(part.partition);
    const offset = (part.checkpointedOffset ?? 0n).toString();
    this.logger.error(
      { topic: this.physicalTopic, partition: part.partition, offset, err: (error as Error).message },
      'applying a batch failed; the partition resumes from its checkpoint',
    );
    try {
      this.consumer.seek({ topic: this.physicalTopic, partition: part.partition, offset });
    } catch (seekError) {
      this.logger.error({ partition: part.partition, err: (seekError as Error).message }, 'seeking back to the checkpoint failed');
    }
  }

  /** The partition's state, loading it once however many callers (assignment, first batch) ask at the same time. */
  private ensureLoaded(partition: number): Promise<PartitionState<S>> {
    const held = this.partitions.get(partition);
    if (held) return Promise.resolve(held);
    const pending = this.loading.get(partition);
    if (pending) return pending;
    const generation = this.generation;
    const load = this.load(partition).then(
      (part) => {
        // A rebalance since the load began makes it stale: whoever asks next loads again (and fences this one).
        if (generation === this.generation) {
          this.partitions.set(partition, part);
          this.loading.delete(partition);
        }
        return part;
      },
      (error: unknown) => {
        if (this.loading.get(partition) === load) this.loading.delete(partition);
        throw error;
      },
    );
    this.loading.set(partition, load);
    return load;
  }

  private async processBatch(part: PartitionState<S>, { batch, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    const emit = this.emitterOf(part);
    let applied = 0;
    const messages = batch.messages;
    // Offsets are numbers inside the loop (exact below 2^53, which no partition reaches; a bigint per message is
    // an allocation per message). The partition's position is written back before anything else can read it:
    // before each await and at the end.
    let next = part.nextOffset === null ? -1 : Number(part.nextOffset);
    // With a bounded memory, the batch's keys are made resident first (evicting cold ones to make room).
    if (!part.complete || part.states.size > this.budget()) {
      const keys = this.keysOf(messages, next);
      this.evict(part, keys);
      if (!part.complete) await this.readBack(part, keys);
    }
    let moved = false;
    const settle = () => {
      if (moved) part.nextOffset = BigInt(next);
      moved = false;
    };
    for (let i = 0; i < messages.length; i++) {
      // kafkajs's own checks cost more than scoring an event; every few hundred messages is often enough.
      if (i % 500 === 0) {
        // Dropped (fenced, rebalanced, failed) while queued, or sought elsewhere: whoever loads it next reads on
        // from its checkpoint.
        if (this.partitions.get(part.partition) !== part || isStale()) break;
        // kafkajs heartbeats between fetches too; one failing here (a rebalance under way) is its to handle.
        if (i > 0) {
          settle();
          await heartbeat().catch(() => undefined);
        }
      }
      const message = messages[i];
      const offset = Number(message.offset);
      if (offset < next) continue;
      let event: ConsumedEvent<T> | undefined;
      try {
        event = decodeMessage(this.options.topic, batch.partition, message);
      } catch (error) {
        settle();
        await this.deadLetters.publish(this.physicalTopic, batch.partition, message, error as Error, 0);
      }
      if (event) {
        let state = part.states.get(event.key);
        if (state === undefined) {
          state = this.options.handler.initial(event.key, event);
          part.states.set(event.key, state);
        }
        this.options.handler.apply(state, event, emit);
        part.dirty.add(event.key);
        applied++;
      }
      next = offset + 1;
      moved = true;
    }
    settle();
    messagingMetrics().statefulProcessed.add(applied);
    this.processedTotal += applied;
    // Checkpoints follow the interval, not every batch: each one writes every key the partition changed since.
    // It is written in the background (Postgres works on the other core) while the next batches are scored.
    this.writeUrgent(part);
    if (!part.inflight && Date.now() - part.lastCheckpoint >= this.interval) {
      const snapshot = this.snapshot(part);
      if (snapshot) {
        part.inflight = this.writeCheckpoint(part, snapshot)
          .catch((error) => this.onCheckpointError(part, error))
          .finally(() => (part.inflight = null));
      }
    }
  }

  /** Waits for the checkpoint in flight, then writes one covering everything applied so far. */
  private async checkpointNow(part: PartitionState<S>): Promise<void> {
    await part.inflight;
    const snapshot = this.snapshot(part);
    if (snapshot) await this.writeCheckpoint(part, snapshot);
    else if (part.checkpointedOffset !== part.kafkaCommittedOffset) await this.commitToKafka(part, part.checkpointedOffset);
  }

  /** Serialises what changed since the last snapshot and hands it over; undefined when nothing did. */
  private snapshot(part: PartitionState<S>): Snapshot | undefined {
    part.lastCheckpoint = Date.now();
    if (part.dirty.size === 0 && part.pendingEmits.length === 0 && part.nextOffset === part.checkpointedOffset) return undefined;
    const keys = [...part.dirty];
    const states: string[] = [];
    const wakeAts: Array<string | null> = [];
    const bounded = Number.isFinite(this.maxResident);
    for (const key of keys) {
      const state = part.states.get(key) as S;
      if (bounded) {
        // Most recently changed last: the order eviction follows.
        part.states.delete(key);
        part.states.set(key, state);
      }
      states.push(JSON.stringify(this.options.handler.toJSON(state)));
      const wake = this.options.handler.wakeAt?.(state);
      wakeAts.push(wake === undefined ? null : String(Math.floor(wake)));
    }
    const snapshot = { keys, states, wakeAts, emits: part.pendingEmits, nextOffset: part.nextOffset };
    if (bounded) part.inflightKeys = new Set(keys);
    part.dirty = new Set();
    part.pendingEmits = [];
    return snapshot;
  }

  /** Takes ownership of a partition (bumping its fence) and loads its keys' state and covered offset. */
  private async load(partition: number): Promise<PartitionState<S>> {
    const { groupId } = this.options;
    return this.options.dataSource.transaction(async (tx) => {
      const [row] = await tx.query(
        `INSERT INTO ${this.table.checkpoints} ("consumer", "topic", "partition", "fence") VALUES ($1, $2, $3, 1)
         ON CONFLICT ("consumer", "topic", "partition") DO UPDATE SET "fence" = ${this.table.checkpoints}."fence" + 1, "updated_at" = now()
         RETURNING "fence", "next_offset"`,
        [groupId, this.physicalTopic, partition],
      );
      // With a bounded memory, only the most recently changed keys are loaded (the rest are read back on demand).
      const budget = Number.isFinite(this.maxResident) ? this.budget() : undefined;
      const rows: Array<{ key: string; state: unknown }> = await tx.query(
        `SELECT "key", "state" FROM ${this.table.state} WHERE "consumer" = $1 AND "topic" = $2 AND "partition" = $3` +
          (budget === undefined ? '' : ` ORDER BY "updated_at" DESC LIMIT ${budget + 1}`),
        [groupId, this.physicalTopic, partition],
      );
      const complete = budget === undefined || rows.length <= budget;
      if (!complete) rows.pop();
      if (budget !== undefined) rows.reverse();
      const states = new Map<string, S>();
      for (const r of rows) states.set(r.key, this.options.handler.fromJSON(r.state));
      const nextOffset = row.next_offset === null ? null : BigInt(row.next_offset);
      this.logger.info({ topic: this.physicalTopic, partition, keys: states.size, nextOffset: nextOffset?.toString() }, 'partition state loaded');
      return {
        partition,
        fence: Number(row.fence),
        nextOffset,
        checkpointedOffset: nextOffset,
        kafkaCommittedOffset: nextOffset,
        states,
        complete,
        dirty: new Set<string>(),
        inflightKeys: NO_KEYS,
        pendingEmits: [],
        urgentEmits: [],
        urgentWrite: Promise.resolve(),
        lastCheckpoint: Date.now(),
        inflight: null,
        queue: Promise.resolve(),
      };
    });
  }

  /**
   * Writes a snapshot, the events it emitted and the offset it covers in one transaction, then commits that
   * offset to Kafka (only a fetch hint). On failure the snapshot's keys and events go back to the partition, so
   * the next checkpoint writes them with whatever changed since.
   */
  private async writeCheckpoint(part: PartitionState<S>, snapshot: Snapshot): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await this.options.dataSource.transaction(async (tx) => {
        const [row] = await tx.query(`SELECT "fence" FROM ${this.table.checkpoints} WHERE "consumer" = $1 AND "topic" = $2 AND "partition" = $3 FOR UPDATE`, [
          this.options.groupId,
          this.physicalTopic,
          part.partition,
        ]);
        if (!row || Number(row.fence) !== part.fence) throw new FencedOut();
        await this.writeStates(tx, part.partition, snapshot);
        if (snapshot.emits.length) await this.options.outbox.append(tx, snapshot.emits);
        await tx.query(
          `UPDATE ${this.table.checkpoints} SET "next_offset" = $4, "updated_at" = now() WHERE "consumer" = $1 AND "topic" = $2 AND "partition" = $3`,
          [this.options.groupId, this.physicalTopic, part.partition, snapshot.nextOffset?.toString() ?? null],
        );
      });
    } catch (error) {
      for (const key of snapshot.keys) part.dirty.add(key);
      part.pendingEmits = [...snapshot.emits, ...part.pendingEmits];
      throw error;
    } finally {
      part.inflightKeys = NO_KEYS;
    }
    part.checkpointedOffset = snapshot.nextOffset;
    messagingMetrics().checkpointDuration.record(Number(process.hrtime.bigint() - started) / 1e9);
    await this.commitToKafka(part, snapshot.nextOffset);
  }

  private async commitToKafka(part: PartitionState<S>, offset: bigint | null): Promise<void> {
    if (offset === null) return;
    try {
      await this.consumer.commitOffsets([{ topic: this.physicalTopic, partition: part.partition, offset: offset.toString() }]);
      part.kafkaCommittedOffset = offset;
    } catch (error) {
      this.logger.warn(
        { partition: part.partition, err: (error as Error).message },
        'offset commit failed; the checkpoint stands and the next flush commits it',
      );
    }
  }

  private async writeStates(tx: EntityManager, partition: number, snapshot: Snapshot): Promise<void> {
    for (let i = 0; i < snapshot.keys.length; i += 1000) {
      await tx.query(
        `INSERT INTO ${this.table.state} ("consumer", "key", "topic", "partition", "state", "wake_at")
         SELECT $1, k, $2, $3, s::jsonb, w FROM unnest($4::text[], $5::text[], $6::bigint[]) AS t(k, s, w)
         ON CONFLICT ("consumer", "key") DO UPDATE SET "state" = EXCLUDED."state", "topic" = EXCLUDED."topic",
           "partition" = EXCLUDED."partition", "wake_at" = EXCLUDED."wake_at", "updated_at" = now()`,
        [
          this.options.groupId,
          this.physicalTopic,
          partition,
          snapshot.keys.slice(i, i + 1000),
          snapshot.states.slice(i, i + 1000),
          snapshot.wakeAts.slice(i, i + 1000),
        ],
      );
    }
  }
}
