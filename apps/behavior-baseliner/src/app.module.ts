import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import { MessagingModule } from '@agentgov/messaging-nest';
import { PersistenceModule } from '@agentgov/persistence';
import { authConfigFor, kafkaReadinessCheck, ServiceRuntimeModule } from '@agentgov/service-runtime';

import { BEHAVIOR_BASELINER_ENTITIES, BEHAVIOR_BASELINER_MIGRATIONS, BEHAVIOR_BASELINER_SCHEMA } from './database/behavior-baseliner.database';
import { BehaviorBaselinerEnv, BEHAVIOR_BASELINER_SERVICE_NAME } from './config/behavior-baseliner.env';

@Module({})
export class AppModule {
  static forRoot(env: BehaviorBaselinerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            brokers: [...env.KAFKA_BROKERS],
            clientId: env.KAFKA_CLIENT_ID,
            groupId: BEHAVIOR_BASELINER_SERVICE_NAME,
            schema: BEHAVIOR_BASELINER_SCHEMA,
            source: `/agentgov/${BEHAVIOR_BASELINER_SERVICE_NAME}`,
            topicPrefix: env.KAFKA_TOPIC_PREFIX,
            ensureTopics: env.KAFKA_CREATE_TOPICS,
          }),
        }),
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: env.DATABASE_URL,
            schema: BEHAVIOR_BASELINER_SCHEMA,
            entities: BEHAVIOR_BASELINER_ENTITIES,
            migrations: BEHAVIOR_BASELINER_MIGRATIONS,
            applicationName: BEHAVIOR_BASELINER_SERVICE_NAME,
          }),
        }),
        ServiceRuntimeModule.forRoot({
          serviceName: BEHAVIOR_BASELINER_SERVICE_NAME,
          env,
          readinessChecks: [
            { name: 'kafka', check: kafkaReadinessCheck({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID }) },
          ],
        }),
      ],
    };
  }
}
