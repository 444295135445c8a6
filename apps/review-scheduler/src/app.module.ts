import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import { MessagingModule } from '@agentgov/messaging-nest';
import { PersistenceModule } from '@agentgov/persistence';
import { authConfigFor, kafkaReadinessCheck, ServiceRuntimeModule } from '@agentgov/service-runtime';

import { REVIEW_SCHEDULER_ENTITIES, REVIEW_SCHEDULER_MIGRATIONS, REVIEW_SCHEDULER_SCHEMA } from './database/review-scheduler.database';
import { ReviewSchedulerEnv, REVIEW_SCHEDULER_SERVICE_NAME } from './config/review-scheduler.env';

@Module({})
export class AppModule {
  static forRoot(env: ReviewSchedulerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            brokers: [...env.KAFKA_BROKERS],
            clientId: env.KAFKA_CLIENT_ID,
            groupId: REVIEW_SCHEDULER_SERVICE_NAME,
            schema: REVIEW_SCHEDULER_SCHEMA,
            source: `/agentgov/${REVIEW_SCHEDULER_SERVICE_NAME}`,
            topicPrefix: env.KAFKA_TOPIC_PREFIX,
            ensureTopics: env.KAFKA_CREATE_TOPICS,
          }),
        }),
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: env.DATABASE_URL,
            schema: REVIEW_SCHEDULER_SCHEMA,
            entities: REVIEW_SCHEDULER_ENTITIES,
            migrations: REVIEW_SCHEDULER_MIGRATIONS,
            applicationName: REVIEW_SCHEDULER_SERVICE_NAME,
          }),
        }),
        ServiceRuntimeModule.forRoot({
          serviceName: REVIEW_SCHEDULER_SERVICE_NAME,
          env,
          readinessChecks: [
            { name: 'kafka', check: kafkaReadinessCheck({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID }) },
          ],
        }),
      ],
    };
  }
}
