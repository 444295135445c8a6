import { DynamicModule, Module } from '@nestjs/common';

import { ServiceInfrastructureModule } from '@agentgov/service-infrastructure';

import { ReviewSchedulerEnv, REVIEW_SCHEDULER_SERVICE_NAME } from './config/review-scheduler.env';
import { ReviewSchedulerModule } from './review-scheduler.module';
import { REVIEW_SCHEDULER_ENTITIES, REVIEW_SCHEDULER_MIGRATIONS, REVIEW_SCHEDULER_SCHEMA } from './database/review-scheduler.database';

@Module({})
export class AppModule {
  static forRoot(env: ReviewSchedulerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ReviewSchedulerModule,
        ServiceInfrastructureModule.forService({
          serviceName: REVIEW_SCHEDULER_SERVICE_NAME,
          env,
          schema: REVIEW_SCHEDULER_SCHEMA,
          entities: REVIEW_SCHEDULER_ENTITIES,
          migrations: REVIEW_SCHEDULER_MIGRATIONS,
        }),
      ],
    };
  }
}
