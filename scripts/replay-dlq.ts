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
 * run starts), so a replay can be repeated safely. The reading and replaying is @agentgov/messaging's
 * (`dead-letters`), shared with `agentgov dead-letters`. Env: KAFKA_BROKERS, KAFKA_TOPIC_PREFIX and the Kafka
 * security settings (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_TLS_*), as the services read them.
 */
import { dlqTopicOf, isTopicName } from '@agentgov/contracts';
import {
  createIdempotentProducer,
  createKafkaClient,
  deadLetterRange,
  DeadLetterSelection,
  kafkaSecurityFromEnv,
  parseBrokers,
  readDeadLetters,
  replayDeadLetters,
} from '@agentgov/messaging';

export interface ReplayArgs extends DeadLetterSelection {
  topic: string;
  execute: boolean;
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

async function main(): Promise<void> {
  const args = parseReplayArgs(process.argv.slice(2));
  const brokers = parseBrokers(process.env.KAFKA_BROKERS ?? '');
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required');
  const dlqTopic = dlqTopicOf(`${process.env.KAFKA_TOPIC_PREFIX ?? ''}${args.topic}`);
  const kafka = createKafkaClient({ brokers, clientId: process.env.KAFKA_CLIENT_ID || 'agentgov-dlq-replay', security: kafkaSecurityFromEnv(process.env) });
  const producer = createIdempotentProducer(kafka);
  if (args.execute) await producer.connect();
  try {
    const summary = await replayDeadLetters({
      dlqTopic,
      selection: args,
      execute: args.execute,
      messages: readDeadLetters(kafka, dlqTopic, await deadLetterRange(kafka, dlqTopic, args.fromOffset)),
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
