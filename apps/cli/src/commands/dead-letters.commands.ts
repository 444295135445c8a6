import { isTopicName, TOPIC_CATALOG } from '@agentgov/contracts';

import { UsageError } from '../cli.errors';
import type { CommandContext, CommandOutput, CommandSpec, OptionSpec } from '../command';
import type { CommandArguments } from '../command-line/command-arguments';
import { table, when } from '../output/text';

const TOPICS = Object.keys(TOPIC_CATALOG);

const SELECTION: Readonly<Record<string, OptionSpec>> = {
  topic: { kind: 'value', value: 'TOPIC', description: `required: the topic whose dead letters to read, as the catalog names it (${TOPICS.join(', ')})` },
  'from-offset': { kind: 'value', value: 'N', description: 'from this offset of the dead-letter topic' },
  'to-offset': { kind: 'value', value: 'N', description: 'up to this offset (inclusive)' },
  'failed-group': {
    kind: 'value',
    value: 'GROUP',
    description: 'only what this consumer group gave up on, by its full name (containment, or <prefix>containment)',
  },
  limit: { kind: 'value', value: 'N', description: 'at most this many' },
  'topic-prefix': { kind: 'value', value: 'PREFIX', description: 'the deployment’s topic prefix (default KAFKA_TOPIC_PREFIX)' },
};

const LOCAL_KAFKA = 'on this machine: env $(bash scripts/infra/infra.sh client-env admin) agentgov dead-letters ...';
const KAFKA_HELP = [
  'Talks to Kafka, not to an API: KAFKA_BROKERS and the Kafka security settings (KAFKA_SECURITY_PROTOCOL,',
  'KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or _FILE, KAFKA_TLS_CA_FILE, ...) as the services',
  'read them, for a principal that may read the dead-letter topic with a consumer group of its own and write the',
  `origin topic: the operator's admin; ${LOCAL_KAFKA}`,
].join('\n');

function offset(args: CommandArguments, name: string): bigint | undefined {
  const raw = args.value(name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,19}$/.test(raw)) throw new UsageError(`--${name} must be a non-negative whole number, not "${raw}"`, args.command.name.join(' '));
  return BigInt(raw);
}

/** Reads (and with `execute`, replays) the chosen dead letters of one topic. */
async function deadLetters(context: CommandContext, args: CommandArguments, execute: boolean): Promise<CommandOutput> {
  const commandName = args.command.name.join(' ');
  const topic = args.requiredValue('topic');
  if (!isTopicName(topic)) throw new UsageError(`--topic takes a catalog topic without prefix or .dlq (${TOPICS.join(', ')}), not "${topic}"`, commandName);
  const selection = {
    fromOffset: offset(args, 'from-offset'),
    toOffset: offset(args, 'to-offset'),
    failedGroup: args.value('failed-group'),
    limit: args.integer('limit', { min: 1, max: 1_000_000 }),
  };
  // Loaded here, not at start: the Kafka machinery is the one heavy import, and only these commands need it.
  const { onKafka } = await import('./dead-letters-on-kafka');
  const { dlqTopic, summary, lines } = await onKafka(context, { topic, prefix: args.value('topic-prefix'), selection, execute, hint: LOCAL_KAFKA });
  const rows = lines.map((l) => [l.offset, l.ceId, l.ceType, l.failedGroup, l.attempts, when(l.failedAt), l.error]);
  const verdict = execute
    ? `${dlqTopic}: ${summary.seen} read, ${summary.matched} selected, ${summary.replayed} replayed to ${dlqTopic.replace(/\.dlq$/, '')}`
    : `${dlqTopic}: ${summary.seen} read, ${summary.matched} selected (agentgov dead-letters replay sends them back)`;
  return {
    data: { dlq: dlqTopic, summary, messages: lines },
    text: `${rows.length ? `${table(['OFFSET', 'EVENT ID', 'TYPE', 'FAILED GROUP', 'ATTEMPTS', 'FAILED AT', 'ERROR'], rows)}\n` : ''}${verdict}`,
  };
}

const list: CommandSpec = {
  name: ['dead-letters', 'list'],
  summary: 'the messages a consumer gave up on, with why and where from (payloads are not shown); changes nothing',
  description: KAFKA_HELP,
  options: SELECTION,
  examples: [
    'agentgov dead-letters list --topic agent.lifecycle.v1',
    'agentgov dead-letters list --topic containment.action.v1 --failed-group provisioner --json',
  ],
  run: (context, args) => deadLetters(context, args, false),
};

const replay: CommandSpec = {
  name: ['dead-letters', 'replay'],
  summary: 'send the chosen dead letters back to their topic, as they were (same event id): fix the cause first',
  description: [
    'Each message goes back with its key, value and original headers, without the dlq_* ones. Consumer groups that',
    'had processed it skip it (their inbox knows its id); the group that gave up on it processes it now. Nothing is',
    'committed anywhere, so a replay can be repeated. List first with agentgov dead-letters list and narrow with',
    'the same options.',
    '',
    KAFKA_HELP,
  ].join('\n'),
  options: SELECTION,
  examples: ['agentgov dead-letters replay --topic agent.lifecycle.v1 --failed-group containment --from-offset 120'],
  run: (context, args) => deadLetters(context, args, true),
};

export const DEAD_LETTER_COMMANDS: readonly CommandSpec[] = [list, replay];
