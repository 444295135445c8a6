import { DynamicModule, Module } from '@nestjs/common';

import { ServiceInfrastructureModule } from '@agentgov/service-infrastructure';

import { ContainmentEnv, CONTAINMENT_SERVICE_NAME } from './config/containment.env';
import { ContainmentModule } from './containment.module';
import { CONTAINMENT_ENTITIES, CONTAINMENT_MIGRATIONS, CONTAINMENT_SCHEMA } from './database/containment.database';

@Module({})
export class AppModule {
  static forRoot(env: ContainmentEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ContainmentModule,
        ServiceInfrastructureModule.forService({
          serviceName: CONTAINMENT_SERVICE_NAME,
          env,
          schema: CONTAINMENT_SCHEMA,
          entities: CONTAINMENT_ENTITIES,
          migrations: CONTAINMENT_MIGRATIONS,
        }),
      ],
    };
  }
}
