import { randomUUID } from 'node:crypto';

import { IHeaders, Kafka } from 'kafkajs';

import { DLQ_HEADERS } from '@agentgov/contracts';

/** A message as it sits on a dead-letter topic: the original key, value and headers, plus the `dlq_*` headers. */
export interface DeadLetter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** A dead letter made ready to go back where it came from. */
export interface ReplayedMessage {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Which dead letters an operator means: an offset range, the consumer group that gave up on them, how many. */
export interface DeadLetterSelection {
  fromOffset?: bigint;
  toOffset?: bigint;
  failedGroup?: string;
  limit?: number;
}

export interface ReplaySummary {
  /** Dead letters read. */
  seen: number;
  /** Of those, the ones the selection chose. */
  matched: number;
  /** Of those, the ones sent back to their topic. */
  replayed: number;
}

/** What an operator needs to decide about one dead letter, without its payload. */
export interface DeadLetterDescription {
  dlq: string;
  partition: number;
  offset: string;
  ceId?: string;
  ceType?: string;
  key?: string;
  failedGroup?: string;
  error?: string;
  attempts?: string;
  failedAt?: string;
  origin: string;
  /** Set when the dead letter was sent back: the topic it went to. */
  replayedTo?: string;
}

/** The messages of a dead-letter topic to read: each partition from its start up to its end offset of now. */
export interface DeadLetterRange {
  partitions: Array<{ partition: number; start: bigint; end: bigint }>;
  /** How many messages the range holds (the work a reader of it does). */
  total: number;
}

export function headerText(headers: IHeaders, name: string): string | undefined {
  const raw = headers[name];
  const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return last === undefined ? undefined : last.toString();
}

/** The message as it was before it was dead-lettered: same key, value and headers, sent to its origin topic. */
export function toReplay(dlqTopic: string, message: DeadLetter): ReplayedMessage {
  const derived = dlqTopic.replace(/\.dlq$/, '');
  const origin = headerText(message.headers, DLQ_HEADERS.originTopic) ?? derived;
  if (origin !== derived) {
    throw new Error(`message at offset ${message.offset} names origin topic "${origin}", not "${derived}"; not replaying it`);
  }
  const dlqHeaderNames = new Set<string>(Object.values(DLQ_HEADERS));
  const headers: IHeaders = {};
  for (const [name, header] of Object.entries(message.headers)) {
    if (!dlqHeaderNames.has(name) && header !== undefined) headers[name] = header;
  }
  return { topic: origin, key: message.key, value: message.value, headers };
}

export function describeDeadLetter(dlqTopic: string, message: DeadLetter): DeadLetterDescription {
  const h = (name: string) => headerText(message.headers, name);
  return {
    dlq: dlqTopic,
    partition: message.partition,
    offset: message.offset,
    ceId: h('ce_id'),
    ceType: h('ce_type'),
    key: message.key?.toString(),
    failedGroup: h(DLQ_HEADERS.consumerGroup),
    error: h(DLQ_HEADERS.error),
    attempts: h(DLQ_HEADERS.attempts),
    failedAt: h(DLQ_HEADERS.failedAt),
    origin: `${h(DLQ_HEADERS.originTopic) ?? '?'}[${h(DLQ_HEADERS.originPartition) ?? '?'}]@${h(DLQ_HEADERS.originOffset) ?? '?'}`,
  };
}

/** Whether a dead letter is in the chosen offset range and, with a failed group, was dead-lettered by that group. */
export function isSelected(selection: DeadLetterSelection, message: DeadLetter): boolean {
  const offset = BigInt(message.offset);
  if (selection.fromOffset !== undefined && offset < selection.fromOffset) return false;
  if (selection.toOffset !== undefined && offset > selection.toOffset) return false;
  if (selection.failedGroup !== undefined && headerText(message.headers, DLQ_HEADERS.consumerGroup) !== selection.failedGroup) return false;
  return true;
}

/**
 * Goes through the dead letters in order: reports each selected one and, with `execute`, sends its replay through
 * `send` before taking the next, so a failed send stops the run with everything before it done. `progress` hears
 * the running summary after every message read, chosen or not.
 */
export async function replayDeadLetters(options: {
  dlqTopic: string;
  selection: DeadLetterSelection;
  execute: boolean;
  messages: AsyncIterable<DeadLetter>;
  send: (message: ReplayedMessage) => Promise<void>;
  report: (line: DeadLetterDescription) => void;
  progress?: (summary: Readonly<ReplaySummary>) => void;
}): Promise<ReplaySummary> {
  const { selection, execute } = options;
  const summary: ReplaySummary = { seen: 0, matched: 0, replayed: 0 };
  for await (const message of options.messages) {
    summary.seen += 1;
    if (isSelected(selection, message)) {
      if (selection.limit !== undefined && summary.matched >= selection.limit) break;
      summary.matched += 1;
      const replay = toReplay(options.dlqTopic, message);
      if (execute) {
        await options.send(replay);
        summary.replayed += 1;
      }
      options.report({ ...describeDeadLetter(options.dlqTopic, message), replayedTo: execute ? replay.topic : undefined });
    }
    options.progress?.(summary);
  }
  return summary;
}

/** Every partition of the dead-letter topic from its first offset (or `fromOffset`) to its end offset of now. */
export async function deadLetterRange(kafka: Kafka, dlqTopic: string, fromOffset?: bigint): Promise<DeadLetterRange> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: Array<{ partition: number; low: string; high: string }>;
  try {
    offsets = await admin.fetchTopicOffsets(dlqTopic);
  } finally {
    await admin.disconnect();
  }
  const partitions = offsets
    .map((p) => {
      const low = BigInt(p.low);
      return { partition: p.partition, start: fromOffset !== undefined && fromOffset > low ? fromOffset : low, end: BigInt(p.high) };
    })
    .filter((p) => p.end > p.start);
  return { partitions, total: partitions.reduce((n, p) => n + Number(p.end - p.start), 0) };
}

/** The messages of the range, partition by partition in offset order (partitions interleaved as they arrive). */
export async function* readDeadLetters(kafka: Kafka, dlqTopic: string, range: DeadLetterRange): AsyncGenerator<DeadLetter> {
  if (range.partitions.length === 0) return;
  // A throwaway group that never commits: the range is the caller's, not a stored position.
  const consumer = kafka.consumer({ groupId: `agentgov-dlq-replay-${randomUUID()}`, allowAutoTopicCreation: false });
  const queue: DeadLetter[] = [];
  const remaining = new Set(range.partitions.map((p) => p.partition));
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  consumer.on(consumer.events.CRASH, (event) => {
    failure = event.payload.error;
    notify();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        const wanted = range.partitions.find((p) => p.partition === batch.partition);
        if (!wanted) return;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= wanted.end) break;
          queue.push({ partition: batch.partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
          resolveOffset(message.offset);
          if (BigInt(message.offset) + 1n >= wanted.end) remaining.delete(batch.partition);
        }
        notify();
      },
    });
    for (const p of range.partitions) consumer.seek({ topic: dlqTopic, partition: p.partition, offset: p.start.toString() });
    for (;;) {
      for (let next = queue.shift(); next; next = queue.shift()) yield next;
      if (failure) throw failure;
      if (remaining.size === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (queue.length > 0 || remaining.size === 0 || failure) notify();
      });
    }
  } finally {
    await consumer.disconnect();
  }
}
