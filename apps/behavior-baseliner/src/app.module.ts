import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import {
  authConfigFor,
  kafkaReadinessCheck,
  postgresReadinessCheck,
  ServiceRuntimeModule,
} from '@agentgov/service-runtime';

import { BehaviorBaselinerEnv, BEHAVIOR_BASELINER_SERVICE_NAME } from './config/behavior-baseliner.env';

@Module({})
export class AppModule {
  static forRoot(env: BehaviorBaselinerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        ServiceRuntimeModule.forRoot({
          serviceName: BEHAVIOR_BASELINER_SERVICE_NAME,
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
