import { DynamicModule, Module } from '@nestjs/common';

import { ServiceInfrastructureModule } from '@agentgov/service-infrastructure';

import { ProvisionerEnv, PROVISIONER_SERVICE_NAME } from './config/provisioner.env';
import { PROVISIONER_ENTITIES, PROVISIONER_MIGRATIONS, PROVISIONER_SCHEMA } from './database/provisioner.database';

@Module({})
export class AppModule {
  static forRoot(env: ProvisionerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceInfrastructureModule.forService({
          serviceName: PROVISIONER_SERVICE_NAME,
          env,
          schema: PROVISIONER_SCHEMA,
          entities: PROVISIONER_ENTITIES,
          migrations: PROVISIONER_MIGRATIONS,
        }),
      ],
    };
  }
}
