import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import { MessagingModule } from '@agentgov/messaging-nest';
import { PersistenceModule } from '@agentgov/persistence';
import { authConfigFor, kafkaReadinessCheck, ServiceRuntimeModule } from '@agentgov/service-runtime';

import { PROVISIONER_ENTITIES, PROVISIONER_MIGRATIONS, PROVISIONER_SCHEMA } from './database/provisioner.database';
import { ProvisionerEnv, PROVISIONER_SERVICE_NAME } from './config/provisioner.env';

@Module({})
export class AppModule {
  static forRoot(env: ProvisionerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            brokers: [...env.KAFKA_BROKERS],
            clientId: env.KAFKA_CLIENT_ID,
            groupId: PROVISIONER_SERVICE_NAME,
            schema: PROVISIONER_SCHEMA,
            source: `/agentgov/${PROVISIONER_SERVICE_NAME}`,
            topicPrefix: env.KAFKA_TOPIC_PREFIX,
            ensureTopics: env.KAFKA_CREATE_TOPICS,
          }),
        }),
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            url: env.DATABASE_URL,
            schema: PROVISIONER_SCHEMA,
            entities: PROVISIONER_ENTITIES,
            migrations: PROVISIONER_MIGRATIONS,
            applicationName: PROVISIONER_SERVICE_NAME,
          }),
        }),
        ServiceRuntimeModule.forRoot({
          serviceName: PROVISIONER_SERVICE_NAME,
          env,
          readinessChecks: [
            { name: 'kafka', check: kafkaReadinessCheck({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID }) },
          ],
        }),
      ],
    };
  }
}
