import { dlqTopicOf } from '@agentgov/contracts';
import {
  createIdempotentProducer,
  createKafkaClient,
  DeadLetterDescription,
  deadLetterRange,
  DeadLetterSelection,
  KafkaSecurity,
  KafkaSecurityConfigError,
  kafkaSecurityFromEnv,
  parseBrokers,
  readDeadLetters,
  replayDeadLetters,
  ReplaySummary,
} from '@agentgov/messaging';

import { CommandFailure } from '../cli.errors';
import type { CommandContext } from '../command';

/** Kafka's refusals in words: which access was missing, which topic does not exist, which brokers cannot be reached. */
function kafkaFailure(error: unknown, brokers: string, principal: string | undefined): CommandFailure {
  const type = (error as { type?: string }).type;
  const message = error instanceof Error ? error.message : String(error);
  const who = principal ? `principal ${principal}` : 'this client';
  if (type === 'TOPIC_AUTHORIZATION_FAILED' || type === 'GROUP_AUTHORIZATION_FAILED' || type === 'CLUSTER_AUTHORIZATION_FAILED') {
    return new CommandFailure(`Kafka refused ${who} (${type}): it may not read the dead-letter topic with a group of its own, or write the origin topic`, {
      code: type,
      hint: "use a principal with that access: the operator's admin (deploy/README.md lists what each principal may do)",
    });
  }
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new CommandFailure(`Kafka has no such dead-letter topic (${message}): is the topic prefix right?`, { code: type });
  }
  if (type === 'SASL_AUTHENTICATION_FAILED' || /SASL|authentication/i.test(message)) {
    return new CommandFailure(`Kafka did not accept the credentials of ${who} (${message})`, { code: type ?? 'SASL_AUTHENTICATION_FAILED' });
  }
  if (/Connection|ECONNREFUSED|ENOTFOUND|retries|timeout/i.test(message)) {
    return new CommandFailure(`cannot reach Kafka at ${brokers} (${message})`, { hint: 'check KAFKA_BROKERS and the security settings' });
  }
  return new CommandFailure(`Kafka: ${message}`, type ? { code: type } : {});
}

function securityOf(env: CommandContext['env']): KafkaSecurity {
  try {
    return kafkaSecurityFromEnv(env);
  } catch (error) {
    if (error instanceof KafkaSecurityConfigError) throw new CommandFailure(`Kafka settings: ${error.message}`);
    throw error;
  }
}

/**
 * Reads the chosen dead letters of `<prefix><topic>.dlq` and, with `execute`, replays them, with a progress bar over
 * what is read. In a module of its own, which the dead-letter commands load when they run: the Kafka machinery is
 * the CLI's one heavy import, which no other command should pay for at start-up.
 */
export async function onKafka(
  { env, io }: CommandContext,
  request: { topic: string; prefix?: string; selection: DeadLetterSelection; execute: boolean; hint: string },
): Promise<{ dlqTopic: string; summary: ReplaySummary; lines: DeadLetterDescription[] }> {
  const { selection, execute } = request;
  const brokers = parseBrokers(env['KAFKA_BROKERS'] ?? '');
  if (brokers.length === 0) throw new CommandFailure('KAFKA_BROKERS is not set: the dead-letter commands talk to Kafka', { hint: request.hint });
  const security = securityOf(env);
  const principal = security.protocol === 'sasl_ssl' ? security.sasl.username : undefined;
  const dlqTopic = dlqTopicOf(`${request.prefix ?? env['KAFKA_TOPIC_PREFIX'] ?? ''}${request.topic}`);
  const kafka = createKafkaClient({ brokers, clientId: 'agentgov-cli', security });
  const producer = createIdempotentProducer(kafka);
  const lines: DeadLetterDescription[] = [];
  try {
    const range = await deadLetterRange(kafka, dlqTopic, selection.fromOffset);
    const progress = io.progress({ label: `${execute ? 'replaying' : 'reading'} ${dlqTopic}`, total: range.total, unit: 'messages' });
    try {
      if (execute) await producer.connect();
      const summary = await replayDeadLetters({
        dlqTopic,
        selection,
        execute,
        messages: readDeadLetters(kafka, dlqTopic, range),
        send: async (message) => {
          await producer.send({ topic: message.topic, acks: -1, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
        },
        report: (line) => lines.push(line),
        progress: (soFar) => progress.update(soFar.seen, execute ? `${soFar.replayed} replayed` : `${soFar.matched} selected`),
      });
      progress.done(execute ? `${summary.replayed} replayed` : `${summary.matched} selected`);
      return { dlqTopic, summary, lines };
    } catch (error) {
      progress.fail(error instanceof Error ? error.message : String(error));
      throw error;
    }
  } catch (error) {
    throw error instanceof CommandFailure ? error : kafkaFailure(error, brokers.join(','), principal);
  } finally {
    if (execute) await producer.disconnect().catch(() => undefined);
  }
}
