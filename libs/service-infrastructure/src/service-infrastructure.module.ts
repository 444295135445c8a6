import { DynamicModule, Module } from '@nestjs/common';
import { DataSourceOptions } from 'typeorm';

import { AuthModule } from '@agentgov/auth';
import { eventSourceOf, ServiceName } from '@agentgov/contracts';
import { authConfigFor, commonEnv, EnvOf, kafkaReadinessCheck, kafkaSecurityFor, ServiceRuntimeModule } from '@agentgov/service-runtime';

import { AuditTrailModule } from './audit/audit-trail.module';
import { MessagingModule } from './messaging/messaging.module';
import { PersistenceModule } from './persistence/persistence.module';
import { consumerGroupOf } from './service-wiring';

export type CommonServiceEnv = EnvOf<ReturnType<typeof commonEnv>>;

export interface ServiceInfrastructureOptions {
  /** Also the consumer group, the Kafka ce_source suffix and the Postgres application name. */
  serviceName: ServiceName;
  env: CommonServiceEnv;
  /** The service's own Postgres schema, with its entities and migrations. */
  schema: string;
  entities: DataSourceOptions['entities'];
  migrations: DataSourceOptions['migrations'];
  /** The service records decisions: its `audit_log` chain (created by its migrations) and `GET /audit`, `/audit/verify`. */
  auditTrail?: boolean;
}

/**
 * What every service stands on, wired the same way in each: bearer auth on every route, its database
 * schema, Kafka consumers and outbox relay, health, metrics and problem details.
 */
@Module({})
export class ServiceInfrastructureModule {
  static forService(options: ServiceInfrastructureOptions): DynamicModule {
    const { env, serviceName, schema } = options;
    const kafkaSecurity = kafkaSecurityFor(env);
    return {
      module: ServiceInfrastructureModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            brokers: [...env.KAFKA_BROKERS],
            security: kafkaSecurity,
            clientId: env.KAFKA_CLIENT_ID,
            // The prefix names an environment: each gets its own consumer group as well as its own topics.
            groupId: consumerGroupOf({ serviceName, topicPrefix: env.KAFKA_TOPIC_PREFIX }),
            schema,
            source: eventSourceOf(serviceName),
            topicPrefix: env.KAFKA_TOPIC_PREFIX,
            ensureTopics: env.KAFKA_CREATE_TOPICS,
          }),
        }),
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: env.DATABASE_URL,
            schema,
            entities: options.entities,
            migrations: options.migrations,
            applicationName: serviceName,
          }),
        }),
        ServiceRuntimeModule.forRoot({
          serviceName,
          env,
          readinessChecks: [
            { name: 'kafka', check: kafkaReadinessCheck({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID, security: kafkaSecurity }) },
          ],
        }),
        ...(options.auditTrail ? [AuditTrailModule.forSchema(schema)] : []),
      ],
    };
  }
}
