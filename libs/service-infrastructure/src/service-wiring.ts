import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';

import { eventSourceOf, ServiceName } from '@agentgov/contracts';
import { createKafkaClient, KafkaSecurity, MessagingLogger, OutboxWriter } from '@agentgov/messaging';
import { createServiceDataSource } from '@agentgov/persistence';

/** What names a running service in Kafka and Postgres: the same derivations in its Nest app and in its worker threads. */
export interface ServiceWiring {
  serviceName: ServiceName;
  /** The service's own Postgres schema. */
  schema: string;
  brokers: readonly string[];
  /** How it authenticates to Kafka (structured-clonable, so it crosses into worker threads). */
  kafkaSecurity: KafkaSecurity;
  clientId: string;
  /** Names an environment: each gets its own topics and consumer groups. */
  topicPrefix: string;
  databaseUrl: string;
}

/** The service's consumer group, or one of its named sub-groups (the baseliner's `scoring`). */
export function consumerGroupOf(wiring: Pick<ServiceWiring, 'serviceName' | 'topicPrefix'>, part?: string): string {
  return `${wiring.topicPrefix}${wiring.serviceName}${part ? `.${part}` : ''}`;
}

/** Writes the service's events into its outbox, with its ce_source. */
export function outboxWriterOf(wiring: ServiceWiring): OutboxWriter {
  return new OutboxWriter(wiring.schema, eventSourceOf(wiring.serviceName), wiring.topicPrefix);
}

export function kafkaClientOf(wiring: ServiceWiring, logger: MessagingLogger, clientSuffix?: string): Kafka {
  return createKafkaClient({
    brokers: [...wiring.brokers],
    clientId: clientSuffix ? `${wiring.clientId}-${clientSuffix}` : wiring.clientId,
    logger,
    security: wiring.kafkaSecurity,
  });
}

/** A pool on the service's schema; a worker thread names itself in `pg_stat_activity` with `applicationSuffix`. */
export function dataSourceOf(wiring: ServiceWiring, options: { poolSize?: number; applicationSuffix?: string } = {}): DataSource {
  return createServiceDataSource({
    url: wiring.databaseUrl,
    schema: wiring.schema,
    poolSize: options.poolSize,
    applicationName: options.applicationSuffix ? `${wiring.serviceName}-${options.applicationSuffix}` : wiring.serviceName,
  });
}
