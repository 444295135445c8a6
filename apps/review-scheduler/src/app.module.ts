import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import {
  authConfigFor,
  kafkaReadinessCheck,
  postgresReadinessCheck,
  ServiceRuntimeModule,
} from '@agentgov/service-runtime';

import { ReviewSchedulerEnv, REVIEW_SCHEDULER_SERVICE_NAME } from './config/review-scheduler.env';

@Module({})
export class AppModule {
  static forRoot(env: ReviewSchedulerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        ServiceRuntimeModule.forRoot({
          serviceName: REVIEW_SCHEDULER_SERVICE_NAME,
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
