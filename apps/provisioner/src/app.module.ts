import { DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '@agentgov/auth';
import {
  authConfigFor,
  kafkaReadinessCheck,
  postgresReadinessCheck,
  ServiceRuntimeModule,
} from '@agentgov/service-runtime';

import { ProvisionerEnv, PROVISIONER_SERVICE_NAME } from './config/provisioner.env';

@Module({})
export class AppModule {
  static forRoot(env: ProvisionerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot(authConfigFor(env)),
        ServiceRuntimeModule.forRoot({
          serviceName: PROVISIONER_SERVICE_NAME,
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
