import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import { MessagingModule } from '@agentgov/messaging-nest';
import { PersistenceModule } from '@agentgov/persistence';
import { authConfigFor, kafkaReadinessCheck, ServiceRuntimeModule } from '@agentgov/service-runtime';

import { CONTAINMENT_ENTITIES, CONTAINMENT_MIGRATIONS, CONTAINMENT_SCHEMA } from './database/containment.database';
import { ContainmentEnv, CONTAINMENT_SERVICE_NAME } from './config/containment.env';

@Module({})
export class AppModule {
  static forRoot(env: ContainmentEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            brokers: [...env.KAFKA_BROKERS],
            clientId: env.KAFKA_CLIENT_ID,
            groupId: CONTAINMENT_SERVICE_NAME,
            schema: CONTAINMENT_SCHEMA,
            source: `/agentgov/${CONTAINMENT_SERVICE_NAME}`,
            topicPrefix: env.KAFKA_TOPIC_PREFIX,
            ensureTopics: env.KAFKA_CREATE_TOPICS,
          }),
        }),
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: env.DATABASE_URL,
            schema: CONTAINMENT_SCHEMA,
            entities: CONTAINMENT_ENTITIES,
            migrations: CONTAINMENT_MIGRATIONS,
            applicationName: CONTAINMENT_SERVICE_NAME,
          }),
        }),
        ServiceRuntimeModule.forRoot({
          serviceName: CONTAINMENT_SERVICE_NAME,
          env,
          readinessChecks: [
            { name: 'kafka', check: kafkaReadinessCheck({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID }) },
          ],
        }),
      ],
    };
  }
}
