import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import {
  authConfigFor,
  kafkaReadinessCheck,
  postgresReadinessCheck,
  ServiceRuntimeModule,
} from '@agentgov/service-runtime';

import { ContainmentEnv, CONTAINMENT_SERVICE_NAME } from './config/containment.env';

@Module({})
export class AppModule {
  static forRoot(env: ContainmentEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        ServiceRuntimeModule.forRoot({
          serviceName: CONTAINMENT_SERVICE_NAME,
          env,
          readinessChecks: [
            { name: 'database', check: postgresReadinessCheck(env.DATABASE_URL) },
            { name: 'kafka', check: kafkaReadinessCheck({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID }) },
          ],
        }),
      ],
    };
  }
}
