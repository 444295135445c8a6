/**
 * Lists or replays the messages of one dead-letter topic (`<prefix><topic>.dlq`).
 *
 *   node dist/scripts/replay-dlq.js --topic agent.lifecycle.v1                  # list (dry run): one JSON line per message
 *   node dist/scripts/replay-dlq.js --topic agent.lifecycle.v1 --execute        # replay every message there now
 *   ... [--from-offset N] [--to-offset N] [--failed-group GROUP] [--limit N]
 *
 * Replaying sends each message back to the topic it came from (its `dlq_origin_topic` header) with its key,
 * value and original headers, without the `dlq_*` ones: the same ce_id, so every consumer group that had
 * already processed it skips the copy through its inbox, and the group that dead-lettered it processes it now.
 * Nothing is committed anywhere: the range is what the flags say (by default everything on the DLQ when the
 * run starts), so a replay can be repeated safely. Env: KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (as the services).
 */
import { randomUUID } from 'node:crypto';

import { IHeaders, Kafka } from 'kafkajs';

import { DLQ_HEADERS, dlqTopicOf, isTopicName } from '@agentgov/contracts';
import { createIdempotentProducer, createKafkaClient, parseBrokers } from '@agentgov/messaging';

export interface ReplayArgs {
  topic: string;
  execute: boolean;
  fromOffset?: bigint;
  toOffset?: bigint;
  failedGroup?: string;
  limit?: number;
}

export interface DeadLetter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface ReplayedMessage {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface ReplaySummary {
  seen: number;
  matched: number;
  replayed: number;
}

const USAGE =
  'usage: replay-dlq --topic <catalog topic, e.g. agent.lifecycle.v1> [--execute] [--from-offset N] [--to-offset N] [--failed-group GROUP] [--limit N]';

export function parseReplayArgs(argv: readonly string[]): ReplayArgs {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    const next = argv[at + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return next;
  };
  const known = new Set(['--topic', '--execute', '--from-offset', '--to-offset', '--failed-group', '--limit']);
  const unknown = argv.filter((arg) => arg.startsWith('--') && !known.has(arg));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(', ')}\n${USAGE}`);
  const topic = value('--topic');
  if (!topic) throw new Error(USAGE);
  if (!isTopicName(topic)) throw new Error(`--topic must be a catalog topic without prefix or .dlq suffix, not "${topic}"`);
  const offset = (flag: string): bigint | undefined => {
    const raw = value(flag);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) throw new Error(`${flag} must be a non-negative integer`);
    return BigInt(raw);
  };
  const limitRaw = value('--limit');
  const limit = limitRaw === undefined ? undefined : Number(limitRaw);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error('--limit must be a positive integer');
  return {
    topic,
    execute: argv.includes('--execute'),
    fromOffset: offset('--from-offset'),
    toOffset: offset('--to-offset'),
    failedGroup: value('--failed-group'),
    limit,
  };
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

/** What an operator needs to decide about one dead letter, without its payload. */
export function describeDeadLetter(dlqTopic: string, message: DeadLetter): Record<string, string | number | undefined> {
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

/** Whether a dead letter is in the chosen range and, with --failed-group, was dead-lettered by that group. */
export function isSelected(args: Pick<ReplayArgs, 'fromOffset' | 'toOffset' | 'failedGroup'>, message: DeadLetter): boolean {
  const offset = BigInt(message.offset);
  if (args.fromOffset !== undefined && offset < args.fromOffset) return false;
  if (args.toOffset !== undefined && offset > args.toOffset) return false;
  if (args.failedGroup !== undefined && headerText(message.headers, DLQ_HEADERS.consumerGroup) !== args.failedGroup) return false;
  return true;
}

/**
 * Goes through the dead letters in order: lists each selected one (`report`) and, with `execute`, sends its
 * replay through `send` before taking the next, so a failed send stops the run with everything before it done.
 */
export async function replayDeadLetters(options: {
  dlqTopic: string;
  args: ReplayArgs;
  messages: AsyncIterable<DeadLetter>;
  send: (message: ReplayedMessage) => Promise<void>;
  report: (line: Record<string, unknown>) => void;
}): Promise<ReplaySummary> {
  const summary: ReplaySummary = { seen: 0, matched: 0, replayed: 0 };
  for await (const message of options.messages) {
    summary.seen += 1;
    if (!isSelected(options.args, message)) continue;
    if (options.args.limit !== undefined && summary.matched >= options.args.limit) break;
    summary.matched += 1;
    const replay = toReplay(options.dlqTopic, message);
    if (options.args.execute) {
      await options.send(replay);
      summary.replayed += 1;
    }
    options.report({ ...describeDeadLetter(options.dlqTopic, message), replayedTo: options.args.execute ? replay.topic : undefined });
  }
  return summary;
}

/** Every message on the DLQ's partitions from the start (or --from-offset) up to the end offsets of now. */
async function* readDeadLetters(kafka: Kafka, dlqTopic: string, fromOffset: bigint | undefined): AsyncGenerator<DeadLetter> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; low: bigint; high: bigint }[];
  try {
    ends = (await admin.fetchTopicOffsets(dlqTopic)).map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }));
  } finally {
    await admin.disconnect();
  }
  const todo = ends.filter((p) => p.high > (fromOffset !== undefined && fromOffset > p.low ? fromOffset : p.low));
  if (todo.length === 0) return;

  // A throwaway group that never commits: the range is the flags', not a stored position.
  const consumer = kafka.consumer({ groupId: `agentgov-dlq-replay-${randomUUID()}`, allowAutoTopicCreation: false });
  const queue: DeadLetter[] = [];
  const remaining = new Set(todo.map((p) => p.partition));
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
        const end = todo.find((p) => p.partition === batch.partition);
        if (!end) return;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end.high) break;
          queue.push({ partition: batch.partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
          resolveOffset(message.offset);
          if (BigInt(message.offset) + 1n >= end.high) remaining.delete(batch.partition);
        }
        notify();
      },
    });
    for (const p of todo) {
      const start = fromOffset !== undefined && fromOffset > p.low ? fromOffset : p.low;
      consumer.seek({ topic: dlqTopic, partition: p.partition, offset: start.toString() });
    }
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

async function main(): Promise<void> {
  const args = parseReplayArgs(process.argv.slice(2));
  const brokers = parseBrokers(process.env.KAFKA_BROKERS ?? '');
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required');
  const dlqTopic = dlqTopicOf(`${process.env.KAFKA_TOPIC_PREFIX ?? ''}${args.topic}`);
  const kafka = createKafkaClient({ brokers, clientId: process.env.KAFKA_CLIENT_ID || 'agentgov-dlq-replay' });
  const producer = createIdempotentProducer(kafka);
  if (args.execute) await producer.connect();
  try {
    const summary = await replayDeadLetters({
      dlqTopic,
      args,
      messages: readDeadLetters(kafka, dlqTopic, args.fromOffset),
      send: async (message) => {
        await producer.send({ topic: message.topic, acks: -1, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
      },
      report: (line) => console.log(JSON.stringify(line)),
    });
    const verb = args.execute ? `replayed ${summary.replayed}` : `would replay ${summary.matched} (dry run; --execute replays)`;
    console.error(`${dlqTopic}: ${summary.seen} read, ${summary.matched} selected, ${verb}`);
  } finally {
    if (args.execute) await producer.disconnect();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`replay-dlq failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
