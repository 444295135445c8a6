import { Kafka, LogEntry, logLevel } from 'kafkajs';

import { MessagingLogger } from '../messaging-logger';
import { kafkaConnectionOptions, KafkaSecurity } from './kafka-security';

export interface KafkaClientConfig {
  brokers: string[];
  clientId: string;
  /** Connection timeout per broker connection, ms. */
  connectionTimeoutMs?: number;
  logger?: MessagingLogger;
  /** TLS and SASL; plaintext when absent (a development broker). */
  security?: KafkaSecurity;
}

const LEVELS: Record<number, keyof MessagingLogger> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * One Kafka client per process. kafkajs' own log lines go through our structured logger so they
 * carry the same fields (and redaction) as everything else.
 */
export function createKafkaClient(config: KafkaClientConfig): Kafka {
  const logger = config.logger;
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ...kafkaConnectionOptions(config.security),
    connectionTimeout: config.connectionTimeoutMs ?? 3000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...rest } = entry.log;
      const method = LEVELS[entry.level] ?? 'info';
      logger[method]({ component: 'kafkajs', namespace: entry.namespace, ...rest }, message);
    },
  });
}

/** Parses a comma-separated broker list such as "127.0.0.1:9092,127.0.0.1:9093". */
export function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}
