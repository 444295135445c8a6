import { DynamicModule, Module } from '@nestjs/common';

import { ServiceInfrastructureModule } from '@agentgov/service-infrastructure';

import { CampaignsModule } from './campaigns/campaigns.module';
import { ClockModule } from './clock/clock.module';
import { REVIEW_SCHEDULER_SERVICE_NAME, ReviewSchedulerEnv } from './config/review-scheduler.env';
import { REVIEW_SCHEDULER_ENTITIES, REVIEW_SCHEDULER_MIGRATIONS, REVIEW_SCHEDULER_SCHEMA } from './database/review-scheduler.database';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { RegistryModule } from './registry/registry.module';
import { ReportsModule } from './reports/reports.module';
import { ReviewsModule } from './reviews/reviews.module';
import { ScheduleModule } from './schedule/schedule.module';

@Module({})
export class AppModule {
  static forRoot(env: ReviewSchedulerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CampaignsModule,
        ClockModule,
        LifecycleModule,
        RegistryModule,
        ReportsModule,
        ReviewsModule,
        ScheduleModule,
        ServiceInfrastructureModule.forService({
          serviceName: REVIEW_SCHEDULER_SERVICE_NAME,
          env,
          schema: REVIEW_SCHEDULER_SCHEMA,
          entities: REVIEW_SCHEDULER_ENTITIES,
          migrations: REVIEW_SCHEDULER_MIGRATIONS,
          auditTrail: true,
        }),
      ],
    };
  }
}
