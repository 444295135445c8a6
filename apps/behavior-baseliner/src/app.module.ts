import { DynamicModule, Module } from '@nestjs/common';

import { ServiceInfrastructureModule } from '@agentgov/service-infrastructure';

import { BaselinesModule } from './baselines/baselines.module';
import { BEHAVIOR_BASELINER_SERVICE_NAME, BehaviorBaselinerEnv } from './config/behavior-baseliner.env';
import { BEHAVIOR_BASELINER_ENTITIES, BEHAVIOR_BASELINER_MIGRATIONS, BEHAVIOR_BASELINER_SCHEMA } from './database/behavior-baseliner.database';
import { RegistryModule } from './registry/registry.module';
import { ScoringModule } from './scoring/scoring.module';

@Module({})
export class AppModule {
  static forRoot(env: BehaviorBaselinerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BaselinesModule,
        RegistryModule,
        ScoringModule,
        ServiceInfrastructureModule.forService({
          serviceName: BEHAVIOR_BASELINER_SERVICE_NAME,
          env,
          schema: BEHAVIOR_BASELINER_SCHEMA,
          entities: BEHAVIOR_BASELINER_ENTITIES,
          migrations: BEHAVIOR_BASELINER_MIGRATIONS,
        }),
      ],
    };
  }
}
